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

#endif
