/* test_phases_out.c - where the time goes, rendered (render/phases_out.c)
 * from phases and a judgement filled in by hand (a fork, a vfork, a COW
 * case and a case the trace did not cut): the end-of-run text (one line
 * per case naming its largest phase, the failed checks, the readings; the
 * one line when tracing did not run), the report section in Markdown and
 * HTML, plots/phases.dat with its figures worked out here, the plot drawn
 * without a gnuplot warning, and the checks' JSON. The plot needs
 * plots/phases.gp beside the binary (fb_plot_render looks in
 * <binary>/../plots), so the section is rendered by a copy of this binary
 * ("test_phases_out section DIR") placed beside a link to plots/, as
 * test_matrix does. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "files.h"
#include "phases_out.h"
#include "testutil.h"

/* Figures of spawn/fork and spawn/vfork at 0 MiB and cow/child_write_all at
 * 1 MiB as this machine traced them (median and p90 us). */
struct phase_row {
	enum fb_mark from, to;
	double median_us, p90_us;
	double child_cow, child_exec, parent_cow;
};

static const struct phase_row fork_rows[] = {
	{ FB_MARK_ENTER, FB_MARK_CREATED, 103, 123.5, 0, 0, 0 },
	{ FB_MARK_CREATED, FB_MARK_PARENT_BACK, 3, 3.3, 0, 0, 0 },
	{ FB_MARK_PARENT_BACK, FB_MARK_WAIT, 45, 53.9, 0, 0, 2 },
	{ FB_MARK_WAIT, FB_MARK_FIRST_RUN, 2, 2, 0, 0, 0 },
	{ FB_MARK_FIRST_RUN, FB_MARK_CHILD_BACK, 44.5, 57.2, 0, 0, 0 },
	{ FB_MARK_CHILD_BACK, FB_MARK_EXIT, 120, 163.2, 3, 2.25, 0 },
	{ FB_MARK_EXIT, FB_MARK_EXITED, 2, 3, 0, 0, 0 },
	{ FB_MARK_EXITED, FB_MARK_GONE, 87, 108.6, 0, 0, 0 },
	{ FB_MARK_GONE, FB_MARK_REAPED, 13, 14, 0, 0, 0 },
};

/* vfork's parent sleeps until the child exits: parent_resumes. */
static const struct phase_row vfork_rows[] = {
	{ FB_MARK_ENTER, FB_MARK_CREATED, 5, 7, 0, 0, 0 },
	{ FB_MARK_CREATED, FB_MARK_FIRST_RUN, 2, 2.5, 0, 0, 0 },
	{ FB_MARK_FIRST_RUN, FB_MARK_CHILD_BACK, 0, 1, 0, 0, 0 },
	{ FB_MARK_CHILD_BACK, FB_MARK_EXIT, 2, 2, 0, 0, 0 },
	{ FB_MARK_EXIT, FB_MARK_EXITED, 1, 2, 0, 0, 0 },
	{ FB_MARK_EXITED, FB_MARK_PARENT_BACK, 8, 8, 0, 0, 0 },
	{ FB_MARK_PARENT_BACK, FB_MARK_WAIT, 2, 2, 0, 0, 0 },
	{ FB_MARK_WAIT, FB_MARK_GONE, 5, 5, 0, 0, 0 },
	{ FB_MARK_GONE, FB_MARK_REAPED, 1, 1, 0, 0, 0 },
};

static const struct phase_row cow_rows[] = {
	{ FB_MARK_ENTER, FB_MARK_CREATED, 144, 180.1, 0, 0, 0 },
	{ FB_MARK_CREATED, FB_MARK_PARENT_BACK, 4, 6.3, 0, 0, 0 },
	{ FB_MARK_PARENT_BACK, FB_MARK_WAIT, 153, 179.3, 0, 0, 6 },
	{ FB_MARK_WAIT, FB_MARK_FIRST_RUN, 2, 3, 0, 0, 0 },
	{ FB_MARK_FIRST_RUN, FB_MARK_CHILD_BACK, 69.5, 95.6, 0, 0, 0 },
	{ FB_MARK_CHILD_BACK, FB_MARK_EXIT, 4225.5, 4371.1, 264, 9, 0 },
	{ FB_MARK_EXIT, FB_MARK_EXITED, 4, 5, 0, 0, 0 },
	{ FB_MARK_EXITED, FB_MARK_GONE, 139, 170.8, 0, 0, 0 },
	{ FB_MARK_GONE, FB_MARK_REAPED, 17, 20.3, 0, 0, 0 },
};

