/*
 * junit_out.c - a stored session written back as JUnit XML, for the tools
 * that read nothing else: GitLab's artifacts:reports:junit (the merge
 * request widget), CircleCI's store_test_results, Jenkins' junit step.
 *
 * One <testsuite> named after the SUT; one <testcase> per test, its final
 * attempt deciding what it holds, as Maven Surefire writes retries:
 *
 *   final passed, earlier attempts failed   <flakyFailure>/<flakyError> each
 *   final failed or error                   <failure>/<error> (its kind the
 *                                           final's) holding the first
 *                                           failing attempt, then one
 *                                           <rerunFailure>/<rerunError> per
 *                                           later failing attempt, the
 *                                           final one last
 *   skipped, xfailed                        <skipped message="...">
 *   xpassed                                 passed (pytest's non-strict xpass)
 *
 * classname and name are the test's own when the report gave them; else
 * the node id is cut at its last "::" (the file or class, then the name).
 * A test with no class at all sits in a nested suite without a name, so
 * that the SUT's suite name is not read back as its class: exported and
 * imported again, every test keeps its node id.
 * Texts are escaped for XML; characters XML 1.0 forbids are written as
 * \xNN, so any reader takes the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/export.h"
#include "insight/model.h"
#include "insight/timeutil.h"
#include "store/store_internal.h"

/*
 * Escape `s` for XML text; forbidden characters as \xNN. In an attribute
 * (xml_attr) line breaks and tabs are character references, which a reader
 * keeps, where it would turn the characters themselves into spaces.
 */
static void xml_put_mode(FILE *fp, const char *s, int attr)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		case '\t': case '\n': case '\r':
			if (attr)
				fprintf(fp, "&#%d;", *p);
			else
				fputc(*p, fp);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else
				fputc(*p, fp);
		}
	}
}

static void xml_put(FILE *fp, const char *s)
{
	xml_put_mode(fp, s, 0);
}

static void xml_attr(FILE *fp, const char *s)
{
	xml_put_mode(fp, s, 1);
}

typedef ins_export_attempt attempt;

static void attempt_free(attempt *a)
{
	free(a->message);
	free(a->detail);
	free(a->out);
	free(a->err);
	memset(a, 0, sizeof(*a));
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL :
	       ins_xstrdup((const char *)sqlite3_column_text(st, col));
}

static void put_result_element(FILE *fp, const char *tag, const attempt *a, int with_time)
{
	fprintf(fp, "      <%s", tag);
	if (a->message) {
		fputs(" message=\"", fp);
		xml_attr(fp, a->message);
		fputc('"', fp);
	}
	if (with_time && a->duration >= 0)
		fprintf(fp, " time=\"%.3f\"", a->duration);
	if (!a->detail && !a->out && !a->err) {
		fputs("/>\n", fp);
		return;
	}
	fputc('>', fp);
	if (a->detail)
		xml_put(fp, a->detail);
	if (with_time && a->out) {
		fputs("<system-out>", fp);
		xml_put(fp, a->out);
		fputs("</system-out>", fp);
	}
	if (with_time && a->err) {
		fputs("<system-err>", fp);
		xml_put(fp, a->err);
		fputs("</system-err>", fp);
	}
	fprintf(fp, "</%s>\n", tag);
}

