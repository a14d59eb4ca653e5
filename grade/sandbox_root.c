/* sandbox_root.c - a step's view of the file system: its own mount
 * namespace with fresh /tmp, /var/tmp and /dev/shm, and a minimal read-only
 * root, built in the step's own mount namespace and entered with
 * pivot_root, that holds the toolchain (/usr and the merged-/usr links,
 * a few files of /etc, its own /proc, a handful of devices), fresh /tmp, /var/tmp
 * and /dev/shm, and the grading's scratch folder; nothing else of the host:
 * not the assignments (hidden tests, reference solutions), not other
 * submissions, not /root, /home or the project. Without it a submission
 * read the reference solution through its absolute path.
 *
 * pivot_root in our own sandbox rather than bubblewrap: the sandbox already
 * owns the namespace, cgroup, limits and id change in named stages, and one
 * more stage keeps every setup failure reported the same way; bubblewrap
 * would be a second sandbox around the first, with its own setuid/userns
 * rules, for the same few mounts. Where mounts are not allowed (a
 * container), the probe fails and the step sees the host, said so in
 * results.json. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

#define NEW_ROOT "/tmp/.fb-root"

/* mkdir -p, for paths inside a fresh tmpfs (see sandbox.h). */
int fb_sandbox_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, mode) && errno != EEXIST ? -errno : 0;
}

/* A mount namespace whose world-writable folders are fresh, small tmpfs:
 * what a step writes there vanishes with it. The scratch folder, which may
 * live under /tmp, is bound back at its own path so paths stay the same. */
int fb_sandbox_private_tmp(const char *scratch)
{
	static const char *const shared_dirs[] = { "/tmp", "/var/tmp", "/dev/shm" };
	char self[64];
	struct stat st;
	int keep;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	/* Opened in the new namespace: a bind must come from one of its mounts. */
	if ((keep = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(shared_dirs) / sizeof(shared_dirs[0]); i++)
		if (stat(shared_dirs[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    mount("tmpfs", shared_dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m"))
			return -errno;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", keep);
	if (fb_sandbox_mkdir_p(scratch, 0711) || mount(self, scratch, NULL, MS_BIND, NULL))
		return -errno;
	close(keep);
	return 0;
}


/* Host paths the step sees, read-only. A missing one is left out; a
 * symbolic link (/bin -> usr/bin on merged-/usr systems) is copied as one. */
static const char *const visible[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	/* what the loader, getpwuid and the toolchain read in /etc */
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/passwd",
	"/etc/group", "/etc/nsswitch.conf", "/etc/localtime", "/etc/os-release",
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
};

/* The folder target (mkdir -p), or an empty file there to bind a file on. */
static int make_target(const char *target, int is_dir)
{
	char parent[PATH_MAX];

	if (is_dir)
		return fb_sandbox_mkdir_p(target, 0755);
	snprintf(parent, sizeof(parent), "%s", target);
	*strrchr(parent, '/') = '\0';
	int err = fb_sandbox_mkdir_p(parent, 0755);
	int fd = err ? -1 : open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	return err ? err : fd < 0 ? -errno : close(fd);
}

/* Bind host path at the same place below NEW_ROOT, read-only. */
static int show(const char *path)
{
	char target[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	snprintf(target, sizeof(target), NEW_ROOT "%s", path);
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(path, link, sizeof(link) - 1)) < 0)
			return -errno;
		link[n] = '\0';
		return symlink(link, target) && errno != EEXIST ? -errno : 0;
	}
	int err = make_target(target, S_ISDIR(st.st_mode));
	if (err)
		return err;
	if (mount(path, target, NULL, MS_BIND | MS_REC, NULL) ||
	    mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL))
		return -errno;
	return 0;
}

/* Fresh world-writable folders and the scratch folder (scratch_fd, opened
 * before /tmp was replaced), bound at its own path. */
static int writable_places(const char *scratch, int scratch_fd)
{
	static const char *const fresh[] = { "/tmp", "/var/tmp", "/dev/shm" };
	char target[PATH_MAX], self[64];

	for (size_t i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++) {
		snprintf(target, sizeof(target), NEW_ROOT "%s", fresh[i]);
		if (make_target(target, 1) ||
		    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m"))
			return -errno;
	}
	snprintf(target, sizeof(target), NEW_ROOT "%s", scratch);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", scratch_fd);
	if (make_target(target, 1) || mount(self, target, NULL, MS_BIND | MS_REC, NULL))
		return -errno;
	return 0;
}

/* /proc: a fresh one of our pid namespace with hidepid=invisible, so a step
 * sees the processes of its own uid only, not the grader's command line or
 * other users' (5.8+). Where a fresh one is refused (a container's masked
 * /proc), the host's is bound: others' entries are guarded by their owners
 * and ptrace rules, but their command lines show. */
static int mount_proc(void)
{
	int err = make_target(NEW_ROOT "/proc", 1);

	if (err)
		return err;
	if (mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") == 0)
		return 0;
	return mount("/proc", NEW_ROOT "/proc", NULL, MS_BIND | MS_REC, NULL) ? -errno : 0;
}

static int pivot(void)
{
	int err = make_target(NEW_ROOT "/.old-root", 1);

	if (err)
		return err;
	if (syscall(SYS_pivot_root, NEW_ROOT, NEW_ROOT "/.old-root"))
		return -errno;
	if (chdir("/") || umount2("/.old-root", MNT_DETACH) || rmdir("/.old-root"))
		return -errno;
	/* the root itself read-only too, once everything is in place */
	return mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL) ? -errno : 0;
}

int fb_sandbox_minimal_root(const char *scratch)
{
	int err, scratch_fd = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (scratch_fd < 0)
		return -errno;
	/* A mount namespace of our own already (private /tmp), / private:
	 * the new root is a small tmpfs in it. */
	err = make_target(NEW_ROOT, 1);
	if (!err && mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m"))
		err = -errno;
	for (size_t i = 0; !err && i < sizeof(visible) / sizeof(visible[0]); i++)
		err = show(visible[i]);
	if (!err)
		err = writable_places(scratch, scratch_fd);
	if (!err)
		err = mount_proc();
	if (!err)
		err = pivot();
	close(scratch_fd);
	return err;
}
