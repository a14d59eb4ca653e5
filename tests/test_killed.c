/* test_killed.c - nothing outlives a killed run: `forkbench run` and
 * `forkbench validate` are SIGKILLed at moments spread over their work (a
 * run of each family, and inside pidfd_kill, switch, storm and shape), the
 * way CI cancels a job or the OOM killer takes the harness, and so is
 * `forkbench grade` while a submission's children sleep; then no living
 * process (state other than Z: pid 1 reaps the zombies about once a
 * second) may remain whose executable is one of this build's binaries or
 * whose arguments name them (hyperfine, perf), whoever its parent is
 * (polled until none is seen several times in a row, at most SETTLE_S).
 * This test is not a subreaper: one would adopt the orphans and hide
 * exactly what it looks for. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "testutil.h"

#define MAX_EARLIER 256

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-killed-XXXXXX";
static pid_t earlier[MAX_EARLIER];   /* this build's processes before the test: not ours */
static size_t nearlier;
static unsigned long long lcg = 20261206;

/* A moment in [lo_ms, hi_ms) from a fixed-seed LCG: spread, and the same
 * moments on every run of the test. */
static long moment_ms(long lo_ms, long hi_ms)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return lo_ms + (long)((lcg >> 33) % (unsigned long long)(hi_ms - lo_ms));
}

/* Does text (len bytes, NUL-separated like /proc/PID/cmdline) name a path
 * inside this build's folder? */
static int names_build(const char *text, size_t len)
{
	size_t blen = strlen(build);

	for (size_t i = 0; i + blen < len; i++)
		if (memcmp(text + i, build, blen) == 0 && text[i + blen] == '/')
			return 1;
	return 0;
}

/* Is pid alive (not a zombie) and one of ours: running one of this build's
 * binaries, or a tool we started that names them in its arguments
 * (hyperfine, perf, the scripts)? A tool that outlived the run would go on
 * starting short-lived helpers that a look at executables alone catches
 * only by luck. */
static int ours_alive(int pid)
{
	char path[64], exe[PATH_MAX], cmdline[4096], state;
	int ppid;

	if (proc_state(pid, &state, &ppid) || state == 'Z')
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (names_build(exe, (size_t)n + 1))
			return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);
	if (fd >= 0)
		close(fd);
	return len > 0 && names_build(cmdline, (size_t)len);
}

static int was_there(int pid)
{
	for (size_t i = 0; i < nearlier; i++)
		if (earlier[i] == pid)
			return 1;
	return 0;
}

/* This build's living processes not there before the test; with record,
 * note them as there before instead. */
static int count_left(int record, char *names, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int left = 0;

	if (names && len)
		names[0] = '\0';
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0 || pid == getpid() || !ours_alive(pid) || was_there(pid))
			continue;
		if (record && nearlier < MAX_EARLIER) {
			earlier[nearlier++] = pid;
			continue;
		}
		left++;
		char comm[64] = "?", path[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		FILE *f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		if (f)
			fclose(f);
		char state = '?';
		int ppid = 0;
		proc_state(pid, &state, &ppid);
		if (names && strlen(names) + 80 < len)
			snprintf(names + strlen(names), len - strlen(names), " %d (%s, state %c, parent %d)", pid, comm,
				 state, ppid);
	}
	if (d)
		closedir(d);
	return left;
}

/* Start argv (output to TMP/out.txt), SIGKILL it after ms, reap it. 0, or
 * -1 when it could not start or had ended before the kill (then the kill
 * tested nothing). */
static int start_and_kill(const char *const argv[], long ms)
{
	char out[PATH_MAX + 16];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	snprintf(out, sizeof(out), "%s/out.txt", tmp);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	int err = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -1;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
	int ended = waitpid(pid, &status, WNOHANG) == pid;
	if (!ended) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return ended ? -1 : 0;
}

static int settle(unsigned uid, int *of_uid, char *names, size_t len);