/* One test: its attempts in order, the last one final. */
static int put_testcase(void *data, const ins_export_test *t)
{
	FILE *fp = data;
	const attempt *at = t->attempts, *fin = &t->attempts[t->nattempts - 1];
	int failing = fin->outcome == INS_OUTCOME_FAILED || fin->outcome == INS_OUTCOME_ERROR;
	ins_buf mod = INS_BUF_INIT;
	const char *cls = t->classname;
	/*
	 * a class that is only the file (cut from file::name): the file's
	 * dotted module path, as pytest writes it (tests/test_x.py ->
	 * tests.test_x), which readers show and importers map back to the file
	 */
	if (t->file && !strcmp(cls, t->file) && *cls) {
		const char *dot = strrchr(cls, '.'), *slash = strrchr(cls, '/');
		size_t n = dot && (!slash || dot > slash + 1) ? (size_t)(dot - cls) : strlen(cls);

		for (size_t i = 0; i < n; i++)
			if (cls[i] != '/' || (mod.len && mod.ptr[mod.len - 1] != '.'))
				ins_buf_putc(&mod, cls[i] == '/' ? '.' : cls[i]);
		cls = mod.len ? mod.ptr : "";
	}
	/* a case identified by its class alone (JUnit 5's failing @BeforeAll) */
	const char *name = *cls && !strcmp(t->nodeid, cls) ? "" : t->name;
	int bare = !*cls, fin_rerun = 0; /* fin_rerun: the final written as a rerun element */

	/* no class: a suite without a name around it, so that a reader takes
	 * neither the SUT's suite name nor anything else for its class */
	if (bare)
		fputs("    <testsuite name=\"\">\n", fp);
	fputs("    <testcase classname=\"", fp);
	xml_attr(fp, cls);
	fputs("\" name=\"", fp);
	xml_attr(fp, name);
	fputc('"', fp);
	if (t->file) {
		fputs(" file=\"", fp);
		xml_attr(fp, t->file);
		fputc('"', fp);
	}
	if (fin->duration >= 0)
		fprintf(fp, " time=\"%.3f\"", fin->duration);
	fputs(">\n", fp);
	if (failing) {
		/* Surefire: the case's own element is the first run, reruns follow */
		while (at->outcome != INS_OUTCOME_FAILED && at->outcome != INS_OUTCOME_ERROR)
			at++;
		put_result_element(fp, fin->outcome == INS_OUTCOME_ERROR ? "error" : "failure", at, 0);
		fin_rerun = at != fin;
		at++;
	} else if (fin->outcome == INS_OUTCOME_SKIPPED || fin->outcome == INS_OUTCOME_XFAILED) {
		attempt skip = *fin;

		if (!skip.message && fin->outcome == INS_OUTCOME_XFAILED)
			skip.message = "expected failure";
		skip.detail = NULL;
		put_result_element(fp, "skipped", &skip, 0);
	}
	for (; failing ? at <= fin : at < fin; at++) {
		int err = at->outcome == INS_OUTCOME_ERROR;

		if (at->outcome != INS_OUTCOME_FAILED && !err)
			continue;
		put_result_element(fp, failing ? (err ? "rerunError" : "rerunFailure") :
				   (err ? "flakyError" : "flakyFailure"), at, 1);
	}
	if (fin->out && !fin_rerun) {
		fputs("      <system-out>", fp);
		xml_put(fp, fin->out);
		fputs("</system-out>\n", fp);
	}
	if (fin->err && !fin_rerun) {
		fputs("      <system-err>", fp);
		xml_put(fp, fin->err);
		fputs("</system-err>\n", fp);
	}
	fputs("    </testcase>\n", fp);
	if (bare)
		fputs("    </testsuite>\n", fp);
	ins_buf_release(&mod);
	return 0;
}

/* Hand one test to fn with its names filled in. */
static int emit_test(const char *nodeid, const char *classname, const char *name, const char *file,
		     const attempt *at, size_t n,
		     int (*fn)(void *data, const ins_export_test *t), void *data)
{
	ins_buf cls = INS_BUF_INIT, nm = INS_BUF_INIT;
	const char *sep = NULL;
	ins_export_test t;
	int rc;

	/* the node id cut at its last "::": the file or class, then the name */
	for (const char *p = nodeid; (p = strstr(p, "::")); p += 2)
		sep = p;
	if (classname && *classname)
		ins_buf_puts(&cls, classname);
	else if (sep)
		ins_buf_put(&cls, nodeid, (size_t)(sep - nodeid));
	if (name && *name)
		ins_buf_puts(&nm, name);
	else
		ins_buf_puts(&nm, sep ? sep + 2 : nodeid);
	t.nodeid = nodeid;
	t.classname = cls.ptr ? cls.ptr : "";
	t.name = nm.ptr;
	t.file = file;
	t.attempts = at;
	t.nattempts = n;
	rc = fn(data, &t);
	ins_buf_release(&cls);
	ins_buf_release(&nm);
	return rc;
}

