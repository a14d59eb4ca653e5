/* drift_history.c - the earlier runs a run's drift D also reads (see
 * drift.h): found in the results folder when the run is made, and kept in
 * its drift.json, because a report must re-render the same from the run
 * folder alone, whatever runs came after it. */
#define _GNU_SOURCE
#include "drift.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "comparable.h"
#include "run_folder.h"
#include "jsonio.h"

#define HISTORY_SCHEMA 1
/* Folders looked at in one results folder: a bound on the work, not on
 * the evidence (the newest qualifying runs are a few of them). */
#define MAX_CANDIDATES 4096

struct candidate {
	char name[NAME_MAX + 1];
	time_t finished;
};

/* manifest.json's finished_utc as a time, or -1. */
static time_t finished_at(const json_t *manifest)
{
	const char *text = json_string_value(json_object_get(manifest, "finished_utc"));
	struct tm tm = { 0 };
	const char *end = text ? strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	return end && !*end ? timegm(&tm) : (time_t)-1;
}

/* results_dir/name opened as flags ask (its manifest unchecked: any run
 * of the machine counts), or NULL. */
static struct fb_run *open_run(const char *results_dir, const char *name, unsigned flags)
{
	char path[PATH_MAX], err[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", results_dir, name);
	return fb_run_open(path, FB_RUN_UNCHECKED | flags, FB_RUN_WORDS_LOADER, err, sizeof(err));
}

/* Does an earlier run qualify: same machine, placement and CPUs, finished
 * within the window before now? Its finish time into *finished. */
static int qualifies(const json_t *earlier, const json_t *this_run, time_t now, time_t *finished)
{
	struct fb_conditions_diff diff;

	*finished = finished_at(earlier);
	if (*finished < 0 || *finished > now || now - *finished > FB_DRIFT_HISTORY_HOURS * 3600)
		return 0;
	fb_conditions_compare(earlier, this_run, &diff);
	return diff.known && diff.speed == 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	return (x->finished < y->finished) - (x->finished > y->finished);
}

/* The run folders of results_dir that qualify, newest first. Folders
 * starting with '.' are runs in the making (this one among them). */
static size_t find_candidates(const char *results_dir, const json_t *this_run, struct candidate *out)
{
	DIR *dir = opendir(results_dir);
	struct dirent *e;
	size_t n = 0;
	time_t now = time(NULL);

	while (dir && n < MAX_CANDIDATES && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		struct fb_run *run = open_run(results_dir, e->d_name, 0);
		if (run && qualifies(run->manifest, this_run, now, &out[n].finished))
			snprintf(out[n++].name, sizeof(out[0].name), "%s", e->d_name);
		fb_run_close(run);
	}
	if (dir)
		closedir(dir);
	qsort(out, n, sizeof(*out), newest_first);
	return n;
}

/* {"run_id", "finished_utc", "<bare loop key>": median ns...}, or NULL
 * when the run holds neither bare loop. */
static json_t *history_entry(const char *results_dir, const struct candidate *c)
{
	const struct fb_bench_key *keys[FB_DRIFT_SPEED_KEYS];
	char name[FB_KEY_NAME_MAX], stamp[32];
	struct fb_run *run = open_run(results_dir, c->name, FB_RUN_RESULTS);
	json_t *entry = NULL;

	if (!run)
		return NULL;
	const struct fb_results *res = &run->results;
	size_t nkeys = fb_drift_keys(keys, FB_DRIFT_SPEED_KEYS);
	for (size_t i = 0; i < nkeys; i++) {
		double median = fb_result_median_ns(fb_results_get(res, keys[i]));
		if (isnan(median))
			continue;
		if (!entry) {
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&c->finished));
			entry = json_pack("{s:s, s:s}", "run_id", c->name, "finished_utc", stamp);
		}
		json_object_set_new(entry, fb_key_format(keys[i], name, sizeof(name)), json_real(median));
	}
	fb_run_close(run);
	return entry;
}

int fb_drift_history_record(const char *run_dir, const char *results_dir)
{
	struct candidate *found = malloc(MAX_CANDIDATES * sizeof(*found));
	struct fb_run *this = open_run(run_dir, ".", 0);
	const json_t *this_run = this ? this->manifest : NULL;
	json_t *runs = json_array();
	char path[PATH_MAX];
	int err = -ENOMEM;

	if (found && this_run && runs) {
		size_t n = find_candidates(results_dir, this_run, found);
		for (size_t i = 0; i < n && json_array_size(runs) < FB_DRIFT_HISTORY_MAX; i++) {
			json_t *entry = history_entry(results_dir, &found[i]);
			if (entry)
				json_array_append_new(runs, entry);
		}
		json_t *doc = json_pack("{s:i, s:s, s:i, s:i, s:O}", "schema_version", HISTORY_SCHEMA, "why",
					"the bare fork and vfork loops' medians of earlier runs of this machine, CPU "
					"placement and CPUs: the drift D that widens the report's next-run interval "
					"reads how far their level moved between runs",
					"window_hours", FB_DRIFT_HISTORY_HOURS, "max_runs", FB_DRIFT_HISTORY_MAX, "runs", runs);
		snprintf(path, sizeof(path), "%s/drift.json", run_dir);
		err = doc ? fb_write_json_atomic(path, doc) : -ENOMEM;
		json_decref(doc);
	}
	json_decref(runs);
	fb_run_close(this);
	free(found);
	return err;
}
