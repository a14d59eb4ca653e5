/* ratios.c - ratios of medians within one run (see ratios.h). */
#include "ratios.h"

#include <math.h>

#define T(name) FB_KEY0("threads", name)

const struct fb_ratio fb_ratios[] = {
	{ "thread / process: pthread create+join vs fork+exit+wait", T("pthread_create_join"), T("fork_exit_wait") },
	{ "raw clone thread / process", T("clone_thread"), T("fork_exit_wait") },
	{ "user-level / kernel-level: ucontext create+switch+return vs pthread create+join",
	  T("ucontext_create"), T("pthread_create_join") },
	{ "user-level / kernel-level: hand-written context vs pthread create+join", T("bare_create"),
	  T("pthread_create_join") },
	{ "hand-written switch / swapcontext (1000 round trips each)", T("bare_switch"), T("ucontext_switch") },
};
const size_t fb_nratios = sizeof(fb_ratios) / sizeof(fb_ratios[0]);

double fb_ratio_value(const struct fb_results *res, const struct fb_ratio *ratio)
{
	const struct fb_result *num = fb_results_get(res, &ratio->numerator);
	const struct fb_result *den = fb_results_get(res, &ratio->denominator);

	if (!num || !den || num->error || den->error || !num->nreps || !den->nreps)
		return NAN;
	return fb_result_median_ns(num) / fb_result_median_ns(den);
}
