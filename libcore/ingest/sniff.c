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
 *   go test -json, TAP, Mocha JSON,
 *   Jest JSON, an Allure result       see sniff_stream.c
 *
 * A UTF-8 BOM and leading white space are skipped. The input (input.c) has
 * already undone gzip and UTF-16, so the bytes sniffed are UTF-8 or 8-bit.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/sniff_stream.h"

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

/*
 * What a file that is no report starts with, for the error: a JSON
 * object's first keys ("a JSON object with the keys name, version"), or
 * its first line, printable characters only and cut.
 */
static void describe_head(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0, keys = 0;
	int depth = 0;

#define PUT(c) do { if (o + 1 < size) out[o++] = (char)(c); } while (0)
	if (n && s[0] == '{') {
		const char *lead = "a JSON object with the keys ";

		for (size_t i = 0; i < n && keys < 4; i++) {
			if (s[i] == '{' || s[i] == '[') {
				depth++;
			} else if (s[i] == '}' || s[i] == ']') {
				depth--;
			} else if (s[i] == '"') {
				size_t j = i + 1, k;

				while (j < n && s[j] != '"')
					j += s[j] == '\\' ? 2 : 1;
				k = j + 1;
				while (k < n && space(s[k]))
					k++;
				if (depth == 1 && k < n && s[k] == ':') {
					for (const char *p = keys ? ", " : lead; *p; p++)
						PUT(*p);
					for (size_t c = i + 1; c < j && c < i + 41; c++)
						if ((unsigned char)s[c] >= 0x20 && s[c] != 0x7f)
							PUT(s[c]);
					keys++;
				}
				i = j;
			}
		}
		if (keys) {
			out[o] = '\0';
			return;
		}
		o = 0;
	}
	for (const char *p = "it starts with '"; *p; p++)
		PUT(*p);
	for (size_t i = 0; i < n && i < 40 && s[i] != '\n' && s[i] != '\r'; i++)
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			PUT(s[i]);
	PUT('\'');
	out[o] = '\0';
#undef PUT
}

static const char *root_element(const char *s, size_t n, size_t *len);

/* An XML report's format from its root element: the .NET tools' own, else JUnit. */
static ins_format xml_format(const char *s, size_t n)
{
	static const struct { const char *root; ins_format f; } roots[] = {
		{ "TestRun", INS_FORMAT_TRX }, { "test-run", INS_FORMAT_NUNIT },
		{ "test-results", INS_FORMAT_NUNIT }, { "assemblies", INS_FORMAT_XUNIT },
		{ "assembly", INS_FORMAT_XUNIT },
	};
	size_t len = 0;
	const char *root = root_element(s, n, &len);

	for (size_t i = 0; root && i < sizeof(roots) / sizeof(*roots); i++)
		if (strlen(roots[i].root) == len && !memcmp(root, roots[i].root, len))
			return roots[i].f;
	return INS_FORMAT_JUNIT;
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
		*out = xml_format(head + i, len - i);
		return 0;
	}
	if (ins_format_sniff_stream(head + i, len - i, out) == 0)
		return 0;
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
	{
		char saw[160];

		describe_head(head + i, len - i, saw, sizeof(saw));
		return ins_error_set(INS_EINVALID, "not a test report insight knows (%s; insight "
				     "reads JUnit XML, pytest report-log, CTRF, go test -json, TAP, "
				     "Mocha JSON, Jest JSON, Allure results, TRX, NUnit and xUnit.net "
				     "XML)", saw);
	}
}

int ins_ingest_input(ins_input *in, ins_format fmt, const ins_ingest_sink *sink)
{
	const char *head;
	ssize_t n;

	if (fmt == INS_FORMAT_AUTO) {
		if ((n = ins_input_peek(in, &head, HEAD_SIZE)) < 0)
			return (int)n;
		if (n == 0)
			return ins_error_set(INS_EINVALID, "%s: empty file", ins_input_display(in));
		if (ins_format_sniff(head, (size_t)n, &fmt) < 0)
			return ins_error_prefix("%s", ins_input_display(in));
	}
	switch (fmt) {
	case INS_FORMAT_JUNIT:
		return ins_ingest_junit_input(in, sink);
	case INS_FORMAT_REPORTLOG:
		return ins_ingest_reportlog_input(in, sink);
	case INS_FORMAT_CTRF:
		return ins_ingest_ctrf_input(in, sink);
	case INS_FORMAT_GOTEST:
		return ins_ingest_gotest_input(in, sink);
	case INS_FORMAT_TAP:
		return ins_ingest_tap_input(in, sink);
	case INS_FORMAT_MOCHA:
		return ins_ingest_mocha_input(in, sink);
	case INS_FORMAT_JEST:
		return ins_ingest_jest_input(in, sink);
	case INS_FORMAT_ALLURE:
		return ins_ingest_allure_input(in, sink);
	case INS_FORMAT_TRX:
		return ins_ingest_trx_input(in, sink);
	case INS_FORMAT_NUNIT:
		return ins_ingest_nunit_input(in, sink);
	case INS_FORMAT_XUNIT:
		return ins_ingest_xunit_input(in, sink);
	default:
		return ins_error_set(INS_EUSAGE, "%s: unknown report format %d",
				     ins_input_display(in), (int)fmt);
	}
}

