/* labfork.c - known-bad lab-fork submission whose output is not plain
 * ASCII: it builds with a warning (gcc's curly quotes), and instead of the
 * figures it prints UTF-8 text, bytes that are not UTF-8 (a stray 0xff, a
 * sequence cut short, an overlong '/') and control characters, then exits
 * 1. Expected: 2/10 (build and reaping); results.json stays valid UTF-8
 * with the quotes and accents kept, U+FFFD for each invalid byte and the
 * control characters escaped. */
#include <stdio.h>

int main(void)
{
	int unused_figure;   /* gcc: unused variable 'unused_figure', in curly quotes */

	printf("r\xc3\xa9sum\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7: stray \xff, cut \xe2\x80, overlong \xc0\xaf, bell \x07, escape \x1b[31m\n");
	fprintf(stderr, "na\xc3\xafve \xfe\n");
	return 1;
}
