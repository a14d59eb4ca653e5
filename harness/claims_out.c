/* claims_out.c - the judged claims (claims.c) as RUN/claims.json, as a
 * table on the terminal, and as the report's "Lecture claims" section; and
 * `forkbench claims RUN`. Formatting only (STYLE 3). */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "commands.h"
#include "run_folder.h"
#include "util.h"

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

void fb_claims_section(struct fb_doc *doc, const json_t *manifest, const struct fb_results *res,
		       const struct fb_claims *judged)
{
	static const char *const head[] = { "claim (lecture 5)", "measured now", "benchmark", "conditions", "verdict" };
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
	fb_doc_table(doc, 5, head);
	for (size_t i = 0; i < claims->count; i++) {
		const struct fb_claim_row *r = &claims->rows[i];
		fb_doc_row(doc, (const char *const[]){ r->claim, r->measured, r->benchmark, r->conditions, r->verdict });
	}
	fb_doc_heading(doc, 3, "How each claim is judged");
	for (size_t i = 0; i < claims->count; i++)
		fb_doc_para(doc, "%s: %s.", claims->rows[i].id, claims->rows[i].rule);
}

static void print_table(const struct fb_claims *claims, FILE *out)
{
	fprintf(out, "%-28s %-14s %s\n", "claim", "figure", "verdict");
	for (size_t i = 0; i < claims->count; i++) {
		const struct fb_claim_row *r = &claims->rows[i];
		char figure[48] = "-";
		if (!isnan(r->value))
			snprintf(figure, sizeof(figure), r->value < 100 ? "%.3g %s" : "%.0f %s", r->value, r->unit);
		fprintf(out, "%-28s %-14s %s\n", r->id, figure, r->verdict);
		fprintf(out, "  %s\n  measured: %s\n  from: %s\n  conditions: %s\n", r->claim, r->measured,
			r->benchmark, r->conditions);
	}
}

int fb_cmd_claims(int argc, char **argv)
{
	static struct fb_claims claims;

	if (argc != 2 || argv[1][0] == '-')
		return fb_usage(argc, argv, "forkbench claims RUN_FOLDER   (writes RUN_FOLDER/claims.json)");
	if (fb_claims_write(argv[1], NULL, &claims))
		return 2;
	print_table(&claims, stdout);
	printf("%s/claims.json\n", argv[1]);
	return 0;
}
