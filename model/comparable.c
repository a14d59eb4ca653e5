/* comparable.c - the conditions of two runs side by side (see comparable.h). */
#include "comparable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "manifest.h"
#include "run_folder.h"

/* Each row: an environment item (its label and whether a difference
 * means another machine are in fb_env_fields) or a config field, in the
 * order compare lists them. The machine's items move the bare fork and
 * vfork loops' level (the machine-speed index drift.c reads), and so does
 * where the loops ran (speed), not what else the run measured. */
static const struct condition {
	enum fb_env_field env;
	const char *config, *label;   /* a config field and how compare calls it */
	int speed;
	int as_gib;                   /* KiB shown in whole GiB */
} conditions[] = {
	{ .env = FB_ENV_CPU_MODEL },
	{ .env = FB_ENV_CORES },
	{ .env = FB_ENV_HYPERVISOR },
	{ .env = FB_ENV_KERNEL },
	{ .env = FB_ENV_ARCH },
	{ .env = FB_ENV_MEM_TOTAL_KIB, .as_gib = 1 },
	{ .env = FB_ENV_THP_ENABLED },
	{ .env = FB_ENV_THP_DEFRAG },
	{ .env = FB_ENV_GLIBC },
	{ .config = "modes", .label = "page modes" },
	{ .config = "profile", .label = "profile" },
	{ .config = "repetitions", .label = "repetitions" },
	{ .config = "sizes_mib", .label = "sizes (MiB)" },
	{ .config = "placement", .label = "placement", .speed = 1 },
	{ .config = "cpus", .label = "CPUs used", .speed = 1 },
	{ .config = "family_max_mib", .label = "family limits" },
	{ .config = "sweep", .label = "axis sweep" },
	{ .config = "min_time_s", .label = "minimum time (s)" },
};

static int is_machine(const struct condition *c)
{
	return c->env && fb_env_fields[c->env].machine;
}

/* A condition's value as text: "-" when the manifest does not hold it. */
static void value_text(const json_t *manifest, const struct condition *c, char *buf, size_t len)
{
	const json_t *config = json_object_get(manifest, "config");
	const json_t *v = c->env ? fb_run_env(manifest, c->env) : json_object_get(config, c->config);
	char text[128];

	if (json_is_number(v) && c->as_gib) {
		snprintf(buf, len, "%.0f", round(json_number_value(v) / (1 << 20)));
		return;
	}
	const char *shown = fb_manifest_text(v, text, sizeof(text));
	snprintf(buf, len, "%s", shown ? shown : "-");
}

void fb_conditions_compare(const json_t *base, const json_t *new_run, struct fb_conditions_diff *out)
{
	memset(out, 0, sizeof(*out));
	out->known = base && new_run;
	for (size_t i = 0; out->known && i < sizeof(conditions) / sizeof(conditions[0]); i++) {
		struct fb_condition_diff *d = &out->items[out->count];
		value_text(base, &conditions[i], d->base, sizeof(d->base));
		value_text(new_run, &conditions[i], d->new_run, sizeof(d->new_run));
		if (strcmp(d->base, d->new_run) == 0 || out->count == FB_MAX_CONDITION_DIFFS)
			continue;
		d->label = conditions[i].env ? fb_env_label_compare(conditions[i].env) : conditions[i].label;
		d->machine = is_machine(&conditions[i]);
		out->machine += d->machine;
		out->speed += d->machine || conditions[i].speed;
		out->count++;
	}
}

void fb_conditions_machine_text(const struct fb_conditions_diff *d, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->count && used < len; i++)
		if (d->items[i].machine)
			used += (size_t)snprintf(buf + used, len - used, "%s%s '%s' vs '%s'", used ? "; " : "",
						 d->items[i].label, d->items[i].base, d->items[i].new_run);
}
