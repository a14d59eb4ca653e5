/* sandbox.h - run one untrusted step (a student's build or program) under
 * limits, as an unprivileged uid, in its own process group and pids cgroup,
 * without network and with a private /tmp where the kernel allows, and
 * leave nothing of it behind. Which mechanisms were in force is recorded. */
#ifndef FB_SANDBOX_H
#define FB_SANDBOX_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* The wall-clock limit stretches over time the machine spent with tasks
 * waiting for a CPU, up to this many times the limit in real time. */
#define FB_WALL_REAL_MAX 3.0

struct fb_limits {
	double wall_s;           /* wall clock: the whole group is killed after it (time with
				  * tasks waiting for a CPU not counted, FB_WALL_REAL_MAX) */
	double cpu_s;            /* RLIMIT_CPU per process (SIGXCPU, then SIGKILL) */
	long as_mib;             /* RLIMIT_AS per process, and memory.max of the cgroup */
	long nproc;              /* RLIMIT_NPROC of the uid, and pids.max of the cgroup */
	long fsize_mib;          /* RLIMIT_FSIZE: largest file, the captured output too */
};

/* A helper process of the grader that is not its child (orphan.c). */
struct fb_orphan {
	int to_fd;                   /* its fd 0: closing it ends the helper */
	int from_fd;                 /* its fd 1: end-of-file once it has exited */
};

struct fb_sandbox {
	int drop_ids;            /* we are root: steps run as uid/gid */
	uid_t uid;
	gid_t gid;
	int netns;               /* unshare(CLONE_NEWNET) works: no network */
	int private_tmp;         /* unshare(CLONE_NEWNS) + tmpfs over /tmp, /var/tmp, /dev/shm */
	int minimal_root;        /* pivot_root into a read-only root of the toolchain (sandbox_root.c) */
	char root_note[160];     /* what a step sees as its root, and why: for results.json */
	int subreaper;           /* PR_SET_CHILD_SUBREAPER is set on us */
	char cg_parent[PATH_MAX];  /* where step cgroups are made; "" when none */
	int cg_v2;               /* cgroup v2 (cgroup.kill, memory.max) or v1 pids */
	int cg_memory;           /* v2 memory.max is available */
	char scratch[PATH_MAX];  /* bound at the same path inside the private /tmp */
	long scratch_tmpfs_mib;  /* the scratch is a tmpfs of this size, 0: host folder */
	unsigned serial;         /* numbers the step cgroups */
	int watching;            /* the watcher runs (sandbox_watch.c) */
	struct fb_orphan watch;  /* its pipes: the step to kill if we go; EOF when it is gone */
};

struct fb_step_result {
	int status;              /* wait status of the step's main process */
	int timed_out;           /* the wall-clock limit killed it */
	double wall_s, cpu_s;    /* cpu: user + system of the main process and what it reaped */
	double stalled_s;        /* of wall_s, time some task waited for a CPU (not counted) */
	int leftovers;           /* descendants still running or unreaped when it ended */
	long pids_peak;          /* most tasks at once in its cgroup, -1 when unknown */
	long children_minflt;    /* minor faults of its children only (the main process's own
				  * aside): those it reaped and the leftovers we reaped; -1 when unknown */
	long pids_allocated;     /* pids handed out in our pid namespace while it ran, its own
				  * aside: an upper bound of what it created (others may fork
				  * meanwhile, 0 still proves none); -1 when unknown */
	int exec_err;            /* errno when the program could not be started, else 0 */
	int interrupted;         /* killed because SIGINT/SIGTERM/SIGHUP is pending for us */
};

/* The signals that interrupt grading. The grader blocks them, so it is never
 * killed with a step still running; a step is killed when one is pending. */
void fb_sandbox_block_signals(void);
int fb_sandbox_interrupted(void);

/* Probe what this machine allows and set us up as a subreaper. scratch is the
 * folder holding the steps' working folders (scratch_tmpfs_mib is kept). 0, or -errno with err filled. */
int fb_sandbox_init(struct fb_sandbox *sb, uid_t uid, gid_t gid, const char *scratch,
		    char *err, size_t err_len);
/* One line naming the mechanisms in force, e.g. "uid 65100, pids cgroup v1, ...". */
void fb_sandbox_describe(const struct fb_sandbox *sb, const struct fb_limits *lim,
			 char *buf, size_t len);
/* Run argv (argv[0] a path or found in PATH) in workdir with stdout and
 * stderr to the given files (stderr_path NULL: both into stdout_path) (opened by us, so the step cannot choose where
 * they go), under lim; then kill and reap everything it started. 0, or
 * -errno when the sandbox itself failed (the step's own failures, a
 * program that cannot be started included, are in res). */
int fb_sandbox_run(struct fb_sandbox *sb, const struct fb_limits *lim, const char *workdir,
		   const char *const argv[], const char *stdout_path, const char *stderr_path,
		   struct fb_step_result *res);
/* The scratch folder on a tmpfs of mib MiB in our own mount namespace, as
 * root; sb->scratch_tmpfs_mib says whether it held (else the scratch is a
 * plain folder of the host's file system). Unmounted, its files with it,
 * by fb_sandbox_scratch_unmount. */
