/* comparable.c - the conditions of two runs side by side (see comparable.h). */
#include "comparable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "manifest.h"

/* Each row: what the condition is, where the manifest keeps it, whether
 * a difference means another machine, and whether it moves the bare fork
 * and vfork loops' level (the machine-speed index drift.c reads): the
 * machine's rows and where the loops ran, not what else the run measured. Memory is compared in whole GiB: a
 * few MiB of MemTotal move with kernel reservations, not with the machine. */
static const struct condition {
	const char *label;
	const char *path[4];   /* keys from the manifest's root */
	int machine;
	int speed;
	int as_gib;
} conditions[] = {
	{ .label = "CPU model", .path = { "environment", "cpu", "model" }, .machine = 1, .speed = 1 },
	{ .label = "cores online", .path = { "environment", "cpu", "cores_online" }, .machine = 1, .speed = 1 },
	{ .label = "hypervisor", .path = { "environment", "cpu", "hypervisor" }, .machine = 1, .speed = 1 },
	{ .label = "kernel", .path = { "environment", "versions", "kernel" }, .machine = 1, .speed = 1 },
	{ .label = "architecture", .path = { "environment", "versions", "machine" }, .machine = 1, .speed = 1 },
	{ .label = "memory (GiB)", .path = { "environment", "limits", "mem_total_kib" }, .machine = 1, .speed = 1, .as_gib = 1 },
	{ .label = "THP enabled", .path = { "environment", "kernel_settings", "thp_enabled" } },
	{ .label = "THP defrag", .path = { "environment", "kernel_settings", "thp_defrag" } },
	{ .label = "glibc", .path = { "environment", "versions", "glibc" } },
	{ .label = "page modes", .path = { "config", "modes" } },
	{ .label = "profile", .path = { "config", "profile" } },
	{ .label = "repetitions", .path = { "config", "repetitions" } },
	{ .label = "sizes (MiB)", .path = { "config", "sizes_mib" } },
	{ .label = "placement", .path = { "config", "placement" }, .speed = 1 },
	{ .label = "CPUs used", .path = { "config", "cpus" }, .speed = 1 },
	{ .label = "family limits", .path = { "config", "family_max_mib" } },
	{ .label = "axis sweep", .path = { "config", "sweep" } },
	{ .label = "minimum time (s)", .path = { "config", "min_time_s" } },
};

/* A condition's value as text: "-" when the manifest does not hold it. */
static void value_text(const json_t *manifest, const struct condition *c, char *buf, size_t len)
{
	const json_t *v = manifest;

	char text[128];

	for (size_t i = 0; i < 4 && c->path[i] && v; i++)
		v = json_object_get(v, c->path[i]);
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
		d->label = conditions[i].label;
		d->machine = conditions[i].machine;
		out->machine += d->machine;
		out->speed += conditions[i].speed;
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
