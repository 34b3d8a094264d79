/*
 * allure_out.c - a stored session written as an Allure 2 results directory
 * (what the Allure adapters write and `allure generate` reads).
 *
 * Files:
 *
 *   <uuid>-result.json      one per attempt; the attempts of a test share
 *                           historyId (the first 32 hex digits of the
 *                           SHA-256 of its node id: stable across sessions,
 *                           one per parameter set) and testCaseId (the same
 *                           of the node id without its parameters), so
 *                           Allure shows the earlier attempts as retries of
 *                           the last one and keeps the test's history
 *   <uuid>-attachment.txt   stdout, stderr and the captured log of an
 *                           attempt, as text/plain attachments
 *   environment.properties  SUT, session, commit, branch, host
 *                           (java.util.Properties escapes, ASCII only)
 *   executor.json           the CI (name, type, build name, order and URL)
 *                           or insight itself for a local session; Allure
 *                           labels the points of its trend with it, in the
 *                           order of buildOrder (the CI's build number when
 *                           it is one, else the session's start in ms)
 *   categories.json         one category per failure cause of the session
 *                           (the 100 with the most failures), matching the
 *                           exact messages of its failures, and one for
 *                           flaky tests
 *
 * Outcomes become Allure statuses:
 *
 *   passed   passed                 xpassed  passed, message "XPASS ..."
 *   failed   failed                 error    broken
 *   skipped  skipped                xfailed  skipped, message "XFAIL ..."
 *
 * (the notes are allure-pytest's, which insight's own Allure import reads
 * back). statusDetails.flaky is set on a final attempt that passed after a
 * failing one. start and stop are epoch milliseconds: the recorded start
 * of the attempt, else the end of the previous attempt (or the session's
 * start) and the attempt's duration; a later attempt always starts and
 * stops later than the one before, a millisecond later at least, because
 * Allure takes the attempt that started last as the result, and of two
 * that started in the same millisecond, either.
 *
 * Names and labels from the node id: "tests/api/test_x.py::TestC::test_m[1-a]"
 * has name "test_m[1-a]", fullName "tests/api/test_x.py::TestC::test_m",
 * one parameter "id" = "1-a", labels parentSuite "tests.api", suite
 * "test_x", subSuite "TestC", package "tests.api.test_x", testClass
 * "tests.api.test_x.TestC", testMethod "test_m". A node id that starts
 * with a class ("com.shop.CartTest::testAdd", as JUnit reports give) has
 * parentSuite and package "com.shop", suite "CartTest", testClass
 * "com.shop.CartTest". Also: host, framework (the report's format), tag
 * for each marker and label.tag property, and the epic, feature, story,
 * severity and owner labels an Allure import kept as properties.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/export.h"
#include "insight/fingerprint.h"
#include "insight/hash.h"
#include "insight/model.h"
#include "insight/timeutil.h"
#include "publish/publish_internal.h"
#include "store/store_internal.h"

#define MAX_CATEGORIES 100      /* causes written to categories.json */
#define MAX_CATEGORY_MESSAGES 50 /* distinct messages matched by one category */

struct allure {
	ins_store *store;
	const char *dir;
	ins_buf path;
	uint8_t seed[32];
	uint64_t counter;
	int64_t session_id, started_ms;
	const char *host, *format;
	sqlite3_stmt *props;
	/* the test being written */
	ins_buf nodeid;
	int failed_before;
	int64_t prev_start, prev_stop; /* the test's attempt before; 0: none */
};

/* A column's text, NULL when it is NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : ins_store__col_text(st, i);
}

static void json_str(FILE *fp, const char *s)
{
	ins_publish__json_str_n(fp, s ? s : "", strlen(s ? s : ""));
}

/* A version 4 (random) uuid: the seed read once, then hashed with a counter. */
static void new_uuid(struct allure *a, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t in[40], d[INS_SHA256_LEN];
	ins_sha256 h;
	char *o = out;

	memcpy(in, a->seed, 32);
	for (int i = 0; i < 8; i++)
		in[32 + i] = (uint8_t)(a->counter >> (8 * i));
	a->counter++;
	ins_sha256_init(&h);
	ins_sha256_update(&h, in, sizeof(in));
	ins_sha256_final(&h, d);
	d[6] = (uint8_t)((d[6] & 0x0F) | 0x40);
	d[8] = (uint8_t)((d[8] & 0x3F) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[d[i] >> 4];
		*o++ = hex[d[i] & 15];
	}
	*o = '\0';
}