int ins_export_each_test(ins_store *store, const char *uid,
			 int (*fn)(void *data, const ins_export_test *t), void *data)
{
	sqlite3_stmt *st = NULL;
	ins_buf cur = INS_BUF_INIT;
	char *classname = NULL, *name = NULL, *file = NULL;
	attempt *at = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT t.nodeid, t.classname, t.name, t.file, r.outcome, coalesce(r.duration, -1), "
		"r.message, x.detail, x.stdout, x.stderr FROM session s "
		"JOIN result r ON r.session_id = s.id JOIN test t ON t.id = r.test_id "
		"LEFT JOIN result_text x ON x.session_id = r.session_id AND x.test_id = r.test_id "
		"AND x.attempt = r.attempt WHERE s.uid = ?1 ORDER BY t.nodeid, r.attempt")) < 0)
		return rc;
	ins_store__bind_text(st, 1, uid);
	for (;;) {
		int step = sqlite3_step(st);
		const char *nodeid = step == SQLITE_ROW ? ins_store__col_text(st, 0) : NULL;

		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = ins_store__error(store, "reading the session's results");
			goto done;
		}
		if (n && (!nodeid || strcmp(nodeid, cur.ptr))) {
			rc = emit_test(cur.ptr, classname, name, file, at, n, fn, data);
			for (size_t i = 0; i < n; i++)
				attempt_free(&at[i]);
			n = 0;
			free(classname);
			free(name);
			free(file);
			classname = name = file = NULL;
			if (rc)
				goto done;
		}
		if (!nodeid)
			break;
		if (!n) {
			ins_buf_set(&cur, nodeid);
			classname = dup_col(st, 1);
			name = dup_col(st, 2);
			file = dup_col(st, 3);
		}
		at = ins_xgrow(at, &alloc, n + 1, sizeof(*at));
		at[n].outcome = sqlite3_column_int(st, 4);
		at[n].duration = sqlite3_column_double(st, 5);
		at[n].message = dup_col(st, 6);
		at[n].detail = dup_col(st, 7);
		at[n].out = dup_col(st, 8);
		at[n].err = dup_col(st, 9);
		n++;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++)
		attempt_free(&at[i]);
	free(at);
	free(classname);
	free(name);
	free(file);
	ins_buf_release(&cur);
	return rc;
}

int ins_export_junit(ins_store *store, const char *uid, FILE *fp)
{
	sqlite3_stmt *st = NULL;
	ins_buf ts = INS_BUF_INIT;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.id, u.name, s.started_ms, s.duration, s.host, s.n_tests, s.n_failed, "
		"s.n_error, s.n_skipped + s.n_xfailed FROM session s JOIN sut u ON u.id = s.sut_id "
		"WHERE s.uid = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return ins_error_set(INS_ENOTFOUND, "no session %s", uid);
	}
	ins_time_format_iso(&ts, sqlite3_column_int64(st, 2));
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"insight\">\n", fp);
	fputs("  <testsuite name=\"", fp);
	xml_attr(fp, ins_store__col_text(st, 1));
	fprintf(fp, "\" tests=\"%lld\" failures=\"%lld\" errors=\"%lld\" skipped=\"%lld\"",
		(long long)sqlite3_column_int64(st, 5), (long long)sqlite3_column_int64(st, 6),
		(long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 8));
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		fprintf(fp, " time=\"%.3f\"", sqlite3_column_double(st, 3));
	fputs(" timestamp=\"", fp);
	xml_put(fp, ts.ptr);
	fputc('"', fp);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		fputs(" hostname=\"", fp);
		xml_attr(fp, ins_store__col_text(st, 4));
		fputc('"', fp);
	}
	fputs(">\n", fp);
	sqlite3_finalize(st);
	ins_buf_release(&ts);
	if ((rc = ins_export_each_test(store, uid, put_testcase, fp)) < 0)
		return rc;
	fputs("  </testsuite>\n</testsuites>\n", fp);
	return 0;
}