#define NROWS(a) (sizeof(a) / sizeof(a[0]))

static void fill_bench(struct fb_phase_bench *b, const char *name, const struct phase_row *rows, size_t n,
		       double span_us, double traced_us, double untraced_us, double events)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	fb_key_parse(name, &b->key);
	b->ran = b->complete = b->on_path = 48;
	b->span_us = span_us, b->traced_us = traced_us, b->untraced_us = untraced_us, b->events = events;
	b->nphases = n;
	for (size_t i = 0; i < n; i++) {
		struct fb_phase *ph = &b->phases[i];
		ph->from = rows[i].from, ph->to = rows[i].to;
		ph->median_us = rows[i].median_us, ph->p90_us = rows[i].p90_us;
		ph->faults[FB_TASK_CHILD][FB_FAULT_COW] = rows[i].child_cow;
		ph->faults[FB_TASK_CHILD][FB_FAULT_EXEC] = rows[i].child_exec;
		ph->faults[FB_TASK_PARENT][FB_FAULT_COW] = rows[i].parent_cow;
	}
}

static struct fb_phase_bench benches[4];
static struct fb_phase_verdict items[4];
static struct fb_phases phases;
static struct fb_phase_judgement judgement;

static const char *const reading_q0 = "Why does fork take longer than vfork?";
static const char *const reading_a0 = "fork copies the parent's page tables (copy 103.0 us against vfork's 5.0 us) "
				      "and its child runs on copies of them.";
static const char *const reading_q1 = "Where does a COW case spend its time";
static const char *const reading_a1 = "In its child (child_run 4225.5 us of 4763.5 us), which takes 264 COW faults "
				      "per round trip: one per page it writes, each a page copied by the kernel "
				      "while the parent waits in wait4.";

/* The fixtures: the checks and readings are set by hand, not judged. */
static void fill(void)
{
	fill_bench(&benches[0], "spawn/fork/mem_mib:0/mode:4k", fork_rows, NROWS(fork_rows), 431.5, 452.4, 423.3, 17.27);
	fill_bench(&benches[1], "spawn/vfork/mem_mib:0/mode:4k", vfork_rows, NROWS(vfork_rows), 26, 27.5, 23.9, 11.9);
	fill_bench(&benches[2], "cow/child_write_all/mem_mib:1/mode:4k", cow_rows, NROWS(cow_rows), 4763.5, 3285.8,
		   3224.8, 292.8);
	fill_bench(&benches[3], "spawn/clone3/mem_mib:0/mode:4k", NULL, 0, NAN, 424.9, 385.2, NAN);
	snprintf(benches[3].error, sizeof(benches[3].error), "no round trip complete in the trace");
	benches[3].complete = benches[3].on_path = 0;
	phases = (struct fb_phases){ .allowed = 1, .faults_traced = 1, .benches = benches, .count = 4 };

	items[0] = (struct fb_phase_verdict){ .bench = &benches[0], .sum = FB_AGREE, .span_ratio = 0.954,
					      .overhead = FB_AGREE, .overhead_ratio = 1.069, .faults = FB_UNCHECKED,
					      .faults_traced = NAN, .faults_counted = NAN, .largest = 5 };
	items[1] = (struct fb_phase_verdict){ .bench = &benches[1], .sum = FB_AGREE, .span_ratio = 0.945,
					      .overhead = FB_DISAGREE, .overhead_ratio = 1.15, .faults = FB_UNCHECKED,
					      .faults_traced = NAN, .faults_counted = NAN, .largest = 5 };
	items[2] = (struct fb_phase_verdict){ .bench = &benches[2], .sum = FB_UNCHECKED, .span_ratio = 1.45,
					      .overhead = FB_AGREE, .overhead_ratio = 1.019, .faults = FB_DISAGREE,
					      .faults_traced = 264, .faults_counted = 240, .largest = 5,
					      .note = "the case's figure is its child's writes, not the round trip" };
	items[3] = (struct fb_phase_verdict){ .bench = &benches[3], .sum = FB_UNCHECKED, .span_ratio = NAN,
					      .overhead = FB_UNCHECKED, .overhead_ratio = NAN, .faults = FB_UNCHECKED,
					      .faults_traced = NAN, .faults_counted = NAN, .note = "nothing traced" };
	judgement = (struct fb_phase_judgement){ .items = items, .count = 4, .overhead_above = 1, .faults_off = 1 };
	judgement.readings[0].question = reading_q0;
	snprintf(judgement.readings[0].answer, sizeof(judgement.readings[0].answer), "%s", reading_a0);
	judgement.readings[1].question = reading_q1;
	snprintf(judgement.readings[1].answer, sizeof(judgement.readings[1].answer), "%s", reading_a1);
	judgement.readings[2].question = "Does the parent's memory matter?";   /* answer "": not in this run */
}


