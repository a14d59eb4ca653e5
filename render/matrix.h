/* matrix.h - `forkbench matrix RUN... --out DIR`: chosen figures of two or
 * more run folders (other machines, kernels, THP settings) in one table,
 * one row per run with its conditions, written as DIR/matrix.md,
 * DIR/matrix.html and a bar chart of fork's cost per GiB. */
#ifndef FB_MATRIX_H
#define FB_MATRIX_H

/* argv[0] is "matrix". 0 when the table was written; 2 on bad input (fewer
 * than two runs, a missing or corrupt manifest.json or bench.json, an
 * unknown option, no --out, an --out folder that exists) with one line on
 * stderr and nothing written, or when the output could not be written. */
int fb_cmd_matrix(int argc, char **argv);

#endif
