/* test_grade_decide.c - a measurement test's verdict from its rounds
 * (grade/grade_decide.c) on figures worked out by hand: a pass, a fail,
 * another round, undecided on a noisy reference (one recorded beside two
 * CPU hogs too), a fail for a program whose figures scatter while the
 * reference holds steady; and the ABBA order of the rounds. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "grade.h"

static const struct fb_grade_rounds rules = { .min_rounds = 3, .fail_rounds = 5, .max_rounds = 9, .max_s = 30 };

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) + 1);
}

/* Three rounds at ratios 1.1, 0.9, 1.0 (program 110, 90, 100 against a
 * reference of 100 each time): the median interval of 3 rounds is min..max
 * = [0.9, 1.1], inside [0.2, 5]; spreads: ratio quartiles (type 7) 0.95
 * and 1.05 -> 1.105x, below the floor of 2: pass. */
static void check_pass(void)
{
	double mine[] = { 110, 90, 100 }, ref[] = { 100, 100, 100 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 3, 0.2, 5, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_PASS && near(d.ratio_median, 1.0) && near(d.ratio_lo, 0.9) && near(d.ratio_hi, 1.1),
	      "3 agreeing rounds inside the band pass", "verdict %d, ratio %g [%g, %g]", d.verdict, d.ratio_median,
	      d.ratio_lo, d.ratio_hi);
	CHECK(near(d.ratio_spread, 1.05 / 0.95) && near(d.ref_spread, 1) && !d.noisy,
	      "spreads are upper over lower quartile", "ratio spread %g, reference spread %g", d.ratio_spread,
	      d.ref_spread);
	fb_grade_decide(mine, ref, 2, 0.2, 5, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_MORE, "2 rounds are fewer than min: another round", "verdict %d", d.verdict);
}

/* A figure in ns where us are asked: ratios 1000 1000 1000 1020 980.
 * 3 rounds are below fail_min 5: another round; 5 rounds, their median's
 * interval min..max = [980, 1020] wholly outside [0.1, 10]: fail. */
static void check_fail(void)
{
	double mine[] = { 25000, 26000, 24000, 25500, 24500 }, ref[] = { 25, 26, 24, 25, 25 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 3, 0.1, 10, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_MORE, "3 rounds outside the band: not yet a fail", "verdict %d", d.verdict);
	fb_grade_decide(mine, ref, 5, 0.1, 10, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_FAIL && near(d.ratio_lo, 980), "5 rounds wholly outside the band fail",
	      "verdict %d, interval [%g, %g]", d.verdict, d.ratio_lo, d.ratio_hi);
}

/* A correct program on a busy machine: the reference swings 3.6x between
 * rounds (25 .. 90 us), the program as much, not in step. Ratios sorted:
 * 0.3125 0.5 0.5 0.5 0.5556 1.8 1.8 2 3.2; with 9 rounds the median's
 * interval is x(2)..x(8) = [0.5, 2], which straddles the lower edge of
 * [0.6, 2]. Reference sorted 25 25 25 40 45 50 80 90 90: quartiles (type 7:
 * x(3), x(7)) 25 and 80 -> 3.2x, range 3.6x: noisy. Not final: another
 * round; final: undecided (the quiet ratio, 20 / 25 = 0.8, is inside the
 * band), the points given. */
static void check_undecided(void)
{
	double ref[] = { 25, 90, 40, 80, 25, 50, 90, 45, 25 };
	double mine[] = { 80, 45, 20, 25, 50, 90, 45, 25, 45 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 9, 0.6, 2, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_MORE, "straddling rounds before the last: another round", "verdict %d", d.verdict);
	fb_grade_decide(mine, ref, 9, 0.6, 2, &rules, 1, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_UNDECIDED && d.noisy && near(d.ref_spread, 3.2) && near(d.ratio_lo, 0.5) &&
	      near(d.ratio_hi, 2), "a noisy reference that cannot decide: undecided after the last round",
	      "verdict %d, reference spread %g, interval [%g, %g]", d.verdict, d.ref_spread, d.ratio_lo, d.ratio_hi);
}

/* Figures drawn at random (1-5000 us) against a steady 1500 us fork: the
 * ratios sorted 0.265 0.464 0.8 1.267 1.711 2.039 2.6 2.867 3.137 put the
 * median's interval x(2)..x(8) = [0.464, 2.867] inside [0.2, 5], but they
 * scatter (quartiles 0.8 and 2.6 -> 3.25x) while the reference holds
 * within 1500-1530 (quartiles 1500 and 1520 -> 1.013x, which explains no
 * more than the floor, 2x; range 1.02x, steady): no pass; at the last
 * round, a fail, not undecided. */
