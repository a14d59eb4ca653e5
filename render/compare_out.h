/* compare_out.h - a comparison (verdict/compare.h) as the terminal table,
 * Markdown and JUnit XML: they only format. */
#ifndef FB_COMPARE_OUT_H
#define FB_COMPARE_OUT_H

#include <stdio.h>

#include "compare.h"

void fb_compare_print_table(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out);
void fb_compare_write_markdown(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out);
void fb_compare_write_junit(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out);

#endif
