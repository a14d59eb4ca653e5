/* manifest.h - what a run folder's manifest.json records: the machine, the
 * kernel settings that change process-creation figures, the versions, and
 * how the run was made. */
#ifndef FB_MANIFEST_H
#define FB_MANIFEST_H

#include <jansson.h>

#define FB_SCHEMA_VERSION 1

/* The environment part (kernel, machine, limits, versions). repo_dir is the
 * source tree, for the git revision. Never fails: unreadable items are null. */
json_t *fb_manifest_environment(const char *repo_dir);
/* The same for the checkout this forkbench was built in (the build
 * folder's parent): what a run records, and what regress compares with. */
json_t *fb_manifest_environment_here(void);
/* A manifest value as text: a string as it is, an integer, a real (%g), a
 * boolean as yes/no, an array or object as compact JSON; NULL when absent
 * or null. buf holds what had to be formatted. */
const char *fb_manifest_text(const json_t *value, char *buf, size_t len);

/* A setting as a number: a JSON number (runs since the conditions were
 * recorded) or the number a text holds (older runs recorded settings as
 * text). FB_NUMBER_WHOLE: the text is the number, blanks after it at most
 * ("32768"; "32768x" is not one); FB_NUMBER_LEADING: a number it starts
 * with will do ("0.52 0.48 0.50 1/234 5678" of /proc/loadavg). 0, or -1
 * (absent, null, no number). */
enum fb_number_text { FB_NUMBER_WHOLE, FB_NUMBER_LEADING };
int fb_manifest_number(const json_t *value, enum fb_number_text how, double *out);

/* The fields of a manifest that the report, claims and compare rely on,
 * type-checked: schema_version (this one), run_id, config (profile, sizes,
 * modes: strings; repetitions: a positive integer; min_time_s: a number),
 * environment (an object) and warnings (objects with name and message
 * strings); config only with need_config (the report and compare use it,
 * claims do not). 0, or -1 with why naming the field. The environment's
 * items are informational and read defensively where they are used. */
int fb_manifest_check(const json_t *manifest, int need_config, char *why, size_t len);

#endif