static void check_scatter(void)
{
	double ref[] = { 1500, 1510, 1520, 1500, 1530, 1500, 1520, 1510, 1500 };
	double mine[] = { 4300, 700, 2600, 1200, 4800, 1900, 3100, 400, 3900 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 9, 0.2, 5, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_MORE && d.ratio_lo >= 0.2 && d.ratio_hi <= 5,
	      "scattered figures inside the band do not pass", "verdict %d, interval [%g, %g]", d.verdict, d.ratio_lo,
	      d.ratio_hi);
	fb_grade_decide(mine, ref, 9, 0.2, 5, &rules, 1, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_FAIL && !d.noisy && d.ratio_spread > d.spread_allowed,
	      "figures that scatter while the reference holds steady fail", "verdict %d, noisy %d, spread %g of %g",
	      d.verdict, d.noisy, d.ratio_spread, d.spread_allowed);
}

/* Recorded beside two CPU hogs (vfork at 16 MiB, us): forkbench's figure
 * met a hog's time slice in 7 of 9 rounds, the correct program in fewer.
 * Reference sorted 33.76 34.35 2266 2920 3286 3879 4008 4795 6062: range
 * 6062 / 33.76 = 180x, noisy; quiet ratio 29.9 / 33.76 = 0.886. Ratios sorted
 * 0.0130 0.0136 0.0173 0.0175 0.0638 0.0749 0.0980 0.3222 88.75: the
 * interval x(2)..x(8) = [0.0136, 0.3222] straddles 0.1, the lower edge of
 * [0.1, 10]: after the last round, undecided (this program lost its point
 * before the noise was judged from the reference alone). The same rounds
 * with the figure in ns (x1000), the first 5: ratios 12.98 .. 88749, wholly
 * above 10, and the quiet ratio 37900 / 33.76 = 1123 too: a fail, noise or
 * not. */
static void check_recorded_noise(void)
{
	double ref[] = { 6062.2, 34.35, 4794.9, 33.756, 2920.0, 3879.4, 2265.9, 4007.7, 3285.7 };
	double mine[] = { 104.9, 349.4, 1545.1, 2995.8, 37.9, 247.4, 39.6, 29.9, 322.3 }, ns[9];
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 9, 0.1, 10, &rules, 1, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_UNDECIDED && d.noisy, "recorded beside two hogs: a correct program is undecided, "
	      "not failed", "verdict %d, reference spread %g, interval [%g, %g]", d.verdict, d.ref_spread, d.ratio_lo,
	      d.ratio_hi);
	for (size_t i = 0; i < 9; i++)
		ns[i] = mine[i] * 1000;
	fb_grade_decide(ns, ref, 5, 0.1, 10, &rules, 0, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_FAIL, "the same rounds in ns: a fail after 5 rounds, noise or not",
	      "verdict %d, interval [%g, %g]", d.verdict, d.ratio_lo, d.ratio_hi);
}

/* Recorded beside two CPU hogs too: forkbench met a time slice in one
 * round of nine (4490 us), the correct program in four (472-3267 us).
 * Reference quartiles 25.2 and 28.0 (1.11x) would call the machine steady;
 * its range, 4490 / 24.9 = 180x, does not. Ratios sorted 0.0069 0.964 1.08
 * 1.11 1.48 14.6 62.0 101.7 130.7: the interval x(2)..x(8) = [0.964,
 * 101.7] straddles 10; quiet ratio 27 / 24.9 = 1.08: undecided, not the
 * fail it was graded (a lost point) when quartiles judged the machine. */
static void check_recorded_outliers(void)
{
	double mine[] = { 27.0, 28.4, 31.1, 3266.8, 1545.1, 28.4, 2563.3, 472.6, 39.3 };
	double ref[] = { 28.0, 26.3, 4490.5, 25.0, 24.9, 25.6, 25.2, 32.3, 26.5 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 9, 0.1, 10, &rules, 1, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_UNDECIDED && d.noisy && d.ref_spread < 1.25, "one round of the reference in a "
	      "time slice: the machine is noisy though its quartiles held", "verdict %d, range %g, spread %g",
	      d.verdict, d.ref_range, d.ref_spread);
}