/* The line of text that starts with prefix, copied into buf ("" if none);
 * the number of such lines. */
static int line_starting(const char *text, const char *prefix, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	for (const char *at = text; at && *at; at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL)
		if (strncmp(at, prefix, strlen(prefix)) == 0 && n++ == 0)
			snprintf(buf, len, "%.*s", (int)strcspn(at, "\n"), at);
	return n;
}

static void check_terminal_cases(const char *text)
{
	char fork_line[512], vfork_line[512], cow_line[512], clone_line[512];
	int nfork = line_starting(text, "  spawn/fork/mem_mib:0/mode:4k ", fork_line, sizeof(fork_line));
	int nvfork = line_starting(text, "  spawn/vfork/mem_mib:0/mode:4k ", vfork_line, sizeof(vfork_line));
	int ncow = line_starting(text, "  cow/child_write_all/mem_mib:1/mode:4k ", cow_line, sizeof(cow_line));
	int nclone = line_starting(text, "  spawn/clone3/mem_mib:0/mode:4k ", clone_line, sizeof(clone_line));

	CHECK(strstr(text, "where the time goes (kernel tracepoints, 4 cases traced"), "terminal: the heading counts "
	      "the cases", "got:\n%s", text);
	CHECK(nfork == 1 && nvfork == 1 && ncow == 1 && nclone == 1, "terminal: one line per traced case",
	      "fork %d, vfork %d, cow %d, clone3 %d lines:\n%s", nfork, nvfork, ncow, nclone, text);
	/* 120/431.5 = 27.8%, 8/26 = 30.8%, 4225.5/4763.5 = 88.7% */
	CHECK(strstr(fork_line, "431.5 us traced") && strstr(fork_line, "largest child_run") &&
	      strstr(fork_line, " 120.0 us (28%)") && strstr(fork_line, "overhead 1.07x"),
	      "terminal: fork's line names child_run, 120.0 us, 28% of 431.5 us, overhead 1.07x", "got: %s", fork_line);
	CHECK(strstr(vfork_line, "largest parent_resumes") && strstr(vfork_line, " 8.0 us (31%)") &&
	      strstr(vfork_line, "overhead 1.15x (above target)"),
	      "terminal: vfork's line names parent_resumes, 8.0 us, 31%, its overhead above target", "got: %s",
	      vfork_line);
	CHECK(strstr(cow_line, "largest child_run") && strstr(cow_line, "4225.5 us (89%)"),
	      "terminal: the COW case's line names child_run, 4225.5 us, 89%", "got: %s", cow_line);
	CHECK(strstr(clone_line, "no round trip complete in the trace"), "terminal: a case without phases says why",
	      "got: %s", clone_line);
	const char *a = strstr(fork_line, "largest"), *b = strstr(vfork_line, "largest"), *c = strstr(cow_line, "largest");
	CHECK(a && b && c && a - fork_line == b - vfork_line && a - fork_line == c - cow_line,
	      "terminal: the case lines are aligned", "\n%s\n%s\n%s", fork_line, vfork_line, cow_line);
}

