/* files.c - see files.h. */
#define _GNU_SOURCE
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fb_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int fb_write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -errno;
	for (size_t done = 0; done < len && !err;) {
		ssize_t put = write(fd, data + done, len - done);
		if (put < 0 && errno != EINTR)
			err = -errno;
		done += put > 0 ? (size_t)put : 0;
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int fb_membuf_open(struct fb_membuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->f = open_memstream(&buf->data, &buf->len);
	return buf->f ? 0 : -errno;
}

int fb_membuf_commit(struct fb_membuf *buf, const char *path)
{
	int err = fclose(buf->f) ? -EIO : 0;

	if (!err)
		err = fb_write_file_atomic(path, buf->data, buf->len);
	free(buf->data);
	buf->data = NULL;
	return err;
}

int fb_mkdir(const char *path)
{
	char parent[PATH_MAX];

	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent))
		return -errno;
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -ENOENT;
	*slash = '\0';
	int err = fb_mkdir(parent);   /* like mkdir -p: results/baselines/NAME on a fresh clone */
	return err ? err : (mkdir(path, 0755) && errno != EEXIST ? -errno : 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT ? -errno : 0;
}

int fb_remove_tree(const char *path)
{
	int err = nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
	return err > 0 ? 0 : err < 0 && errno != ENOENT ? -errno : err;
}

char *fb_slurp(const char *path, size_t max_bytes)
{
	char *text = calloc(1, max_bytes + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t have = 0;
	ssize_t got;

	while (text && fd >= 0 && have < max_bytes && (got = read(fd, text + have, max_bytes - have)) > 0)
		have += (size_t)got;
	if (fd >= 0)
		close(fd);
	return text ? text : strdup("");
}