/* One kill of `forkbench run --filter filter` at a moment in [lo, hi) ms;
 * what is left of this build's processes once they had time to go. */
static void kill_run(const char *what, const char *filter, long lo_ms, long hi_ms)
{
	char bin[PATH_MAX + 16], out[PATH_MAX + 16], name[256], left_names[512];
	long ms = moment_ms(lo_ms, hi_ms);

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	snprintf(out, sizeof(out), "%s/run", tmp);
	const char *argv[] = { bin, "run", "--filter", filter, "--sizes", "0,1", "--modes", "4k", "--repetitions", "3",
			       "--out", out, NULL };
	int killed = start_and_kill(argv, ms), of_uid;
	int left = settle(0, &of_uid, left_names, sizeof(left_names));
	snprintf(name, sizeof(name), "run %s, SIGKILL after %ld ms: nothing of it left alive", what, ms);
	CHECK(killed == 0 && left == 0, name, "%s; %d alive:%s", killed ? "the run had ended before the kill" : "killed",
	      left, left_names);
}

/* The same for `forkbench validate` (its checks fork, wait and time out). */
static void kill_validate(long ms)
{
	char bin[PATH_MAX + 16], name[160], left_names[512];

	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	const char *argv[] = { bin, "validate", NULL };
	int killed = start_and_kill(argv, ms), of_uid;
	int left = settle(0, &of_uid, left_names, sizeof(left_names));
	snprintf(name, sizeof(name), "validate, SIGKILL after %ld ms: nothing of it left alive", ms);
	CHECK(killed == 0 && left == 0, name, "%s; %d alive:%s", killed ? "it had ended before the kill" : "killed",
	      left, left_names);
}

/* Living processes (state other than Z) of real uid uid. */
static int count_uid_alive(unsigned uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int alive = 0;

	while (d && (e = readdir(d))) {
		char path[64], line[128], state;
		unsigned ruid;
		int pid = atoi(e->d_name), ppid;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		FILE *f = pid > 0 ? fopen(path, "r") : NULL;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "Uid: %u", &ruid) == 1) {
				alive += ruid == uid && proc_state(pid, &state, &ppid) == 0 && state != 'Z';
				break;
			}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return alive;
}

/* Wait until nothing of ours (and, with uid, nothing of that uid) is
 * alive in STABLE_POLLS polls in a row, at most SETTLE_S: death signals and
 * pipes end a run's helpers at once, but the grader's watcher sweeping a
 * fork bomb beside two CPU hogs took more than a second, and a helper that
 * was being started when the run died may still come and go after a first
 * empty look. A leak outlives any deadline; the deadline only bounds the
 * test, it asserts no speed. The counts of the last look. */
#define SETTLE_S 30
#define STABLE_POLLS 5

static int settle(unsigned uid, int *of_uid, char *names, size_t len)
{
	int left = 0, empty = 0;

	for (int tenth = 0; tenth < SETTLE_S * 10 && empty < STABLE_POLLS; tenth++) {
		if (tenth)
			usleep(100000);
		left = count_left(0, names, len);
		*of_uid = uid ? count_uid_alive(uid) : 0;
		empty = left == 0 && *of_uid == 0 ? empty + 1 : 0;
	}
	return left;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Submissions `forkbench grade` is SIGKILLed under, while they run: each
 * program's text (its main's body). */
static const struct { const char *what, *body; } submissions[] = {
	/* three children that each fork one, all asleep, the program asleep */
	{ "sleeping children", "for (int i = 0; i < 3; i++) if (fork() == 0) { if (fork() == 0) for (;;) pause(); "
	  "for (;;) pause(); }\n\tsleep(20);" },
	/* a daemon: a grandchild in a session of its own, out of the step's
	 * process group (the uid still names it) */
	{ "a daemon", "if (fork() == 0) { setsid(); if (fork() == 0) for (;;) pause(); _exit(0); }\n\tsleep(20);" },
	/* a fork bomb held by the step's pids cgroup and RLIMIT_NPROC */
	{ "a fork bomb", "for (;;) { fork(); usleep(1000); }" },
};