static void check_terminal(void)
{
	struct captured c;
	char line[512];

	fb_phases_print(&phases, &judgement, capture(&c));
	const char *text = captured(&c);
	check_terminal_cases(text);
	CHECK(line_starting(text, "  overhead above target: spawn/vfork/mem_mib:0/mode:4k: traced batches 1.15x", line,
			    sizeof(line)) == 1 && strstr(line, "target 1.10x"),
	      "terminal: the overhead above target on a line of its own", "got:\n%s", text);
	CHECK(line_starting(text, "  faults off: cow/child_write_all/mem_mib:1/mode:4k: 264.0 child COW faults", line,
			    sizeof(line)) == 1 && strstr(line, "240.0 counted"),
	      "terminal: the fault count that is off, both figures", "got:\n%s", text);
	CHECK(!strstr(text, "sum off"), "terminal: no sum line where every sum agrees", "got:\n%s", text);
	CHECK(strstr(text, "  Why does fork take longer than vfork? fork copies the parent's page tables") &&
	      strstr(text, "Where does a COW case spend its time: In its child") &&
	      !strstr(text, "Does the parent's memory matter"),
	      "terminal: each reading answered, after its question; one without an answer left out", "got:\n%s", text);
	int longest = 0;
	for (const char *at = text; *at; at += strcspn(at, "\n") + (at[strcspn(at, "\n")] != '\0'))
		if (strncmp(at, "  Where does", 12) == 0 || strncmp(at, "    ", 4) == 0)
			longest = (int)strcspn(at, "\n") > longest ? (int)strcspn(at, "\n") : longest;
	CHECK(longest > 0 && longest <= 100, "terminal: a long answer wrapped within 100 columns",
	      "longest %d:\n%s", longest, text);
	free(c.text);
}

static void check_not_allowed(void)
{
	struct fb_phases off = { 0 };
	struct captured c;
	const char *why = "tracefs is not mounted and cannot be (not root)";

	snprintf(off.why, sizeof(off.why), "%s", why);
	fb_phases_print(&off, NULL, capture(&c));
	CHECK(strcmp(captured(&c), "\nphases: not traced: tracefs is not mounted and cannot be (not root)\n") == 0,
	      "terminal: not traced is one line with the why", "got: [%s]", c.text);
	free(c.text);

	struct fb_doc doc;
	fb_doc_init(&doc);
	fb_phases_section(&doc, "/nonexistent", &off, NULL);
	fb_doc_write_md(&doc, capture(&c));
	const char *md = captured(&c);
	CHECK(strstr(md, "## Where the time goes (kernel tracepoints)\n") &&
	      strstr(md, "Not traced: tracefs is not mounted and cannot be (not root). "
			 "The rest of the run is unchanged.") &&
	      !strstr(md, "### Checks") && !strstr(md, "![") && !strstr(md, "### Phases"),
	      "section: not traced says why, and no checks, plot or phases", "got:\n%s", md);
	free(c.text);
	fb_doc_free(&doc);
}

/* --- the section, rendered by the driver ---------------------------------- */

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-phases-out-XXXXXX";
static char driver[PATH_MAX + 32];

/* A copy of this executable in tmp/bin with tmp/plots -> the source's
 * plots/ (fb_plot_render finds phases.gp there). 0, or -1. */
static int make_driver(void)
{
	char plots[PATH_MAX + 16], real[PATH_MAX], link_path[PATH_MAX + 16], bin[PATH_MAX + 8];
	char cmd[4 * PATH_MAX];

	snprintf(plots, sizeof(plots), "%s/../plots", build);
	snprintf(link_path, sizeof(link_path), "%s/plots", tmp);
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	if (!realpath(plots, real) || symlink(real, link_path) || mkdir(bin, 0755))
		return -1;
	snprintf(driver, sizeof(driver), "%s/test_phases_out", bin);
	snprintf(cmd, sizeof(cmd), "cp /proc/%d/exe '%s'", (int)getpid(), driver);
	return system(cmd) == 0 ? 0 : -1;
}

