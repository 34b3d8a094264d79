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
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

/*
 * -o DIR for commands that write a directory (export allure):
 *
 *   nothing at the path         the directory is written beside it under a
 *                               temporary name and renamed into place
 *   an empty directory          the same; the rename replaces it
 *   a directory that is not     refused, exit 3, unless `replace`: then it is
 *   empty                       moved aside, the new one renamed into place
 *                               and the old one deleted, with a note; only a
 *                               directory that holds nothing but Allure results
 *                               (*-result.json, *-container.json,
 *                               *-attachment.*, environment.properties,
 *                               executor.json, categories.json, history/ and
 *                               sub-directories of the same) is replaced
 *   anything else               refused, exit 3
 *
 * A symbolic link is followed to its target. A failed export leaves the
 * path as it was.
 */

static int outdir_refuse(const char *path, const char *why)
{
	return cmd_error(EXIT_INPUT, "cannot write the directory '%s': %s", path, why);
}

/* Is `name` a file an Allure results directory holds? */
static int allure_file_name(const char *name)
{
	static const char *const fixed[] = {
		"environment.properties", "executor.json", "categories.json", NULL
	};
	static const char *const suffix[] = { "-result.json", "-container.json", NULL };
	size_t n = strlen(name);

	for (int i = 0; fixed[i]; i++)
		if (!strcmp(name, fixed[i]))
			return 1;
	for (int i = 0; suffix[i]; i++)
		if (n > strlen(suffix[i]) && !strcmp(name + n - strlen(suffix[i]), suffix[i]))
			return 1;
	return strstr(name, "-attachment") != NULL;
}

static int allure_dir_only;

static int check_allure_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	const char *base = path + f->base;

	(void)st;
	if (f->level == 0)
		return 0;
	if (type == FTW_D)
		return 0;
	if (type != FTW_F) {
		allure_dir_only = 0;
		return 1;
	}
	/* files under a history/ directory are Allure's own */
	if (f->base >= 9 && !strncmp(path + f->base - 9, "/history/", 9))
		return 0;
	if (!allure_file_name(base)) {
		allure_dir_only = 0;
		return 1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int cmd_remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

static int outdir_open(const char *path, int replace, cmd_outdir *o)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->shown = path;
	if (names_stdout(path))
		return outdir_refuse(path, "this format is a directory, not a stream");
	if (!(o->target = link_target(path)))
		return outdir_refuse(path, strerror(errno));
	if (stat(o->target, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return outdir_refuse(path, "it exists and is not a directory");
		if (!dir_empty(o->target)) {
			if (!replace)
				return outdir_refuse(path, "it is a directory that is not empty "
						     "(--replace replaces a directory of Allure results)");
			allure_dir_only = 1;
			if (nftw(o->target, check_allure_entry, 16, FTW_PHYS) < 0 && allure_dir_only)
				return outdir_refuse(path, strerror(errno));
			if (!allure_dir_only)
				return outdir_refuse(path, "it holds files that are not Allure results; "
						     "--replace replaces only a directory of Allure results");
			o->replace = 1;
		}
	} else if (errno != ENOENT) {
		return outdir_refuse(path, strerror(errno));
	}
	{
		ins_buf tmp = INS_BUF_INIT;
		size_t n = strlen(o->target);
		const char *slash;

		while (n > 1 && o->target[n - 1] == '/')
			o->target[--n] = '\0';
		slash = strrchr(o->target, '/');
		if (slash)
			ins_buf_put(&tmp, o->target, (size_t)(slash - o->target + 1));
		ins_buf_printf(&tmp, ".%s.insight-XXXXXX", slash ? slash + 1 : o->target);
		o->tmp = ins_buf_detach(&tmp);
	}
	if (!mkdtemp(o->tmp)) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		return outdir_refuse(path, strerror(e));
	}
	chmod(o->tmp, 0777 & ~cmd_umask());
	return EXIT_OK;
}

int cmd_outdir_open(const char *path, int replace, cmd_outdir *o)
{
	int rc = outdir_open(path, replace, o);

	if (rc != EXIT_OK) {
		free(o->tmp);
		free(o->target);
		o->tmp = o->target = NULL;
	}
	return rc;
}

int cmd_outdir_close(ins_ctx *ctx, cmd_outdir *o, int rc)
{
	char *old = NULL;

	if (!o->tmp)
		goto done;
	if (rc == EXIT_OK && o->replace) {
		ins_buf b = INS_BUF_INIT;

		ins_buf_printf(&b, "%s.old", o->tmp);
		old = ins_buf_detach(&b);
		if (rename(o->target, old) != 0) {
			rc = outdir_refuse(o->shown, strerror(errno));
			free(old);
			old = NULL;
		}
	}
	if (rc == EXIT_OK && rename(o->tmp, o->target) != 0) {
		int e = errno;

		rc = outdir_refuse(o->shown, e == ENOTEMPTY || e == EEXIST ?
				   "a directory that is not empty appeared there meanwhile" :
				   strerror(e));
		if (old && rename(old, o->target) == 0) {
			free(old);
			old = NULL;
		}
	}
	if (rc != EXIT_OK)
		cmd_remove_tree(o->tmp);
	if (old) {
		cmd_remove_tree(old);
		cmd_note(ctx, "insight: replaced the Allure results that were in %s", o->shown);
	}
done:
	free(old);
	free(o->tmp);
	free(o->target);
	memset(o, 0, sizeof(*o));
	return rc;
}
