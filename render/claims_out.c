/* claims_out.c - the judged claims (claims.c) as RUN/claims.json, as a
 * table on the terminal, and as the report's "Lecture claims" section; and
 * `forkbench claims RUN`. Formatting only (STYLE 3). */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "claims_out.h"
#include "doc.h"
#include "claims.h"
#include "run_folder.h"
#include "cli.h"
#include "jsonio.h"

/* NaN is not JSON: a figure not measured is null. */
static json_t *number_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

json_t *fb_claims_json(const struct fb_claims *claims, const char *run_id)
{
	json_t *list = json_array();

	for (size_t i = 0; i < claims->count; i++) {
		const struct fb_claim_row *r = &claims->rows[i];
		json_t *claim = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s}",
			"id", r->id, "claim", r->claim, "measured", r->measured, "value", number_or_null(r->value),
			"unit", r->unit, "benchmark", r->benchmark, "conditions", r->conditions, "verdict", r->verdict,
			"rule", r->rule);
		/* schema 2: the verdict as a word, the figure's interval, the bound a
		 * borderline one straddles, and the command that measures what is missing */
		json_object_set_new(claim, "status", json_string(fb_claim_status_name(r->status)));
		json_object_set_new(claim, "interval", isnan(r->lo) || isnan(r->hi) ? json_null() :
				    json_pack("[f, f]", r->lo, r->hi));
		json_object_set_new(claim, "bound", number_or_null(r->bound));
		json_object_set_new(claim, "command", r->command[0] ? json_string(r->command) : json_null());
		json_array_append_new(list, claim);
	}
	return json_pack("{s:i, s:o, s:o}", "schema_version", 2,
			 "run_id", run_id ? json_string(run_id) : json_null(), "claims", list);
}

int fb_claims_write(const char *run_dir, const struct fb_results *given, struct fb_claims *out)
{
	struct fb_claims local, *claims = out ? out : &local;
	char path[PATH_MAX], err[PATH_MAX + 256];
	json_t *doc;
	int e;

	/* what the claims are judged from: the manifest, and bench.json unless given */
	struct fb_run *run = fb_run_open(run_dir, FB_RUN_MANIFEST | (given ? 0 : FB_RUN_RESULTS), FB_RUN_WORDS_CLAIMS,
					 err, sizeof(err));
	if (!run)
		return fb_error("claims: %s", err), -1;
	fb_claims_evaluate(run->manifest, given ? given : &run->results, claims);
	doc = fb_claims_json(claims, run->run_id);
	snprintf(path, sizeof(path), "%s/claims.json", run_dir);
	e = fb_write_json_atomic(path, doc);
	json_decref(doc);
	fb_run_close(run);
	if (e)
		return fb_error("claims: %s: %s", path, strerror(-e)), -1;
	return 0;
}

static const char *cell_id(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_claim_row *)row)->id;
}

/* The figure judged with its unit: "44.1 us", "1234 us", or "-". */
static const char *cell_figure(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_claim_row *r = row;

	(void)ctx;
	if (isnan(r->value))
		return "-";
	snprintf(buf, len, r->value < 100 ? "%.3g %s" : "%.0f %s", r->value, r->unit);
	return buf;
}

static const char *cell_claim(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_claim_row *)row)->claim;
}

static const char *cell_measured(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_claim_row *)row)->measured;
}

static const char *cell_benchmark(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_claim_row *)row)->benchmark;
}

static const char *cell_conditions(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_claim_row *)row)->conditions;
}

static const char *cell_verdict(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_claim_row *)row)->verdict;
}

/* One row per claim. The terminal lines up id, figure and verdict and puts
 * the words under them; the report's table leads with the claim's words. */
static const struct fb_col claim_cols[] = {
	{ .header = "claim", .cell = cell_id, .show = FB_SHOW_TERMINAL, .gap = 0, .width = -28 },
	{ .header = "figure", .cell = cell_figure, .show = FB_SHOW_TERMINAL, .gap = 1, .width = -14 },
	{ .header = "claim (lecture 5)", .cell = cell_claim, .show = FB_SHOW_BOTH, .below = "  " },
	{ .header = "measured now", .cell = cell_measured, .show = FB_SHOW_BOTH, .below = "  measured: " },
	{ .header = "benchmark", .cell = cell_benchmark, .show = FB_SHOW_BOTH, .below = "  from: " },
	{ .header = "conditions", .cell = cell_conditions, .show = FB_SHOW_BOTH, .below = "  conditions: " },
	{ .header = "verdict", .cell = cell_verdict, .show = FB_SHOW_BOTH, .gap = 1 },
};

static const struct fb_table claims_table = { claim_cols, sizeof(claim_cols) / sizeof(claim_cols[0]), NULL,
					      .terminal_header = 1, .row_size = sizeof(struct fb_claim_row) };

void fb_claims_section(struct fb_doc *doc, const json_t *manifest, const struct fb_results *res,
		       const struct fb_claims *judged)
{
	static struct fb_claims own;   /* static: the rows are large for a stack */
	const struct fb_claims *claims = judged ? judged : &own;

	if (!judged)
		fb_claims_evaluate(manifest, res, &own);
	fb_doc_heading(doc, 2, "Lecture claims");
	fb_doc_para(doc, "Each claim of the lecture judged from this run's medians and their confidence intervals "
		    "under the rule listed below the table: it holds, or does not, only when the whole interval, "
		    "widened for the drift between runs, is on one side of the rule's bound; borderline (both "
		    "figures given) when it straddles one. A claim at a size this run did not measure is read off "
		    "a line through the sizes it did, only a short reach and only when the line fits, as the "
		    "conditions say; else it is not measured in this run, with the command that measures it. The "
		    "same rows are in claims.json (forkbench claims RUN).");
	fb_doc_add_table(doc, &claims_table, claims->rows, claims->count);
	fb_doc_heading(doc, 3, "How each claim is judged");
	for (size_t i = 0; i < claims->count; i++)
		fb_doc_para(doc, "%s: %s.", claims->rows[i].id, claims->rows[i].rule);
}

int fb_cmd_claims(int argc, char **argv)
{
	static struct fb_claims claims;
	struct fb_opt_values v;
	char err[256];

	if (fb_options_parse(NULL, 0, argc - 1, argv + 1, &v, err, sizeof(err)) || v.npositional != 1)
		return fb_usage(argc, argv, "forkbench claims RUN_FOLDER   (writes RUN_FOLDER/claims.json)");
	if (fb_claims_write(v.positional[0], NULL, &claims))
		return 2;
	fb_table_print(&claims_table, claims.rows, claims.count, stdout);
	printf("%s/claims.json\n", v.positional[0]);
	return 0;
}