/* The driver's work: the section into dir/section.md and .html. */
static int render_section(const char *dir)
{
	struct fb_doc doc;
	char err[PATH_MAX + 128];

	fill();
	fb_doc_init(&doc);
	fb_phases_section(&doc, dir, &phases, &judgement);
	int e = fb_doc_write_files(&doc, dir, "section", "phases", err, sizeof(err));
	if (e)
		fprintf(stderr, "%s\n", err);
	fb_doc_free(&doc);
	return e ? 1 : 0;
}

static int has(const char *text, const char *want)
{
	return strstr(text, want) != NULL;
}

static void check_section_md(const char *md)
{
	const char *finding = strstr(md, "Why does fork take longer than vfork? fork copies");
	const char *method = strstr(md, "How it was measured");

	CHECK(has(md, "## Where the time goes (kernel tracepoints)\n") && finding && method && finding < method,
	      "section: the heading, the readings before how it was measured", "got:\n%s", md);
	CHECK(has(md, "| mark | tracepoint |\n") && has(md, "| created | task:task_newtask |\n") &&
	      has(md, "| reaped | syscalls:sys_exit_wait4 (parent) |\n"), "section: a mark per tracepoint",
	      "got:\n%s", md);
	CHECK(has(md, "| spawn/fork/mem_mib:0/mode:4k | 452.4 | 423.3 | 1.07x | 431.5 | 0.954, agree | - | 17.3 | "
		      "48 / 48 |  |\n"),
	      "section: fork's checks row with the hand-filled figures", "got:\n%s", md);
	CHECK(has(md, "| spawn/vfork/mem_mib:0/mode:4k | 27.5 | 23.9 | 1.15x, above target 1.10 | 26.0 | 0.945, agree |"),
	      "section: vfork's overhead above target 1.10", "got:\n%s", md);
	CHECK(has(md, "| cow/child_write_all/mem_mib:1/mode:4k | 3285.8 | 3224.8 | 1.02x | 4763.5 | 1.450 | "
		      "264.0 vs 240.0 counted, disagree | 292.8 | 48 / 48 | the case's figure is its child's writes, "
		      "not the round trip |\n"),
	      "section: the COW case's unchecked sum, its faults off and the note", "got:\n%s", md);
	CHECK(has(md, "| spawn/clone3/mem_mib:0/mode:4k | 424.9 | 385.2 | - | - | - | - | - | 0 / 48 | "
		      "no round trip complete in the trace |\n"),
	      "section: a case without phases, its error in the note", "got:\n%s", md);
	/* shares of the span: 103/431.5 = 23.9%, 120/431.5 = 27.8%, 8/26 = 30.8% */
	CHECK(has(md, "| spawn/fork/mem_mib:0/mode:4k | copy | enter -> created | 103.0 | 123.5 | 24 | none |\n") &&
	      has(md, "|  | parent_to_wait | parent_back -> wait | 45.0 | 53.9 | 10 | parent: 2 cow |\n") &&
	      has(md, "|  | child_run | child_back -> exit | 120.0 | 163.2 | 28 | child: 3 cow, 2.25 exec |\n"),
	      "section: fork's phases: marks, median, p90, share, faults by task and kind", "got:\n%s", md);
	CHECK(has(md, "|  | parent_resumes | exited -> parent_back | 8.0 | 8.0 | 31 | none |\n") &&
	      has(md, "|  | exit_teardown | wait -> gone | 5.0 | 5.0 | 19 | none |\n"),
	      "section: vfork's own phases", "got:\n%s", md);
}

