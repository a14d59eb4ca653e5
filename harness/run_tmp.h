/* run_tmp.h - the temporary folder a run is made in (results/.incomplete-*),
 * with its owner recorded, so that the folder of a run that died (SIGKILL,
 * power loss) is recognised and removed by the next run. */
#ifndef FB_RUN_TMP_H
#define FB_RUN_TMP_H

#include <stddef.h>

/* A new results_dir/.incomplete-XXXXXX into tmp, owned by this process.
 * 0 or -errno. */
int fb_run_tmp_create(const char *results_dir, char *tmp, size_t len);
/* Remove every results_dir/.incomplete-* whose owner is gone, saying so on
 * stderr, one line each. The number removed. */
int fb_run_tmp_remove_stale(const char *results_dir);
/* rm -rf dir. */
/* The temp folder is about to be published (renamed): its owner file,
 * which only marks an unfinished run, is not part of a run folder. */
void fb_run_tmp_disown(const char *tmp);
void fb_run_tmp_remove(const char *dir);

#endif