void fb_sandbox_scratch_mount(struct fb_sandbox *sb, const char *scratch, long mib);
void fb_sandbox_scratch_unmount(struct fb_sandbox *sb, const char *scratch);
/* A readable account of how a step ended: "exited with status 1",
 * "killed by SIGSEGV", "killed: wall-clock limit of 5 s". */
void fb_step_describe(const struct fb_step_result *res, const struct fb_limits *lim,
		      char *buf, size_t len);

/* Internal to sandbox*.c: the step's child (sandbox_child.c). */
struct fb_step {
	const struct fb_sandbox *sb;
	const struct fb_limits *lim;
	const char *workdir;
	const char *const *argv;
	int out_fd, err_fd, report_fd;   /* report_fd: close-on-exec pipe to the grader */
	const char *cg;                  /* the step's cgroup, "" for none */
	pid_t grader;                    /* to notice the grader died before PDEATHSIG was set */
};
/* What the child reports through report_fd when a setup stage fails;
 * nothing arrives when the exec succeeded. */
struct fb_setup_failure {
	int stage;                       /* enum fb_stage, -1 for none */
	int err;
};
enum fb_stage {
	FB_STAGE_SETPGID, FB_STAGE_CGROUP, FB_STAGE_NETNS, FB_STAGE_PRIVATE_TMP, FB_STAGE_ROOT, FB_STAGE_REDIRECT,
	FB_STAGE_RLIMIT, FB_STAGE_DROP_IDS, FB_STAGE_CHDIR, FB_STAGE_EXEC,
};
const char *fb_step_stage_name(int stage);
__attribute__((noreturn)) void fb_step_child(const struct fb_step *s);
/* setgroups/setresgid/setresuid to the sandbox ids (when root). 0 or -errno. */
int fb_sandbox_drop_ids(const struct fb_sandbox *sb);

/* orphan.c: start a helper that is not our child (init adopts it): body(arg)
 * runs in it, reading requests on fd 0, with fd 1 open until it exits.
 * 0, or -errno (then o's fds are -1). */
int fb_orphan_start(struct fb_orphan *o, void (*body)(void *), void *arg);
/* Close its requests and wait until it has exited. */
void fb_orphan_stop(struct fb_orphan *o);

/* sandbox_watch.c: a process, not our child, that kills the running step's
 * process group and cgroup and every process of the sandbox uid once we
 * are gone (however we end) or stop it. Start it before becoming a
 * subreaper; 0, or -errno. */
int fb_sandbox_watch_start(struct fb_sandbox *sb);
/* The step the watcher would kill now (pgid 0: none). */
void fb_sandbox_watch_step(const struct fb_sandbox *sb, pid_t pgid, const char *cg);
/* Stop it and wait until it has swept and exited. */
void fb_sandbox_watch_stop(struct fb_sandbox *sb);
/* Own mount namespace with fresh tmpfs over the world-writable folders. */
int fb_sandbox_private_tmp(const char *scratch);
/* After fb_sandbox_private_tmp: pivot_root into a minimal read-only root
 * holding the toolchain, fresh /tmp, /var/tmp, /dev/shm and the scratch
 * folder at its own path (sandbox_root.c). 0 or -errno. */
int fb_sandbox_minimal_root(const char *scratch);
/* mkdir -p (parents 0755, the last one mode), for paths inside a fresh
 * tmpfs. 0 or -errno. */
int fb_sandbox_mkdir_p(const char *path, mode_t mode);

/* Step cgroups (sandbox_cg.c). */
/* Find a writable pids cgroup parent (v2, else v1) into sb. 0 or -errno. */
int fb_cg_probe(struct fb_sandbox *sb);
/* Make the step's cgroup with pids.max (and memory.max on v2); path out. */
int fb_cg_create(const struct fb_sandbox *sb, const struct fb_limits *lim, char *path, size_t len);
/* Move the calling process into the cgroup at path. 0 or -errno. */
int fb_cg_enter(const char *path);
/* SIGKILL every task in it (one round); how many were still listed. */
int fb_cg_kill_round(const struct fb_sandbox *sb, const char *path);
/* Most tasks it held at once (pids.peak), or -1 when the kernel lacks it. */
long fb_cg_peak(const char *path);
/* Remove it (after its tasks were reaped). */
void fb_cg_remove(const char *path);

/* How many processes (zombies too) have real uid uid, pid skip aside (0:
 * none), read from /proc/PID/status. */
int fb_sandbox_count_uid(uid_t uid, pid_t skip);
/* The same, living ones only (zombies wait for their reaper, init perhaps). */
int fb_sandbox_count_uid_alive(uid_t uid, pid_t skip);
/* In a process of its own (it takes sb's uid): kill every process of that
 * uid until /proc shows none (zombies too unless living_only). 0, or -1
 * when the ids could not be taken or some were left after ~5 s. */
int fb_sandbox_sweep_uid(const struct fb_sandbox *sb, int living_only);

#endif