/* Recorded beside two CPU hogs with a short reference window: forkbench
 * met no time slice (24-26 us, range 26 / 24 = 1.08x, steady), the correct
 * program met one in 2 rounds of 9 (1010, 997 us). Ratios sorted 0.9615
 * 1.0385 1.04 1.04 1.04 1.0833 1.125 40.4 41.54: x(2)..x(8) = [1.0385,
 * 40.4] straddles 10. Tasks waited for a CPU 55% of the time: noisy, and
 * the quiet ratio 25 / 24 = 1.04 is inside: undecided. The same rounds on
 * a machine at 5%: the program scattered while the reference held: fail. */
static void check_recorded_pressure(void)
{
	double mine[] = { 26, 1010, 997, 27, 25, 26, 26, 27, 26 };
	double ref[] = { 25, 25, 24, 24, 26, 25, 25, 26, 24 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 9, 0.1, 10, &rules, 1, 0.55, &d);
	CHECK(d.verdict == FB_GRADE_UNDECIDED && d.noisy && d.ref_range < 2, "a steady reference on a machine whose "
	      "tasks waited for a CPU 55% of the time: undecided", "verdict %d, range %g", d.verdict, d.ref_range);
	fb_grade_decide(mine, ref, 9, 0.1, 10, &rules, 1, 0.05, &d);
	CHECK(d.verdict == FB_GRADE_FAIL && !d.noisy, "the same rounds at 5%: a fail", "verdict %d", d.verdict);
}

/* Beside two CPU hogs forkbench's vfork met a time slice in every one of
 * 9 rounds (a correct program's 16 MiB vfork graded 9/10 that way, quiet
 * ratio 0.089). Figures in the shape of that grading (us): the program 26-29,
 * the reference 300-1430, range 1430 / 300 = 4.767. Ratios sorted 0.0182
 * 0.0215 0.0284 0.0307 0.0368 0.0452 0.0509 0.0707 0.09: x(2)..x(8) =
 * [0.0215, 0.0707], wholly below 0.1; noisy, and the quiet ratio 26 / 300 =
 * 0.0867 lies inside [0.1 / 4.767, 10 x 4.767] = [0.021, 47.7]: undecided.
 * The same rounds in ns: quiet ratio 86.7, outside: a fail. (A range of 180,
 * as in check_recorded_noise, widens the band 10x at most: its ns rounds,
 * quiet ratio 1123, still fail.) */
static void check_reference_disturbed_throughout(void)
{
	double mine[] = { 27, 26, 28, 27, 29, 26, 27, 28, 27 }, ns[9];
	double ref[] = { 300, 1430, 620, 880, 410, 1210, 530, 760, 950 };
	struct fb_grade_decision d;

	fb_grade_decide(mine, ref, 9, 0.1, 10, &rules, 1, 0.95, &d);
	CHECK(d.verdict == FB_GRADE_UNDECIDED && d.noisy && near(d.quiet_ratio, 26.0 / 300) &&
	      near(d.ref_range, 1430.0 / 300), "a reference disturbed in every round: a correct program is undecided",
	      "verdict %d, quiet ratio %g, range %g, interval [%g, %g]", d.verdict, d.quiet_ratio, d.ref_range,
	      d.ratio_lo, d.ratio_hi);
	for (size_t i = 0; i < 9; i++)
		ns[i] = mine[i] * 1000;
	fb_grade_decide(ns, ref, 9, 0.1, 10, &rules, 1, 0.95, &d);
	CHECK(d.verdict == FB_GRADE_FAIL, "the same rounds in ns: a fail", "verdict %d, quiet ratio %g", d.verdict,
	      d.quiet_ratio);
}

/* ABBA: P R, R P, P R, R P: the program first in even rounds. */
static void check_order(void)
{
	char order[16] = "";
	for (size_t r = 0; r < 4; r++)
		strcat(order, fb_grade_program_first(r) ? "PR" : "RP");
	CHECK(strcmp(order, "PRRPPRRP") == 0, "rounds alternate ABBA", "order %s", order);
}

int main(void)
{
	check_pass();
	check_fail();
	check_undecided();
	check_scatter();
	check_recorded_noise();
	check_recorded_outliers();
	check_recorded_pressure();
	check_reference_disturbed_throughout();
	check_order();
	return check_done();
}