/* Lines of dat between the header starting with header and the next blank line. */
static int dat_block(const char *dat, const char *header, const char *const *want, int nwant, char *why, size_t len)
{
	const char *at = strstr(dat, header);
	int n = 0;

	if (!at)
		return snprintf(why, len, "no block %s", header), 0;
	at += strcspn(at, "\n") + 1;
	for (; *at && *at != '\n'; at += strcspn(at, "\n") + 1, n++) {
		int l = (int)strcspn(at, "\n");
		if (n >= nwant || (int)strlen(want[n]) != l || strncmp(at, want[n], (size_t)l))
			return snprintf(why, len, "line %d: %.*s, wanted %s", n, l, at, n < nwant ? want[n] : "none"), 0;
	}
	return n == nwant ? 1 : (snprintf(why, len, "%d lines, wanted %d", n, nwant), 0);
}

/* Worked out by hand: fork's phases add up to 419.5 us, child_run runs
 * from 103+3+45+2+44.5 = 197.5 to 317.5 us: 47.080% to 75.685%. vfork's
 * 26 us, parent_resumes from 10 to 18 us: 38.462% to 69.231%; its
 * child_wait is the 10th name seen, parent_resumes the 11th. */
static void check_dat(const char *dat)
{
	static const char *const bars[] = {
		"0 \"fork 0 MiB 4k\" 431.500", "1 \"vfork 0 MiB 4k\" 26.000", "2 \"child_write_all 1 MiB 4k\" 4763.500",
	};
	char why[512];

	CHECK(dat_block(dat, "# bar label span_us", bars, 3, why, sizeof(why)),
	      "phases.dat: one bar per case with phases, short labels, the span", "%s:\n%s", why, dat);
	CHECK(has(dat, "\n0 6 child_run 197.500 317.500 47.080 75.685\n") &&
	      has(dat, "\n0 9 reap 406.500 419.500 96.901 100.000\n"),
	      "phases.dat: fork's child_run and last phase at the figures worked out by hand", "got:\n%s", dat);
	CHECK(has(dat, "\n1 10 child_wait 5.000 7.000 19.231 26.923\n") &&
	      has(dat, "\n1 11 parent_resumes 10.000 18.000 38.462 69.231\n") &&
	      has(dat, "\n1 8 exit_teardown 20.000 25.000 76.923 96.154\n"),
	      "phases.dat: vfork's phases, a name seen before keeps its colour", "got:\n%s", dat);
	CHECK(!has(dat, "clone3"), "phases.dat: the case without phases has no bar", "got:\n%s", dat);
}

static void check_plot(const char *dir, const char *md)
{
	char path[PATH_MAX + 64];
	struct stat st;
	int svg, png;

	if (run_command((const char *const[]){ "gnuplot", "--version", NULL }, NULL, NULL) != 0) {
		SKIP("the plot drawn, in the section, no gnuplot warning", "gnuplot is not installed");
		return;
	}
	snprintf(path, sizeof(path), "%s/plots/phases.svg", dir);
	svg = stat(path, &st) == 0 && st.st_size > 1000;
	snprintf(path, sizeof(path), "%s/plots/phases.png", dir);
	png = stat(path, &st) == 0 && st.st_size > 1000;
	CHECK(svg && png && has(md, "](plots/phases.png)"), "the plot drawn as SVG and PNG, its image in the section",
	      "svg %d png %d:\n%s", svg, png, md);
	snprintf(path, sizeof(path), "%s/plots/gnuplot.log", dir);
	char *log = fb_slurp(path, 1 << 16);
	CHECK(log && !log[0], "gnuplot printed no warning", "plots/gnuplot.log: %s", log ? log : "(unreadable)");
	free(log);
	snprintf(path, sizeof(path), "%s/plots/phases.svg", dir);
	char *svg_text = fb_slurp(path, 1 << 22);
	CHECK(svg_text && has(svg_text, "fork 0 MiB 4k") && has(svg_text, "parent_resumes") && has(svg_text, "431.5 us"),
	      "the plot labels its bars, its phases and the spans", "svg %s", svg_text ? "without them" : "unreadable");
	free(svg_text);
}