static void seed_init(struct allure *a)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd >= 0) {
		while (got < sizeof(a->seed)) {
			ssize_t n = read(fd, a->seed + got, sizeof(a->seed) - got);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
		close(fd);
	}
	if (got < sizeof(a->seed)) {
		/* no /dev/urandom: the uuids stay distinct within the directory */
		int64_t now = ins_time_now_ms();

		memcpy(a->seed, &now, sizeof(now));
		memcpy(a->seed + sizeof(now), &a, sizeof(a));
	}
}

static FILE *open_file(struct allure *a, const char *name)
{
	FILE *fp;

	ins_buf_set(&a->path, a->dir);
	ins_buf_putc(&a->path, '/');
	ins_buf_puts(&a->path, name);
	if (!(fp = fopen(a->path.ptr, "w")))
		ins_error_set(INS_EIO, "cannot write %s: %s", a->path.ptr, strerror(errno));
	return fp;
}

static int close_file(struct allure *a, FILE *fp)
{
	int bad = ferror(fp);

	if (fclose(fp) != 0 || bad)
		return ins_error_set(INS_EIO, "cannot write %s: %s", a->path.ptr,
				     strerror(errno ? errno : EIO));
	return 0;
}

/* 32 hex digits naming `s[0..n)`. */
static void id_of(char out[33], const char *s, size_t n)
{
	char hex[65];

	ins_sha256_hex(hex, s, n);
	memcpy(out, hex, 32);
	out[32] = '\0';
}

static void label(FILE *fp, int *first, const char *name, const char *value, size_t n)
{
	fprintf(fp, "%s{\"name\": \"%s\", \"value\": ", *first ? "" : ", ", name);
	ins_publish__json_str_n(fp, value, n);
	fputc('}', fp);
	*first = 0;
}

static void label_s(FILE *fp, int *first, const char *name, const char *value)
{
	label(fp, first, name, value, strlen(value));
}

/* Does the first part of a node id name a file (rather than a class)? */
static int names_file(const char *s, size_t n)
{
	static const char *const ext[] = {
		"py", "js", "mjs", "cjs", "jsx", "ts", "tsx", "go", "rb", "rs", "php", "cs",
		"feature", NULL
	};
	const char *dot = NULL;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/' || s[i] == '\\')
			return 1;
		if (s[i] == '.')
			dot = s + i;
	}
	if (!dot)
		return 0;
	for (int i = 0; ext[i]; i++)
		if ((size_t)(s + n - dot - 1) == strlen(ext[i]) && !strncmp(dot + 1, ext[i], strlen(ext[i])))
			return 1;
	return 0;
}

/* `s` with '/' and '\\' as '.', appended to b. */
static void put_dotted(ins_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ins_buf_putc(b, s[i] == '/' || s[i] == '\\' ? '.' : s[i]);
}

