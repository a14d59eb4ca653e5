/* utest.c - two-sided Mann-Whitney U test (see utest.h). */
#include "utest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ranked {
	double value;
	int from_x;
};

static int cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->value, y = ((const struct ranked *)b)->value;
	return (x > y) - (x < y);
}

/* Average ranks (ties share the mean of their ranks). Returns the rank sum
 * of x and accumulates sum(t^3 - t) over tie groups into *tie_term. */
static double rank_sum_x(struct ranked *all, size_t n, double *tie_term)
{
	double sum = 0;

	qsort(all, n, sizeof(*all), cmp_ranked);
	*tie_term = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && all[j].value == all[i].value)
			j++;
		double t = (double)(j - i), rank = ((double)i + 1 + (double)j) / 2;
		for (size_t k = i; k < j; k++)
			sum += all[k].from_x ? rank : 0;
		*tie_term += t * t * t - t;
		i = j;
	}
	return sum;
}

/* P(U >= u) under the null for sample sizes n1, n2: count the
 * arrangements by u with the recurrence f(i, j, u) = f(i-1, j, u-j) +
 * f(i, j-1, u), one row of j at a time. */
static double exact_sf(size_t n1, size_t n2, double u)
{
	size_t max_u = n1 * n2;
	double *f = calloc((n1 + 1) * (n2 + 1) * (max_u + 1), sizeof(double));
	double total = 0, tail = 0;
#define F(i, j, k) f[((i) * (n2 + 1) + (j)) * (max_u + 1) + (k)]

	if (!f)
		return NAN;
	for (size_t i = 0; i <= n1; i++)
		for (size_t j = 0; j <= n2; j++)
			for (size_t k = 0; k <= i * j; k++) {
				if (i == 0 || j == 0)
					F(i, j, k) = k == 0;
				else
					F(i, j, k) = (k >= j ? F(i - 1, j, k - j) : 0) + F(i, j - 1, k);
			}
	for (size_t k = 0; k <= max_u; k++) {
		total += F(n1, n2, k);
		tail += (double)k >= u ? F(n1, n2, k) : 0;
	}
#undef F
	free(f);
	return tail / total;
}

int fb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct fb_utest *out)
{
	size_t n = nx + ny;
	struct ranked *all = malloc(n * sizeof(*all));
	double tie_term;

	memset(out, 0, sizeof(*out));
	if (!nx || !ny || !all) {
		free(all);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		all[i] = (struct ranked){ i < nx ? x[i] : y[i - nx], i < nx };
	double r1 = rank_sum_x(all, n, &tie_term);
	free(all);
	out->u1 = r1 - (double)nx * ((double)nx + 1) / 2;
	double u = fmax(out->u1, (double)(nx * ny) - out->u1);
	out->exact = (nx <= 8 || ny <= 8) && tie_term == 0;
	if (out->exact && nx * ny > 8 * 4096)
		return -1;   /* the counting table would not fit in memory */
	if (out->exact) {
		out->p = 2 * exact_sf(nx, ny, u);
	} else {
		double mu = (double)(nx * ny) / 2;
		double s = sqrt((double)(nx * ny) / 12 * ((double)n + 1 - tie_term / ((double)n * ((double)n - 1))));
		out->p = s > 0 ? erfc((u - mu - 0.5) / s / sqrt(2)) : 1;   /* 2 * normal sf(z) */
	}
	out->p = fmin(fmax(out->p, 0), 1);
	return 0;
}
