/* noise.h - a baseline's A/A noise: how far each benchmark's median moves
 * between runs of the same build on the same machine. `forkbench noise`
 * measures it into BASELINE/noise.json (make baseline does this); compare
 * reads it from BASE and raises the threshold of each benchmark this machine
 * cannot hold still to max(threshold, FB_NOISE_FACTOR x its noise). */
#ifndef FB_NOISE_H
#define FB_NOISE_H

#include <limits.h>
#include <stddef.h>
#include <jansson.h>

#define FB_NOISE_FILE "noise.json"
#define FB_NOISE_SCHEMA_VERSION 1

/* A benchmark's threshold is at least this times its measured noise: the
 * noise is the largest |ratio - 1| over one or a few A/A pairs, and so few
 * draws underestimate how far the next run can land (a single pair is one
 * sample of a spread whose tail it rarely reaches). 1.5 leaves that margin
 * without hiding real slow-downs of twice the noise or more. */
#define FB_NOISE_FACTOR 1.5

/* compare's (and ab's) default --threshold: a relative change of 10%
 * counts. Defined here, below compare.h, because noise's summary counts
 * what that default would flag on noise alone. */
#define FB_THRESHOLD_DEFAULT 0.10

struct fb_noise {
	json_t *root;              /* the document, checked on load */
	const json_t *benchmarks;  /* name -> {"noise": fraction, "ratios": [...]} */
	char path[PATH_MAX + 16];  /* where it was read, for notes */
	char runs[256];            /* the A/A runs' ids, "a, b" */
	size_t count;              /* benchmarks listed */
};

/* `forkbench noise BASELINE_RUN OTHER_RUN...`: compare the baseline with one
 * or more A/A runs (same machine, same configuration, same build) and write
 * BASELINE_RUN/noise.json. 0, or 2 on bad input (one line on stderr). */
int fb_cmd_noise(int argc, char **argv);

/* Read RUN_DIR/noise.json: 1 when read, 0 when RUN_DIR has none (or is not
 * a folder: a bare bench.json has no noise), -1 when it is corrupt, with
 * err naming the file and what is wrong. */
int fb_noise_load(const char *run_dir, struct fb_noise *out, char *err, size_t len);
/* A benchmark's noise as a fraction (0.04 = 4%) for a comparison
 * normalised by normalize ("bare": noise_bare where measured, the
 * figures divided by each run's bare fork loop; else the absolute noise),
 * NAN when it is not listed. */
double fb_noise_of(const struct fb_noise *noise, const char *name, const char *normalize);
void fb_noise_free(struct fb_noise *noise);

#endif
