/* drift_load.c - a run's drift.json read back (written when the run was
 * made, by harness/drift_history.c): the earlier runs' bare-loop medians
 * that the report's drift D reads. */
#define _GNU_SOURCE
#include "drift.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

/* One entry of drift.json's runs into row k. */
static int load_entry(const json_t *entry, struct fb_drift_history *h, size_t k)
{
	const struct fb_bench_key *keys[FB_DRIFT_SPEED_KEYS];
	const char *id = json_string_value(json_object_get(entry, "run_id"));
	char name[FB_KEY_NAME_MAX];

	if (!id)
		return -1;
	snprintf(h->run_id[k], sizeof(h->run_id[k]), "%s", id);
	size_t nkeys = fb_drift_keys(keys, FB_DRIFT_SPEED_KEYS);
	for (size_t i = 0; i < nkeys; i++) {
		const json_t *v = json_object_get(entry, fb_key_format(keys[i], name, sizeof(name)));
		h->median_ns[k][i] = json_is_number(v) && json_number_value(v) > 0 ? json_number_value(v) : NAN;
	}
	return 0;
}

int fb_drift_history_load(const char *run_dir, struct fb_drift_history *h, char *err, size_t len)
{
	char path[PATH_MAX];
	json_error_t jerr;
	const json_t *runs;

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/drift.json", run_dir);
	json_t *doc = json_load_file(path, 0, &jerr);
	if (!doc && access(path, F_OK) != 0)
		return 0;
	runs = json_object_get(doc, "runs");
	if (!json_is_array(runs) || json_array_size(runs) > FB_DRIFT_HISTORY_MAX) {
		if (doc)
			snprintf(err, len, "%s: \"runs\" is not an array of at most %d runs", path, FB_DRIFT_HISTORY_MAX);
		else
			snprintf(err, len, "%s: %s", path, jerr.text);
		json_decref(doc);
		return -1;
	}
	for (size_t k = 0; k < json_array_size(runs); k++)
		if (load_entry(json_array_get(runs, k), h, k)) {
			snprintf(err, len, "%s: run %zu has no run_id", path, k + 1);
			json_decref(doc);
			memset(h, 0, sizeof(*h));
			return -1;
		}
	h->n = json_array_size(runs);
	json_decref(doc);
	return 0;
}