int ins_ingest_path(const char *path, const char *display, ins_format fmt,
		    const ins_ingest_sink *sink)
{
	ins_input *in;
	int ret;

	if ((ret = ins_input_open(&in, path, display)) < 0)
		return ret;
	ret = ins_ingest_input(in, fmt, sink);
	ins_input_close(in);
	return ret;
}

int ins_ingest__over_fd(int (*parse)(ins_input *, const ins_ingest_sink *), int fd,
			const char *display, const ins_ingest_sink *sink)
{
	ins_input *in;
	int ret;

	if ((ret = ins_input_from_fd(&in, fd, display)) < 0)
		return ret;
	ret = parse(in, sink);
	ins_input_close(in);
	return ret;
}

int ins_ingest_junit(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_junit_input, fd, display ? display : "<junit>", sink);
}

int ins_ingest_reportlog(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_reportlog_input, fd,
				   display ? display : "report-log", sink);
}

int ins_ingest_ctrf(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_ctrf_input, fd,
				   display ? display : "CTRF report", sink);
}

/* Where `needle` ends in s[from..n), or 0 when it is not there. */
static size_t after(const char *s, size_t from, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t j = from; j + k <= n; j++)
		if (!memcmp(s + j, needle, k))
			return j + k;
	return 0;
}

/* The name of the root element of the XML in s[0..n), or NULL when it is not there. */
static const char *root_element(const char *s, size_t n, size_t *len)
{
	size_t i = 0, next;

	if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	for (;;) {
		while (i < n && space(s[i]))
			i++;
		if (i + 1 >= n || s[i] != '<')
			return NULL;
		if (s[i + 1] == '?') {
			next = after(s, i + 2, n, "?>");
		} else if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
			next = after(s, i + 4, n, "-->");
		} else if (s[i + 1] == '!') {
			/* a DOCTYPE, perhaps with an internal subset in brackets */
			int depth = 0;

			next = 0;
			for (size_t j = i + 2; j < n && !next; j++) {
				if (s[j] == '[')
					depth++;
				else if (s[j] == ']')
					depth--;
				else if (s[j] == '>' && depth <= 0)
					next = j + 1;
			}
		} else {
			size_t j = i + 1;

			while (j < n && !space(s[j]) && s[j] != '>' && s[j] != '/')
				j++;
			if (j == n)
				return NULL;
			*len = j - i - 1;
			return s + i + 1;
		}
		if (!next)
			return NULL;
		i = next;
	}
}

int ins_companion_file(const char *head, size_t n, char *why, size_t whylen)
{
	static const struct { const char *root, *what; } known[] = {
		{ "failsafe-summary", "Maven Failsafe's summary" },
		{ "testng-results", "TestNG's own results file (its JUnit reports are read)" },
		{ "suite", "a TestNG suite definition" },
		{ "project", "a build file" },
	};
	const char *root;
	size_t len = 0;
	ins_format fmt;

	if (!n)
		return 0;
	if (ins_format_sniff(head, n, &fmt) < 0) {
		snprintf(why, whylen, "not a test report insight knows");
		ins_error_clear();
		return 1;
	}
	if (fmt != INS_FORMAT_JUNIT || !(root = root_element(head, n, &len)))
		return 0;
	if ((len == 9 && !memcmp(root, "testsuite", 9)) ||
	    (len == 10 && !memcmp(root, "testsuites", 10)))
		return 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strlen(known[i].root) == len && !memcmp(root, known[i].root, len)) {
			snprintf(why, whylen, "%s, not a test report", known[i].what);
			return 1;
		}
	if (len > 64)
		len = 64;
	snprintf(why, whylen, "not a test report (its root element is <%.*s>)", (int)len, root);
	for (char *c = why; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return 1;
}
