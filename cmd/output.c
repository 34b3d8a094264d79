/*
 * output.c - where an answer goes: standard output, or the file of -o.
 *
 * -o never replaces what is at the path with something else:
 *
 *   a regular file, or nothing    written beside it and renamed over it, so a
 *                                 reader sees the old file or the new one,
 *                                 never half of one; the old file's mode is kept
 *   a symbolic link               followed: its target is written as above,
 *                                 the link stays (a dangling one gets its target)
 *   a FIFO, a character device    written straight into (/dev/null, a pipe
 *                                 another process reads, a terminal)
 *   /dev/stdout, /dev/fd/1        standard output
 *   a directory, a block device,  refused, exit 3
 *   a socket
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

int cmd_stdout_failed;

/* Is `path` standard output under another name? */
static int names_stdout(const char *path)
{
	struct stat a, b;

	if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/fd/1") ||
	    !strcmp(path, "/proc/self/fd/1"))
		return 1;
	/* the same open file as fd 1, reached another way (/proc/<pid>/fd/1) */
	return !strncmp(path, "/proc/", 6) && stat(path, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino && !S_ISREG(a.st_mode);
}

/*
 * The file a chain of symbolic links ends at, existing or not (a dangling
 * link's target is to be created). Returns a malloc'd path or NULL.
 */
static char *link_target(const char *path)
{
	char *cur = ins_xstrdup(path);

	for (int depth = 0; depth < 40; depth++) {
		char buf[PATH_MAX];
		struct stat st;
		ssize_t n;
		char *next;

		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		n = readlink(cur, buf, sizeof(buf) - 1);
		if (n < 0) {
			free(cur);
			return NULL;
		}
		buf[n] = '\0';
		if (buf[0] == '/') {
			next = ins_xstrdup(buf);
		} else {
			const char *slash = strrchr(cur, '/');
			ins_buf b = INS_BUF_INIT;

			if (slash)
				ins_buf_put(&b, cur, (size_t)(slash - cur + 1));
			ins_buf_puts(&b, buf);
			next = ins_buf_detach(&b);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	errno = ELOOP;
	return NULL;
}

static int refuse(const char *path, const char *why)
{
	return cmd_error(EXIT_INPUT, "cannot write '%s': %s", path, why);
}

int cmd_out_open(ins_ctx *ctx, cmd_out *o)
{
	const char *path = ctx->output_file;
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->fp = stdout;
	if (!path || names_stdout(path))
		return EXIT_OK;
	o->shown = path;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return refuse(path, "it is a directory");
		if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
			/* a reader at the other end, or a device: write into it as it is */
			do
				fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
			while (fd < 0 && errno == EINTR);
			if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
				int e = errno;

				if (fd >= 0)
					close(fd);
				o->fp = stdout;
				return refuse(path, strerror(e));
			}
			return EXIT_OK;
		}
		if (!S_ISREG(st.st_mode))
			return refuse(path, S_ISBLK(st.st_mode) ? "it is a block device" :
				      "it is not a regular file, a FIFO or a character device");
		o->mode = st.st_mode & 07777;
		o->keep_mode = 1;
	} else if (errno != ENOENT) {
		return refuse(path, strerror(errno));
	}

	/* a regular file or nothing (perhaps at the end of a link): replaced whole */
	if (!(o->target = link_target(path)))
		return refuse(path, strerror(errno));
	{
		const char *slash = strrchr(o->target, '/');
		ins_buf tmp = INS_BUF_INIT;

		if (slash)
			ins_buf_put(&tmp, o->target, (size_t)(slash - o->target + 1));
		ins_buf_printf(&tmp, ".%s.insight-XXXXXX", slash ? slash + 1 : o->target);
		o->tmp = ins_buf_detach(&tmp);
	}
	fd = mkstemp(o->tmp);
	if (fd >= 0)
		fchmod(fd, o->keep_mode ? o->mode : (mode_t)(0666 & ~cmd_umask()));
	if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		free(o->target);
		o->tmp = o->target = NULL;
		o->fp = stdout;
		return refuse(path, strerror(e));
	}
	return EXIT_OK;
}

int cmd_out_close(cmd_out *o, int rc)
{
	int werr = 0;

	if (o->fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			if (errno == EPIPE)
				exit(EXIT_OK); /* the reader has all it wanted (| head) */
			if (rc == EXIT_OK)
				rc = cmd_stdout_error(errno);
		}
		goto done;
	}
	if (fflush(o->fp) != 0 || ferror(o->fp))
		werr = errno ? errno : EIO;
	if (!werr && o->tmp && fsync(fileno(o->fp)) != 0)
		werr = errno;
	if (fclose(o->fp) != 0 && !werr)
		werr = errno;
	if (werr && rc == EXIT_OK)
		rc = refuse(o->shown, strerror(werr));
	if (o->tmp) {
		if (rc == EXIT_OK && rename(o->tmp, o->target) != 0)
			rc = refuse(o->shown, strerror(errno));
		if (rc != EXIT_OK)
			unlink(o->tmp);
	}
done:
	free(o->tmp);
	free(o->target);
	memset(o, 0, sizeof(*o));
	o->fp = stdout;
	return rc;
}

int cmd_stdout_error(int err)
{
	if (cmd_stdout_failed++)
		return EXIT_INPUT;
	if (err == EPIPE)
		return EXIT_OK;
	return cmd_error(EXIT_INPUT, "cannot write the answer to standard output: %s",
			 err ? strerror(err) : "a write failed");
}

mode_t cmd_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}