/* The suite labels, package, testClass and testMethod of node id `base` (no parameters). */
static void put_path_labels(FILE *fp, int *first, const char *base, const char *classname,
			    const char *method)
{
	const char *sep = NULL, *p;
	ins_buf pkg = INS_BUF_INIT, cls = INS_BUF_INIT, sub = INS_BUF_INIT;
	const char *head;
	size_t headn;

	for (p = base; (p = strstr(p, "::")); p += 2)
		if (!sep)
			sep = p;
	/* head: the first part (a file or a class); sub: the parts between it and the name */
	if (sep) {
		const char *last = NULL;

		head = base;
		headn = (size_t)(sep - base);
		for (p = base; (p = strstr(p, "::")); p += 2)
			last = p;
		if (last > sep)
			ins_buf_put(&sub, sep + 2, (size_t)(last - sep - 2));
	} else if (classname && *classname) {
		head = classname;
		headn = strlen(classname);
	} else {
		head = NULL;
		headn = 0;
	}
	if (head && names_file(head, headn)) {
		const char *slash = NULL, *dot = NULL;

		for (size_t i = 0; i < headn; i++) {
			if (head[i] == '/' || head[i] == '\\')
				slash = head + i, dot = NULL;
			else if (head[i] == '.')
				dot = head + i;
		}
		const char *mod = slash ? slash + 1 : head;
		size_t modn = (size_t)((dot ? dot : head + headn) - mod);

		if (slash) {
			put_dotted(&pkg, head, (size_t)(slash - head));
			label(fp, first, "parentSuite", pkg.ptr, pkg.len);
			ins_buf_putc(&pkg, '.');
		}
		ins_buf_put(&pkg, mod, modn);
		label(fp, first, "suite", mod, modn);
		if (sub.len)
			label(fp, first, "subSuite", sub.ptr, sub.len);
		ins_buf_set(&cls, pkg.ptr);
		if (sub.len) {
			ins_buf_putc(&cls, '.');
			for (size_t i = 0; i < sub.len; i++)
				if (!(sub.ptr[i] == ':' && i + 1 < sub.len && sub.ptr[i + 1] == ':'))
					ins_buf_putc(&cls, sub.ptr[i] == ':' ? '.' : sub.ptr[i]);
		}
	} else if (head) {
		const char *dot = NULL;

		for (size_t i = 0; i < headn; i++)
			if (head[i] == '.')
				dot = head + i;
		if (dot) {
			label(fp, first, "parentSuite", head, (size_t)(dot - head));
			ins_buf_put(&pkg, head, (size_t)(dot - head));
			label(fp, first, "suite", dot + 1, (size_t)(head + headn - dot - 1));
		} else {
			ins_buf_put(&pkg, head, headn);
			label(fp, first, "suite", head, headn);
		}
		if (sub.len)
			label(fp, first, "subSuite", sub.ptr, sub.len);
		ins_buf_put(&cls, head, headn);
	}
	if (pkg.len)
		label(fp, first, "package", pkg.ptr, pkg.len);
	if (cls.len)
		label(fp, first, "testClass", cls.ptr, cls.len);
	label_s(fp, first, "testMethod", method);
	ins_buf_release(&pkg);
	ins_buf_release(&cls);
	ins_buf_release(&sub);
}

static const char *allure_status(int outcome)
{
	switch (outcome) {
	case INS_OUTCOME_PASSED: case INS_OUTCOME_XPASSED: return "passed";
	case INS_OUTCOME_FAILED: return "failed";
	case INS_OUTCOME_ERROR: return "broken";
	default: return "skipped";
	}
}

static int failing(int outcome)
{
	return outcome == INS_OUTCOME_FAILED || outcome == INS_OUTCOME_ERROR;
}

/* An attachment file with `text`, listed in the result as `name`. */
static int put_attachment(struct allure *a, FILE *res, int *first, const char *name,
			  const char *text)
{
	char uuid[37], file[64];
	FILE *fp;
	int rc;

	if (!text || !*text)
		return 0;
	new_uuid(a, uuid);
	snprintf(file, sizeof(file), "%s-attachment.txt", uuid);
	if (!(fp = open_file(a, file)))
		return INS_EIO;
	fputs(text, fp);
	if ((rc = close_file(a, fp)) < 0)
		return rc;
	fprintf(res, "%s{\"name\": \"%s\", \"source\": \"%s\", \"type\": \"text/plain\"}",
		*first ? "" : ", ", name, file);
	*first = 0;
	return 0;
}

/* pytest's own markers, which are not tags (allure-pytest leaves them out too). */
static int builtin_marker(const char *m)
{
	static const char *const builtin[] = {
		"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings", NULL
	};

	for (int i = 0; builtin[i]; i++)
		if (!strcmp(m, builtin[i]))
			return 1;
	return 0;
}

