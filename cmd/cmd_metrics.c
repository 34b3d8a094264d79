/*
 * cmd_metrics.c - `insight metrics`: the history as Prometheus metrics, on
 * standard output or as a file for node_exporter's textfile collector.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/metrics.h"

/*
 * Write `text` to DIR/NAME atomically: a hidden temporary file in DIR (the
 * collector reads *.prom only), synced, then renamed over NAME.
 */
static int write_textfile(const char *dir, const char *name, const ins_buf *text)
{
	ins_buf path = INS_BUF_INIT, tmp = INS_BUF_INIT;
	int fd = -1, rc = EXIT_OK;
	size_t off = 0;

	ins_buf_printf(&path, "%s/%s", dir, name);
	ins_buf_printf(&tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
	do
		fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666 & ~cmd_umask());
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rc = cmd_error(EXIT_INPUT, "cannot write '%s': %s", path.ptr, strerror(errno));
		goto done;
	}
	while (off < text->len) {
		ssize_t w = write(fd, text->ptr + off, text->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < text->len || fsync(fd) != 0 || close(fd) != 0 || (fd = -1, 0) ||
	    rename(tmp.ptr, path.ptr) != 0) {
		rc = cmd_error(EXIT_INPUT, "cannot write '%s': %s", path.ptr, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp.ptr);
		goto done;
	}
	printf("%s\n", path.ptr);
done:
	ins_buf_release(&path);
	ins_buf_release(&tmp);
	return rc;
}

/*
 * insight metrics [--sut <name>] [--textfile <dir>]
 *
 * Every SUT's figures (or one SUT's) in the Prometheus text exposition
 * format. With --textfile, into DIR/insight.prom (DIR/insight-<sut>.prom
 * with --sut), replaced atomically; the path is printed.
 */
static int cmd_metrics(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight metrics [--sut <name>] [--textfile <dir>]",
					     NULL };
	const char *sut = NULL, *dir = NULL;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "this SUT only (default: every SUT)", "sut"),
		OPT_STRING(0, "textfile", &dir, "DIR",
			   "write DIR/insight.prom atomically, for node_exporter's textfile collector",
			   "dir"),
		OPT_END(),
	};
	ins_buf text = INS_BUF_INIT, name = INS_BUF_INIT;
	ins_store *store;
	struct stat st;
	int n, rc;

	ctx->text_only = 1;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "metrics takes no arguments (a SUT is --sut NAME)");
	if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return cmd_usage_error(ctx, "--textfile: '%s' is not a directory", dir);
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_metrics_text(store, sut, &text)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (dir) {
		ins_buf_puts(&name, "insight");
		if (sut) {
			ins_buf_putc(&name, '-');
			for (const char *p = sut; *p; p++)
				ins_buf_putc(&name, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
					     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ? *p : '_');
		}
		ins_buf_puts(&name, ".prom");
		rc = write_textfile(dir, name.ptr, &text);
	} else {
		fwrite(text.ptr, 1, text.len, stdout);
		rc = EXIT_OK;
	}
done:
	ins_buf_release(&text);
	ins_buf_release(&name);
	return rc;
}

const struct ins_group cmd_group_metrics = {
	"metrics", "the history as Prometheus metrics", NULL, cmd_metrics, CMD_STORE_READ, 0
};