static void check_section(void)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s/run", tmp);
	if (make_driver() || mkdir(dir, 0755)) {
		BROKEN("a copy of this binary beside plots/", "%s: %s", driver, strerror(errno));
		return;
	}
	int rc = run_command((const char *const[]){ driver, "section", dir, NULL }, NULL, NULL);
	snprintf(path, sizeof(path), "%s/section.md", dir);
	char *md = fb_slurp(path, 1 << 20);
	snprintf(path, sizeof(path), "%s/plots/phases.dat", dir);
	char *dat = fb_slurp(path, 1 << 20);
	if (rc != 0 || !md || !md[0]) {
		BROKEN("the section rendered", "driver exit %d", rc);
	} else {
		check_section_md(md);
		check_dat(dat ? dat : "");
		check_plot(dir, md);
	}
	free(md);
	free(dat);
}

/* --- JSON ------------------------------------------------------------------ */

static int str_is(json_t *o, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && strcmp(s, want) == 0;
}

static int num_is(json_t *o, const char *key, double want)
{
	json_t *v = json_object_get(o, key);
	return json_is_real(v) && fabs(json_real_value(v) - want) < 1e-9;
}

static void check_json(void)
{
	json_t *j = fb_phase_judgement_json(&judgement);
	json_t *checks = json_object_get(j, "checks"), *readings = json_object_get(j, "readings");
	json_t *fork = json_array_get(checks, 0), *vfork = json_array_get(checks, 1);
	json_t *cow = json_array_get(checks, 2), *clone = json_array_get(checks, 3);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	CHECK(j && json_array_size(checks) == 4 && json_array_size(readings) == 3,
	      "JSON: a check per benchmark, the three readings", "got %s", text ? text : "NULL");
	CHECK(str_is(fork, "name", "spawn/fork/mem_mib:0/mode:4k") && str_is(fork, "sum", "agree") &&
	      num_is(fork, "span_ratio", 0.954) && str_is(fork, "overhead", "within target") &&
	      num_is(fork, "overhead_ratio", 1.069) && str_is(fork, "faults", "unchecked") &&
	      json_is_null(json_object_get(fork, "faults_traced")) && str_is(fork, "largest_phase", "child_run") &&
	      str_is(fork, "note", ""),
	      "JSON: fork's check, its fault figures null", "got %s", text ? text : "NULL");
	CHECK(str_is(vfork, "overhead", "above target") && num_is(vfork, "overhead_ratio", 1.15) &&
	      str_is(vfork, "largest_phase", "parent_resumes"), "JSON: vfork's overhead above target",
	      "got %s", text ? text : "NULL");
	CHECK(str_is(cow, "sum", "unchecked") && str_is(cow, "faults", "disagree") && num_is(cow, "faults_traced", 264) &&
	      num_is(cow, "faults_counted", 240) && str_is(cow, "note", items[2].note),
	      "JSON: the COW case's faults and note", "got %s", text ? text : "NULL");
	CHECK(json_is_null(json_object_get(clone, "span_ratio")) &&
	      json_is_null(json_object_get(clone, "overhead_ratio")) &&
	      json_is_null(json_object_get(clone, "largest_phase")),
	      "JSON: a case without phases: NaN figures and its largest phase null", "got %s", text ? text : "NULL");
	json_t *r0 = json_array_get(readings, 0), *r2 = json_array_get(readings, 2);
	CHECK(str_is(r0, "question", reading_q0) && str_is(r0, "answer", reading_a0) &&
	      json_is_null(json_object_get(r2, "answer")), "JSON: the readings, an answer the run lacks null",
	      "got %s", text ? text : "NULL");
	free(text);
	json_decref(j);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "section") == 0)
		return render_section(argv[2]);
	if (!realpath("/proc/self/exe", self)) {
		BROKEN("this binary's path", "%s", strerror(errno));
		return check_done();
	}
	snprintf(build, sizeof(build), "%s", dirname(dirname(self)));   /* build/tests/x -> build */
	fill();
	check_terminal();
	check_not_allowed();
	check_json();
	if (!mkdtemp(tmp))
		BROKEN("a temporary folder", "mkdtemp %s: %s", tmp, strerror(errno));
	else
		check_section();
	if (tmp[strlen(tmp) - 1] != 'X')
		fb_remove_tree(tmp);
	check_min_ran(20);
	return check_done();
}
