/* grade_scratch.c - the scratch folder of a grading: ours (root, 0711, so
 * the sandbox uid can pass through but not write or list) holding the logs
 * and work/, a copy of the submission owned by the sandbox uid. As root it
 * is a size-limited tmpfs mounted in a mount namespace of the grader's own:
 * a submission cannot fill the host's disk, and the mount vanishes with us. The copy
 * keeps regular files and folders only and never follows a link, so a
 * submission cannot make us read (as root) what it points at. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade.h"
#include "files.h"

#define COPY_MAX_BYTES ((off_t)64 << 20)   /* a submission is source code */

/* nftw has no user pointer: the copy in progress. */
static struct copy_state {
	const char *from, *to;
	uid_t uid;
	gid_t gid;
	off_t total_bytes;
} copy;

static int copy_file(const char *src, const char *dst, const struct stat *st)
{
	char buf[65536];
	ssize_t got = 0;
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = 0;
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (st->st_mode & 0755) | 0600);

	if (in < 0 || out < 0)
		err = -errno;
	while (!err && (got = read(in, buf, sizeof(buf))) > 0)
		if ((copy.total_bytes += got) > COPY_MAX_BYTES || write(out, buf, (size_t)got) != got)
			err = copy.total_bytes > COPY_MAX_BYTES ? -EFBIG : -EIO;
	if (got < 0 && !err)
		err = -errno;
	if (out >= 0 && fchown(out, copy.uid, copy.gid) && !err)
		err = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return err;
}

static int copy_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char dst[PATH_MAX];

	(void)ftw;
	snprintf(dst, sizeof(dst), "%s%s", copy.to, path + strlen(copy.from));
	if (type == FTW_D) {
		if (mkdir(dst, 0755) && errno != EEXIST)
			return -errno;
		return chown(dst, copy.uid, copy.gid) ? -errno : 0;
	}
	if (type == FTW_F && S_ISREG(st->st_mode))
		return copy_file(path, dst, st);
	return 0;   /* links, devices, sockets, unreadable folders: left out */
}

int fb_grade_scratch(struct fb_grade_ctx *ctx, const char *submission, char *err, size_t len)
{
	const char *tmp = getenv("TMPDIR") && getenv("TMPDIR")[0] == '/' ? getenv("TMPDIR") : "/tmp";
	char from[PATH_MAX];

	snprintf(ctx->scratch, sizeof(ctx->scratch), "%s/fb-grade-XXXXXX", tmp);
	if (!realpath(submission, from))
		return snprintf(err, len, "%s: %s", submission, strerror(errno)), -1;
	if (!mkdtemp(ctx->scratch) || chmod(ctx->scratch, 0711))
		return snprintf(err, len, "cannot make a scratch folder in %s: %s", tmp, strerror(errno)), -1;
	fb_sandbox_scratch_mount(&ctx->sb, ctx->scratch, FB_GRADE_SCRATCH_MIB);
	snprintf(ctx->work, sizeof(ctx->work), "%s/work", ctx->scratch);
	copy = (struct copy_state){ from, ctx->work, ctx->sb.drop_ids ? ctx->sb.uid : getuid(),
				    ctx->sb.drop_ids ? ctx->sb.gid : getgid(), 0 };
	int e = nftw(from, copy_entry, 32, FTW_PHYS);
	if (e)
		return snprintf(err, len, "cannot copy %s: %s", submission,
				e < 0 && errno ? strerror(errno) : strerror(-e)), -1;
	/* A program shipped ready-built would look up to date to make: what is
	 * graded is always what the sources build. */
	char shipped[PATH_MAX * 2 + 16];
	snprintf(shipped, sizeof(shipped), "%s/%s", ctx->work, ctx->spec->program);
	if (unlink(shipped) == 0)
		printf("grade: removed the submitted %s: it is built from the sources\n", ctx->spec->program);
	return 0;
}

/* --keep: the scratch tmpfs lives in our own mount namespace and vanishes
 * with us, so what it holds is copied to a folder on disk beside it (as
 * root's, links left out like the submission's own copy). */
int fb_grade_scratch_keep(struct fb_grade_ctx *ctx, char *kept, size_t len)
{
	if (!ctx->sb.scratch_tmpfs_mib)
		return snprintf(kept, len, "%s", ctx->scratch), 0;
	snprintf(kept, len, "%s-kept-XXXXXX", ctx->scratch);
	if (!mkdtemp(kept))
		return -errno;
	copy = (struct copy_state){ ctx->scratch, kept, getuid(), getgid(), 0 };
	int e = nftw(ctx->scratch, copy_entry, 32, FTW_PHYS);
	fb_grade_scratch_remove(ctx);
	return e < 0 ? -errno : e;
}

void fb_grade_scratch_remove(struct fb_grade_ctx *ctx)
{
	if (!ctx->scratch[0])
		return;
	fb_sandbox_scratch_unmount(&ctx->sb, ctx->scratch);
	fb_remove_tree(ctx->scratch);
}

