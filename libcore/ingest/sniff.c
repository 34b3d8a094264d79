/*
 * sniff.c - choosing a report parser: format sniffing and opening reports.
 *
 * The format is told from content, never from the file name:
 *
 *   '<'                               JUnit XML (anything else in XML is left
 *                                     to the JUnit parser to refuse clearly)
 *   a first line that is a JSON object
 *   with "$report_type"               pytest report-log
 *   a JSON object with "reportFormat":
 *   "CTRF" or a "results" key         CTRF
 *
 * A UTF-8 BOM and leading white space are skipped. Compressed report-logs
 * (.gz, .bz2, .xz) are not sniffed: they are to be decompressed first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"

#define HEAD_SIZE 65536 /* bytes read to sniff a format */

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Does `s[0..n)` contain `needle`? */
static int has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, k))
			return 1;
	return 0;
}

/* Does the JSON text s[0..n) have "key" followed (after ':' and space) by "value"? */
static int has_pair(const char *s, size_t n, const char *key, const char *value)
{
	size_t k = strlen(key), v = value ? strlen(value) : 0;

	for (size_t i = 0; i + k + 2 <= n; i++) {
		size_t j;

		if (s[i] != '"' || memcmp(s + i + 1, key, k) || s[i + k + 1] != '"')
			continue;
		j = i + k + 2;
		while (j < n && space(s[j]))
			j++;
		if (j >= n || s[j] != ':')
			continue;
		j++;
		while (j < n && space(s[j]))
			j++;
		if (!value)
			return 1;
		if (j + v + 2 <= n && s[j] == '"' && !memcmp(s + j + 1, value, v) && s[j + v + 1] == '"')
			return 1;
	}
	return 0;
}

int ins_format_sniff(const char *head, size_t len, ins_format *out)
{
	size_t i = 0, line_end;

	if (len >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && space(head[i]))
		i++;
	if (i == len)
		return ins_error_set(INS_EINVALID, "empty file");
	if (head[i] == '<') {
		*out = INS_FORMAT_JUNIT;
		return 0;
	}
	if (head[i] == '{') {
		line_end = i;
		while (line_end < len && head[line_end] != '\n')
			line_end++;
		if (has(head + i, line_end - i, "\"$report_type\"")) {
			*out = INS_FORMAT_REPORTLOG;
			return 0;
		}
		if (has_pair(head + i, len - i, "reportFormat", "CTRF") ||
		    has_pair(head + i, len - i, "results", NULL)) {
			*out = INS_FORMAT_CTRF;
			return 0;
		}
		/* a report-log whose first line is longer than the head */
		if (line_end == len && has(head + i, len - i, "\"$report_type\"")) {
			*out = INS_FORMAT_REPORTLOG;
			return 0;
		}
	}
	return ins_error_set(INS_EINVALID, "not a test report insight knows (JUnit XML, "
			     "pytest report-log or CTRF)");
}

/*
 * Copy everything from `in` to an unlinked temporary file and return its
 * descriptor positioned at 0 (caller closes), or a negative code.
 */
static int spool(int in, const char *display, int *out)
{
	const char *dir = getenv("TMPDIR");
	ins_buf path = INS_BUF_INIT;
	char buf[65536];
	int fd, ret = 0;

	ins_buf_printf(&path, "%s/insight-report-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path.ptr);
	if (fd < 0) {
		ret = ins_error_set(INS_EIO, "%s: cannot create a temporary file in %s: %s", display,
				    dir && *dir ? dir : "/tmp", strerror(errno));
		goto done;
	}
	unlink(path.ptr);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf)), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = ins_error_set(INS_EIO, "%s: read failed: %s", display, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		while (off < n) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				ret = ins_error_set(INS_EIO, "%s: cannot keep a copy of the report: %s",
						    display, strerror(errno));
				goto done;
			}
			off += w;
		}
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		ret = ins_error_set(INS_EIO, "%s: %s", display, strerror(errno));

done:
	if (ret && fd >= 0) {
		close(fd);
		fd = -1;
	}
	*out = fd;
	ins_buf_release(&path);
	return ret;
}

int ins_ingest_path(const char *path, const char *display, ins_format fmt,
		    const ins_ingest_sink *sink)
{
	int is_stdin = !strcmp(path, "-");
	char *head = NULL;
	struct stat st;
	ssize_t n;
	int fd = -1, ret;

	if (!display)
		display = is_stdin ? "<stdin>" : path;
	if (is_stdin) {
		/* stdin is read twice (sniffing, parsing): keep a copy that can be */
		if ((ret = spool(STDIN_FILENO, display, &fd)))
			return ret;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return ins_error_set(INS_ENOTFOUND, "%s: no such file", display);
			return ins_error_set(INS_EIO, "%s: cannot open: %s", display, strerror(errno));
		}
		if (fstat(fd, &st) < 0) {
			ret = ins_error_set(INS_EIO, "%s: %s", display, strerror(errno));
			goto done;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = ins_error_set(INS_EUSAGE, "%s: is a directory, not a report", display);
			goto done;
		}
		if (!S_ISREG(st.st_mode)) {
			/* a pipe or a device, e.g. <(command): it cannot be read twice */
			int copy;

			if ((ret = spool(fd, display, &copy)))
				goto done;
			close(fd);
			fd = copy;
		}
	}

	head = ins_xmalloc(HEAD_SIZE);
	do {
		n = pread(fd, head, HEAD_SIZE, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = ins_error_set(INS_EIO, "%s: read failed: %s", display, strerror(errno));
		goto done;
	}
	if (n == 0) {
		ret = ins_error_set(INS_EINVALID, "%s: empty file", display);
		goto done;
	}
	if (fmt == INS_FORMAT_AUTO && (ret = ins_format_sniff(head, (size_t)n, &fmt))) {
		ins_error_prefix("%s", display);
		goto done;
	}

	switch (fmt) {
	case INS_FORMAT_JUNIT:
		ret = ins_ingest_junit(fd, display, sink);
		break;
	case INS_FORMAT_REPORTLOG:
		ret = ins_ingest_reportlog(fd, display, sink);
		break;
	case INS_FORMAT_CTRF:
		ret = ins_ingest_ctrf(fd, display, sink);
		break;
	default:
		ret = ins_error_set(INS_EUSAGE, "%s: unknown report format %d", display, (int)fmt);
		break;
	}

done:
	free(head);
	if (fd >= 0)
		close(fd);
	return ret;
}