/* The labels kept as properties: markers and an earlier Allure import's labels. */
static int put_property_labels(struct allure *a, FILE *fp, int *first, int64_t test_id,
			       int attempt)
{
	static const char *const kept[] = {
		"label.tag", "label.epic", "label.feature", "label.story", "label.severity",
		"label.owner", NULL
	};
	sqlite3_stmt *st = a->props;
	int step;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, a->session_id);
	sqlite3_bind_int64(st, 2, test_id);
	sqlite3_bind_int(st, 3, attempt);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = ins_store__col_text(st, 0), *value = ins_store__col_text(st, 1);

		if (!key || !value || !*value)
			continue;
		if (!strcmp(key, "marker")) {
			if (!builtin_marker(value))
				label_s(fp, first, "tag", value);
			continue;
		}
		for (int i = 0; kept[i]; i++)
			if (!strcmp(key, kept[i]))
				label_s(fp, first, key + 6, value);
	}
	if (step != SQLITE_DONE)
		return ins_store__error(a->store, "reading the properties of a result");
	return 0;
}

/* One attempt: columns as selected in ins_export_allure(). */
static int put_result(struct allure *a, sqlite3_stmt *st)
{
	const char *nodeid = col(st, 0);
	const char *classname = col(st, 1);
	int attempt = sqlite3_column_int(st, 2), outcome = sqlite3_column_int(st, 3);
	double duration = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 :
			  sqlite3_column_double(st, 4);
	int has_start = sqlite3_column_type(st, 5) != SQLITE_NULL;
	int64_t start = sqlite3_column_int64(st, 5), stop;
	const char *message = col(st, 6), *detail = col(st, 7);
	const char *out = col(st, 8), *err = col(st, 9);
	const char *log = col(st, 10);
	int64_t test_id = sqlite3_column_int64(st, 11);
	int final = sqlite3_column_int(st, 12);
	const char *sep = NULL, *p, *open, *name;
	size_t basen, paramn = 0;
	char uuid[37], file[64], history[33], testcase[33];
	ins_buf base = INS_BUF_INIT, method = INS_BUF_INIT, note = INS_BUF_INIT;
	int first, rc = 0, flaky;
	FILE *fp = NULL;

	if (!nodeid)
		return 0;
	if (strcmp(nodeid, a->nodeid.ptr)) {
		ins_buf_set(&a->nodeid, nodeid);
		a->failed_before = 0;
		a->prev_start = a->prev_stop = 0;
	}
	/* the name: the last part of the node id; its parameters: what "[...]" closes it with */
	for (p = nodeid; (p = strstr(p, "::")); p += 2)
		sep = p;
	name = sep ? sep + 2 : nodeid;
	open = strchr(name, '[');
	basen = strlen(nodeid);
	if (open && basen > 1 && nodeid[basen - 1] == ']') {
		paramn = (size_t)(nodeid + basen - 1 - open - 1);
		basen = (size_t)(open - nodeid);
	} else {
		open = NULL;
	}
	ins_buf_put(&base, nodeid, basen);
	ins_buf_put(&method, name, open ? (size_t)(open - name) : strlen(name));
	id_of(history, nodeid, strlen(nodeid));
	id_of(testcase, base.ptr, base.len);

	if (!has_start)
		start = a->prev_stop ? a->prev_stop : a->started_ms;
	if (a->prev_stop && start <= a->prev_start)
		start = a->prev_start + 1;
	stop = start + (duration > 0 ? (int64_t)(duration * 1000.0 + 0.5) : 0);
	if (a->prev_stop && stop <= a->prev_stop)
		stop = a->prev_stop + 1;
	a->prev_start = start;
	a->prev_stop = stop;
	flaky = final && a->failed_before &&
		(outcome == INS_OUTCOME_PASSED || outcome == INS_OUTCOME_XPASSED);
	if (failing(outcome))
		a->failed_before = 1;

	new_uuid(a, uuid);
	snprintf(file, sizeof(file), "%s-result.json", uuid);
	if (!(fp = open_file(a, file))) {
		rc = INS_EIO;
		goto done;
	}
	fprintf(fp, "{\"uuid\": \"%s\", \"historyId\": \"%s\", \"testCaseId\": \"%s\",\n"
		" \"name\": ", uuid, history, testcase);
	json_str(fp, name);
	fputs(", \"fullName\": ", fp);
	json_str(fp, base.ptr);
	fprintf(fp, ",\n \"status\": \"%s\", \"stage\": \"finished\", \"start\": %lld, "
		"\"stop\": %lld,\n \"statusDetails\": {\"known\": false, \"muted\": false, "
		"\"flaky\": %s", allure_status(outcome), (long long)start, (long long)stop,
		flaky ? "true" : "false");
	if (outcome == INS_OUTCOME_XFAILED || outcome == INS_OUTCOME_XPASSED) {
		ins_buf_puts(&note, outcome == INS_OUTCOME_XFAILED ? "XFAIL" : "XPASS");
		if (message && *message)
			ins_buf_printf(&note, " %s", message);
		else
			ins_buf_puts(&note, outcome == INS_OUTCOME_XFAILED ?
				     " expected to fail, and failed" :
				     " expected to fail, but passed");
		message = note.ptr;
	}
	if (message) {
		fputs(", \"message\": ", fp);
		json_str(fp, message);
	}
	if (detail) {
		fputs(", \"trace\": ", fp);
		json_str(fp, detail);
	}
	fputs("},\n \"labels\": [", fp);
	first = 1;
	put_path_labels(fp, &first, base.ptr, classname, method.ptr);
	if (a->host)
		label_s(fp, &first, "host", a->host);
	if (a->format)
		label_s(fp, &first, "framework", a->format);
	if ((rc = put_property_labels(a, fp, &first, test_id, attempt)) < 0)
		goto done;
	fputs("],\n \"parameters\": [", fp);
	if (open) {
		fputs("{\"name\": \"id\", \"value\": ", fp);
		ins_publish__json_str_n(fp, open + 1, paramn);
		fputc('}', fp);
	}
	fputs("],\n \"attachments\": [", fp);
	first = 1;
	if ((rc = put_attachment(a, fp, &first, "stdout", out)) < 0 ||
	    (rc = put_attachment(a, fp, &first, "stderr", err)) < 0 ||
	    (rc = put_attachment(a, fp, &first, "log", log)) < 0)
		goto done;
	fputs("], \"links\": [], \"steps\": []}\n", fp);
done:
	if (fp) {
		int crc = close_file(a, fp);

		if (!rc)
			rc = crc;
	}
	ins_buf_release(&base);
	ins_buf_release(&method);
	ins_buf_release(&note);
	return rc;
}

