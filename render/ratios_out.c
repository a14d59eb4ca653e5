/* ratios_out.c - the ratios of medians (ratios.c) as one table, described
 * once: the end-of-run summary prints it, the report's threads section
 * holds it. Formatting only. */
#include "ratios.h"

#include <math.h>
#include <stdio.h>

#include "doc.h"

/* The table's ctx is the run's results; a ratio it lacks a median for is left out. */
static int measured(const void *row, const void *ctx)
{
	return !isnan(fb_ratio_value(ctx, row));
}

static const char *cell_label(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_ratio *)row)->label;
}

static const char *cell_value(const void *row, const void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%.4f", fb_ratio_value(ctx, row));
	return buf;
}

/* The inverse, "1 : 12": the terminal says "(1/12)" after the ratio. */
static const char *cell_inverse_terminal(const void *row, const void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "(1/%.0f)", 1 / fb_ratio_value(ctx, row));
	return buf;
}

static const char *cell_inverse_doc(const void *row, const void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%.0f", 1 / fb_ratio_value(ctx, row));
	return buf;
}

static const struct fb_col ratio_cols[] = {
	{ .header = "comparison", .cell = cell_label, .show = FB_SHOW_BOTH, .gap = 2, .width = -80 },
	{ .header = "ratio of medians", .cell = cell_value, .show = FB_SHOW_BOTH, .gap = 1, .width = 9 },
	{ .header = "i.e. 1 :", .cell = cell_inverse_terminal, .show = FB_SHOW_TERMINAL, .gap = 2 },
	{ .header = "i.e. 1 :", .cell = cell_inverse_doc, .show = FB_SHOW_DOC },
};

static struct fb_table ratios_table(const struct fb_results *res)
{
	return (struct fb_table){ ratio_cols, sizeof(ratio_cols) / sizeof(ratio_cols[0]), res,
				  .row_size = sizeof(fb_ratios[0]), .keep = measured };
}

void fb_ratios_print(const struct fb_results *res, FILE *out)
{
	struct fb_table table = ratios_table(res);

	for (size_t i = 0; i < fb_nratios; i++)
		if (measured(&fb_ratios[i], res)) {
			fprintf(out, "\nratios of medians in this run:\n");
			fb_table_print(&table, fb_ratios, fb_nratios, out);
			return;
		}
}

void fb_ratios_add_table(struct fb_doc *doc, const struct fb_results *res)
{
	struct fb_table table = ratios_table(res);

	fb_doc_add_table(doc, &table, fb_ratios, fb_nratios);
}
