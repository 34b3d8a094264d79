/*
 * sniff_stream.c - telling go test -json, TAP, Mocha JSON, Jest JSON and
 * Allure results from their first bytes (see sniff_stream.h).
 *
 *   a line that is a JSON object with an "Action" key    go test -json
 *     (plain lines before it: "FAIL\t<pkg> [build failed]", compiler output)
 *   "TAP version N", a plan "1..N", "ok"/"not ok", "Bail out!"
 *     as the first line that is not a "#" comment         TAP
 *   an object with "numTotalTests", or "testResults"
 *     and "numFailedTestSuites"                            Jest --json
 *   an object with "stats" holding "suites" and "passes"   Mocha JSON
 *   an object with "uuid" and "historyId", or "uuid",
 *     "status" and "stage"                                 an Allure result
 *
 * A CTRF report ("reportFormat") is never taken for one of these.
 */
#include <string.h>
#include <unistd.h>

#include "insight/errors.h"
#include "ingest/sniff_stream.h"

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Does the JSON text s[0..n) have the key "key" (a string followed by ':')? */
static int has_key(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k + 2 <= n; i++) {
		size_t j;

		if (s[i] != '"' || memcmp(s + i + 1, key, k) || s[i + k + 1] != '"')
			continue;
		if (i && s[i - 1] == '\\')
			continue;
		j = i + k + 2;
		while (j < n && space(s[j]))
			j++;
		if (j < n && s[j] == ':')
			return 1;
	}
	return 0;
}

/* Is s[0..n) one line of test2json: {"Time":..., "Action":...}? */
static int gotest_line(const char *s, size_t n)
{
	while (n && space(*s)) {
		s++;
		n--;
	}
	return n && *s == '{' && has_key(s, n, "Action") &&
	       (has_key(s, n, "Package") || has_key(s, n, "Test") || has_key(s, n, "ImportPath") ||
		has_key(s, n, "Time"));
}

static int digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > start;
}

/* Is the line s[0..n) one that only TAP starts with? */
static int tap_line(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 12 && !memcmp(s, "TAP version ", 12))
		return 1;
	if (n >= 9 && !memcmp(s, "Bail out!", 9))
		return 1;
	if (n >= 2 && !memcmp(s, "ok", 2) && (n == 2 || s[2] == ' ' || s[2] == '\t'))
		return 1;
	if (n >= 6 && !memcmp(s, "not ok", 6) && (n == 6 || s[6] == ' ' || s[6] == '\t'))
		return 1;
	/* a plan: "1..N", perhaps with "# skip reason" */
	if (digits(s, n, &i) && i + 2 <= n && s[i] == '.' && s[i + 1] == '.') {
		i += 2;
		if (digits(s, n, &i) && (i == n || s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			return 1;
	}
	return 0;
}

static int sniff_lines(const char *s, size_t n, ins_format *out)
{
	int first = 1;

	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n, k = end - i;
		const char *line = s + i;

		i = end + 1;
		while (k && space(line[k - 1]))
			k--;
		if (!k)
			continue;
		if (gotest_line(line, k)) {
			*out = INS_FORMAT_GOTEST;
			return 0;
		}
		if (first && line[0] != '#') {
			first = 0;
			if (tap_line(line, k)) {
				*out = INS_FORMAT_TAP;
				return 0;
			}
		}
		/* go test -json before Go 1.24: a build failure is a plain line */
		if (k > 20 && !memcmp(line, "FAIL\t", 5) &&
		    (!memcmp(line + k - 15, " [build failed]", 15) ||
		     !memcmp(line + k - 15, " [setup failed]", 15))) {
			*out = INS_FORMAT_GOTEST;
			return 0;
		}
	}
	return -1;
}

int ins_allure_is_container(const char *s, size_t n)
{
	return n && *s == '{' && has_key(s, n, "uuid") && has_key(s, n, "children") &&
	       !has_key(s, n, "historyId") && !has_key(s, n, "status");
}

int ins_format_sniff_stream(const char *s, size_t n, ins_format *out)
{
	if (!n)
		return -1;
	if (*s == '{') {
		const char *nl = memchr(s, '\n', n);

		if (gotest_line(s, nl ? (size_t)(nl - s) : n)) {
			*out = INS_FORMAT_GOTEST;
			return 0;
		}
		if (has_key(s, n, "reportFormat"))
			return -1;
		if (has_key(s, n, "numTotalTests") ||
		    (has_key(s, n, "testResults") && has_key(s, n, "numFailedTestSuites"))) {
			*out = INS_FORMAT_JEST;
			return 0;
		}
		if (has_key(s, n, "stats") && has_key(s, n, "suites") && has_key(s, n, "passes")) {
			*out = INS_FORMAT_MOCHA;
			return 0;
		}
		if (has_key(s, n, "uuid") && (has_key(s, n, "historyId") ||
					      (has_key(s, n, "status") && has_key(s, n, "stage")))) {
			*out = INS_FORMAT_ALLURE;
			return 0;
		}
		return -1;
	}
	if (*s == '<')
		return -1;
	return sniff_lines(s, n, out);
}

int ins_ingest_gotest(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_gotest_input, fd,
				   display ? display : "go test -json", sink);
}

int ins_ingest_tap(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_tap_input, fd, display ? display : "TAP", sink);
}

int ins_ingest_mocha(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_mocha_input, fd,
				   display ? display : "Mocha JSON", sink);
}

int ins_ingest_jest(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_jest_input, fd,
				   display ? display : "Jest JSON", sink);
}

int ins_ingest_trx(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_trx_input, fd, display ? display : "TRX", sink);
}

int ins_ingest_nunit(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_nunit_input, fd,
				   display ? display : "NUnit XML", sink);
}

int ins_ingest_xunit(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_xunit_input, fd,
				   display ? display : "xUnit.net XML", sink);
}

int ins_ingest_allure(int fd, const char *display, const ins_ingest_sink *sink)
{
	return ins_ingest__over_fd(ins_ingest_allure_input, fd,
				   display ? display : "Allure result", sink);
}
