/* jsonio.h - JSON files: written atomically, read with the NaN and Infinity Google Benchmark writes. */
#ifndef FB_JSONIO_H
#define FB_JSONIO_H

#include <jansson.h>

/* Write JSON to dir/name through a temp file and rename: a reader never
 * sees half a file. 0 or -errno. */
int fb_write_json_atomic(const char *path, json_t *json);
/* Load a JSON file that may hold the bare NaN / Infinity tokens Google
 * Benchmark writes (its cv aggregate of a constant-zero counter is NaN),
 * which strict JSON and jansson reject: they are read as null. NULL with
 * jerr filled on failure. */
json_t *fb_json_load_lenient(const char *path, json_error_t *jerr);
/* Rewrite a JSON file so that strict parsers read it: NaN and Infinity
 * (which Google Benchmark writes for the CV of a constant counter) become
 * null, keys stay in their order. 0 or -errno. */
int fb_json_make_strict(const char *path);

#endif