/* `forkbench grade` SIGKILLed after ms while the submission of program
 * body runs: nothing of the sandbox uid and nothing of this build may stay
 * alive (the steps' watcher sweeps them). */
static void kill_grade(const char *what, const char *body, long ms)
{
	char dir[PATH_MAX + 32], sub[PATH_MAX + 32], bin[PATH_MAX + 16], out[PATH_MAX + 32], name[200], left[512];
	char uid[16], text[512];
	unsigned sandbox_uid = 65500 + (unsigned)getpid() % 30;

	snprintf(name, sizeof(name), "grade, SIGKILL after %ld ms while %s run: nothing of it left alive", ms, what);
	if (geteuid() != 0) {
		SKIP(name, "needs root: without a uid of its own the sandbox cannot tell the submission's processes apart");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/submission", tmp);
	snprintf(dir, sizeof(dir), "%s/assignments", tmp);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/assignments/sleeper", tmp);
	mkdir(dir, 0755);
	mkdir(sub, 0755);
	write_file(dir, "spec.json", "{ \"program\": \"./sleeper\", \"run_limits\": { \"wall_s\": 30 }, \"tests\": [ "
		   "{ \"name\": \"runs\", \"kind\": \"behaviour\", \"max_score\": 1, \"exit_status\": 0 } ] }\n");
	write_file(sub, "Makefile", "sleeper: sleeper.c\n\tcc -o sleeper sleeper.c\n");
	snprintf(text, sizeof(text), "#include <unistd.h>\nint main(void) {\n\t%s\n\treturn 0;\n}\n", body);
	write_file(sub, "sleeper.c", text);
	snprintf(bin, sizeof(bin), "%s/forkbench", build);
	snprintf(out, sizeof(out), "%s/results.json", tmp);
	snprintf(uid, sizeof(uid), "%u", sandbox_uid);
	snprintf(dir, sizeof(dir), "%s/assignments", tmp);
	const char *argv[] = { bin, "grade", "--assignment", "sleeper", "--assignments", dir, sub, "--out", out,
			       "--uid", uid, "--gid", uid, NULL };
	int killed = start_and_kill(argv, ms), of_uid;
	int ours = settle(sandbox_uid, &of_uid, left, sizeof(left));
	CHECK(killed == 0 && of_uid == 0 && ours == 0, name, "%s; %d of uid %u alive, %d of this build:%s",
	      killed ? "it had ended before the kill" : "killed", of_uid, sandbox_uid, ours, left);
}

int main(void)
{
	/* Each family at moments over its first seconds (start-up, workers
	 * faulting their memory, the benchmarks), and the cases whose children
	 * wait: pidfd_kill's in a read, switch's partner, storm's forkers,
	 * shape's idle tasks. */
	static const struct { const char *what, *filter; int kills; } targets[] = {
		{ "spawn", "^spawn/", 3 }, { "cow", "^cow/", 3 }, { "threads", "^threads/", 3 },
		{ "calibrate", "^calibrate/", 2 }, { "switch", "^switch/", 3 }, { "storm", "^storm/", 3 },
		{ "shape", "^shape/", 3 }, { "pidfd_kill", "^spawn/pidfd_kill/", 4 },
	};
	char path[PATH_MAX];

	build_dir(path, sizeof(path));
	if (!realpath(path, build) || !mkdtemp(tmp))
		return 1;
	count_left(1, NULL, 0);
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		for (int k = 0; k < targets[t].kills; k++)
			kill_run(targets[t].what, targets[t].filter, 300, 2500);
	for (int k = 0; k < 3; k++)
		kill_validate(moment_ms(50, 330));   /* validate takes about 0.4 s here */
	for (size_t i = 0; i < sizeof(submissions) / sizeof(submissions[0]); i++)
		kill_grade(submissions[i].what, submissions[i].body, 3000);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd))
		printf("# could not remove %s\n", tmp);
	return check_done();
}