/* A java.util.Properties key or value: escaped, ASCII only (\uXXXX beyond). */
static void prop_put(FILE *fp, const char *s, int key)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i];) {
		unsigned cp = u[i], len = 1;

		if (cp >= 0xC0 && cp < 0xE0 && (u[i + 1] & 0xC0) == 0x80) {
			cp = ((cp & 0x1F) << 6) | (u[i + 1] & 0x3F);
			len = 2;
		} else if (cp >= 0xE0 && cp < 0xF0 && (u[i + 1] & 0xC0) == 0x80 &&
			   (u[i + 2] & 0xC0) == 0x80) {
			cp = ((cp & 0x0F) << 12) | ((u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
			len = 3;
		} else if (cp >= 0xF0 && cp < 0xF5 && (u[i + 1] & 0xC0) == 0x80 &&
			   (u[i + 2] & 0xC0) == 0x80 && (u[i + 3] & 0xC0) == 0x80) {
			cp = ((cp & 0x07) << 18) | ((u[i + 1] & 0x3F) << 12) |
			     ((u[i + 2] & 0x3F) << 6) | (u[i + 3] & 0x3F);
			len = 4;
		} else if (cp >= 0x80) {
			cp = 0xFFFD;
		}
		i += len;
		switch (cp) {
		case '\\': fputs("\\\\", fp); continue;
		case '\n': fputs("\\n", fp); continue;
		case '\r': fputs("\\r", fp); continue;
		case '\t': fputs("\\t", fp); continue;
		case '\f': fputs("\\f", fp); continue;
		case '=': case ':': case '#': case '!':
			fputs(key ? "\\" : "", fp);
			fputc((int)cp, fp);
			continue;
		case ' ':
			/* a key's spaces, and a value's leading ones, would be dropped */
			fputs(key || i == 1 ? "\\ " : " ", fp);
			continue;
		}
		if (cp < 0x20 || cp >= 0x7F) {
			if (cp > 0xFFFF) {
				cp -= 0x10000;
				fprintf(fp, "\\u%04X\\u%04X", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
			} else {
				fprintf(fp, "\\u%04X", cp);
			}
			continue;
		}
		fputc((int)cp, fp);
	}
}

static void prop(FILE *fp, const char *key, const char *value)
{
	if (!value)
		return;
	prop_put(fp, key, 1);
	fputc('=', fp);
	prop_put(fp, value, 0);
	fputc('\n', fp);
}

/* The name CI providers go by (ci.h's provider names). */
static const char *ci_name(const char *provider)
{
	static const char *const names[][2] = {
		{ "github", "GitHub Actions" }, { "gitlab", "GitLab CI" },
		{ "azure", "Azure Pipelines" }, { "circleci", "CircleCI" },
		{ "travis", "Travis CI" }, { "bitbucket", "Bitbucket Pipelines" },
		{ "buildkite", "Buildkite" }, { "teamcity", "TeamCity" },
		{ "jenkins", "Jenkins" }, { "generic", "CI" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(provider, names[i][0]))
			return names[i][1];
	return provider;
}

static int all_digits(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* environment.properties and executor.json, from the session row. */
static int put_session_files(struct allure *a, sqlite3_stmt *st, const char *uid,
			     const ins_allure_opts *opts)
{
	const char *sut = col(st, 1), *commit = col(st, 5);
	const char *branch = col(st, 6), *provider = col(st, 7);
	const char *build_id = col(st, 8), *build_url = col(st, 9);
	const char *job = col(st, 10);
	FILE *fp;
	int rc;

	if (!(fp = open_file(a, "environment.properties")))
		return INS_EIO;
	prop(fp, "SUT", sut);
	prop(fp, "session", uid);
	prop(fp, "commit", commit);
	prop(fp, "branch", branch);
	prop(fp, "host", a->host);
	if ((rc = close_file(a, fp)) < 0)
		return rc;

	if (!(fp = open_file(a, "executor.json")))
		return INS_EIO;
	fputs("{\"name\": ", fp);
	json_str(fp, provider ? ci_name(provider) : "insight");
	fputs(", \"type\": ", fp);
	json_str(fp, provider ? provider : "insight");
	/* the trend is ordered by buildOrder: the CI's build number, else the session's start (ms) */
	fprintf(fp, ", \"buildOrder\": %lld, \"buildName\": ",
		all_digits(build_id) ? atoll(build_id) : (long long)a->started_ms);
	{
		ins_buf bn = INS_BUF_INIT;

		ins_buf_printf(&bn, "%s", sut ? sut : "");
		if (job)
			ins_buf_printf(&bn, " %s", job);
		ins_buf_printf(&bn, " #%s", build_id ? build_id : uid);
		json_str(fp, bn.ptr);
		ins_buf_release(&bn);
	}
	if (build_url) {
		fputs(", \"url\": ", fp);
		json_str(fp, build_url);
		fputs(", \"buildUrl\": ", fp);
		json_str(fp, build_url);
	}
	if (opts && opts->report_url) {
		fputs(", \"reportUrl\": ", fp);
		json_str(fp, opts->report_url);
	}
	fputs(", \"reportName\": ", fp);
	json_str(fp, sut ? sut : "insight");
	fputs("}\n", fp);
	return close_file(a, fp);
}

/* `s` as a Java regular expression matching it literally. */
static void put_quoted_regex(ins_buf *b, const char *s)
{
	const char *e;

	ins_buf_puts(b, "\\Q");
	while ((e = strstr(s, "\\E"))) {
		ins_buf_put(b, s, (size_t)(e - s));
		ins_buf_puts(b, "\\E\\\\E\\Q");
		s = e + 2;
	}
	ins_buf_puts(b, s);
	ins_buf_puts(b, "\\E");
}

static void put_category(FILE *fp, const char *signature, const ins_buf *regex, size_t *ncat)
{
	ins_buf title = INS_BUF_INIT;

	ins_fingerprint_title(&title, signature);
	fputs(*ncat ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
	json_str(fp, title.ptr);
	fputs(", \"messageRegex\": ", fp);
	json_str(fp, regex->ptr);
	fputs(", \"matchedStatuses\": [\"failed\", \"broken\"]}", fp);
	(*ncat)++;
	ins_buf_release(&title);
}

/* categories.json: the session's failure causes, most failures first. */
static int put_categories(struct allure *a)
{
	sqlite3_stmt *st = NULL;
	ins_buf regex = INS_BUF_INIT, sig = INS_BUF_INIT;
	int64_t cur = -1;
	size_t ncat = 0, nmsg = 0;
	FILE *fp;
	int rc, step;

	if ((rc = ins_store__prepare(a->store, &st,
		"SELECT c.id, c.signature, r.message, sum(count(*)) OVER (PARTITION BY c.id) AS n "
		"FROM result r JOIN fingerprint f ON f.id = r.fingerprint_id "
		"JOIN cause c ON c.id = f.cause_id WHERE r.session_id = ?1 AND r.outcome IN (?2, ?3) "
		"AND r.message IS NOT NULL AND r.message <> '' "
		"GROUP BY c.id, r.message ORDER BY n DESC, c.id, count(*) DESC, r.message")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, a->session_id);
	sqlite3_bind_int(st, 2, INS_OUTCOME_FAILED);
	sqlite3_bind_int(st, 3, INS_OUTCOME_ERROR);
	if (!(fp = open_file(a, "categories.json"))) {
		sqlite3_finalize(st);
		return INS_EIO;
	}
	fputc('[', fp);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id != cur) {
			if (cur >= 0)
				put_category(fp, sig.ptr, &regex, &ncat);
			if (ncat >= MAX_CATEGORIES) {
				cur = -1;
				break;
			}
			cur = id;
			nmsg = 0;
			ins_buf_clear(&regex);
			ins_buf_set(&sig, ins_store__col_text(st, 1) ? ins_store__col_text(st, 1) : "");
		}
		if (nmsg++ >= MAX_CATEGORY_MESSAGES)
			continue;
		if (regex.len)
			ins_buf_putc(&regex, '|');
		put_quoted_regex(&regex, ins_store__col_text(st, 2));
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ins_store__error(a->store, "reading the session's failure causes");
	else if (cur >= 0)
		put_category(fp, sig.ptr, &regex, &ncat);
	fputs(ncat ? ",\n  " : "\n  ", fp);
	fputs("{\"name\": \"Flaky tests\", \"matchedStatuses\": [\"passed\", \"failed\", "
	      "\"broken\"], \"flaky\": true}\n]\n", fp);
	sqlite3_finalize(st);
	ins_buf_release(&regex);
	ins_buf_release(&sig);
	{
		int crc = close_file(a, fp);

		return rc < 0 ? rc : crc;
	}
}

int ins_export_allure(ins_store *store, const char *uid, const char *dir,
		      const ins_allure_opts *opts)
{
	struct allure a;
	sqlite3_stmt *st = NULL, *rs = NULL;
	char *host = NULL, *format = NULL;
	int rc, step;

	memset(&a, 0, sizeof(a));
	a.store = store;
	a.dir = dir;
	ins_buf_init(&a.path);
	ins_buf_init(&a.nodeid);
	seed_init(&a);
	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.id, u.name, s.started_ms, s.host, s.format, s.git_commit, s.git_branch, "
		"s.ci_provider, s.ci_build_id, s.ci_build_url, s.ci_job "
		"FROM session s JOIN sut u ON u.id = s.sut_id WHERE s.uid = ?1")) < 0)
		goto done;
	ins_store__bind_text(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = ins_error_set(INS_ENOTFOUND, "no session %s", uid);
		goto done;
	}
	a.session_id = sqlite3_column_int64(st, 0);
	a.started_ms = sqlite3_column_int64(st, 2);
	a.host = host = ins_xstrdup(col(st, 3));
	a.format = format = ins_xstrdup(col(st, 4));
	if (a.format && !strcmp(a.format, "reportlog"))
		a.format = "pytest";
	if ((rc = put_session_files(&a, st, uid, opts)) < 0)
		goto done;
	if ((rc = ins_store__prepare(store, &a.props,
		"SELECT key, value FROM result_property WHERE session_id = ?1 AND test_id = ?2 "
		"AND attempt = ?3 ORDER BY rowid")) < 0)
		goto done;
	if ((rc = ins_store__prepare(store, &rs,
		"SELECT t.nodeid, t.classname, r.attempt, r.outcome, r.duration, r.start_ms, "
		"r.message, x.detail, x.stdout, x.stderr, x.log, r.test_id, r.final "
		"FROM result r JOIN test t ON t.id = r.test_id "
		"LEFT JOIN result_text x ON x.session_id = r.session_id AND x.test_id = r.test_id "
		"AND x.attempt = r.attempt WHERE r.session_id = ?1 ORDER BY t.nodeid, r.attempt")) < 0)
		goto done;
	sqlite3_bind_int64(rs, 1, a.session_id);
	while ((step = sqlite3_step(rs)) == SQLITE_ROW)
		if ((rc = put_result(&a, rs)) < 0)
			goto done;
	if (step != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the session's results");
		goto done;
	}
	rc = put_categories(&a);
done:
	sqlite3_finalize(st);
	sqlite3_finalize(rs);
	sqlite3_finalize(a.props);
	ins_buf_release(&a.path);
	ins_buf_release(&a.nodeid);
	free(host);
	free(format);
	return rc < 0 ? rc : 0;
}

int ins_export_sessions(ins_store *store, const char *sut, int64_t since_ms, const char *commit,
			char ***uids, size_t *n)
{
	sqlite3_stmt *st = NULL;
	char **v = NULL;
	size_t alloc = 0, len = 0;
	int rc, step;

	*uids = NULL;
	*n = 0;
	if (sut) {
		if ((rc = ins_store__prepare(store, &st, "SELECT 1 FROM sut WHERE name = ?1")) < 0)
			return rc;
		ins_store__bind_text(st, 1, sut);
		step = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (step != SQLITE_ROW)
			return ins_error_set(INS_ENOTFOUND, "no SUT named '%s' (see 'insight sut list')",
					     sut);
	}
	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.uid FROM session s JOIN sut u ON u.id = s.sut_id WHERE s.started_ms >= ?1 "
		"AND (?2 IS NULL OR u.name = ?2) "
		"AND (?3 IS NULL OR substr(s.git_commit, 1, length(?3)) = ?3) "
		"ORDER BY s.started_ms, s.id")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, since_ms);
	ins_store__bind_text(st, 2, sut);
	ins_store__bind_text(st, 3, commit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		v = ins_xgrow(v, &alloc, len + 2, sizeof(*v));
		v[len++] = ins_xstrdup(ins_store__col_text(st, 0));
		v[len] = NULL;
	}
	if (step != SQLITE_DONE) {
		rc = ins_store__error(store, "listing sessions");
		sqlite3_finalize(st);
		ins_export_uids_free(v);
		return rc;
	}
	sqlite3_finalize(st);
	if (!v)
		v = ins_xcalloc(1, sizeof(*v));
	*uids = v;
	*n = len;
	return 0;
}

void ins_export_uids_free(char **uids)
{
	if (!uids)
		return;
	for (size_t i = 0; uids[i]; i++)
		free(uids[i]);
	free(uids);
}
