/*
 * test_junit.c - the JUnit XML parser against the conformance corpus, real
 * pytest runs and generated hostile input.
 *
 * Every .xml under $INSIGHT_SHARED_DIR/conformance/junit is parsed; where an
 * .expect file sits beside it, the final attempts must match it line by
 * line. The files without one get targeted assertions below.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"

#define MARK "\n[truncated by insight]"

/* ---- a sink that records everything ----------------------------------- */

typedef struct rec_result {
	char *nodeid, *file, *classname, *name;
	ins_outcome outcome;
	double duration;
	int64_t start_ms;
	unsigned flags;
	char *message, *detail, *out, *err;
	char **keys, **values;
	size_t nprops;
} rec_result;

typedef struct rec {
	rec_result *r;
	size_t n, alloc;
	char **meta;      /* "key=value" */
	size_t nmeta, ameta;
	char **sections;  /* "name\ttext" */
	size_t nsec, asec;
	size_t stop_after; /* on_result returns 42 after this many; 0 = never */
	int stop_meta;     /* on_meta returns 43 */
} rec;

static char *dup_or_null(const char *s)
{
	return s ? ins_xstrdup(s) : NULL;
}

static int rec_result_cb(void *data, const ins_result *r)
{
	rec *rc = data;
	rec_result *x;

	rc->r = ins_xgrow(rc->r, &rc->alloc, rc->n + 1, sizeof(*rc->r));
	x = &rc->r[rc->n++];
	memset(x, 0, sizeof(*x));
	x->nodeid = dup_or_null(r->nodeid);
	x->file = dup_or_null(r->file);
	x->classname = dup_or_null(r->classname);
	x->name = dup_or_null(r->name);
	x->outcome = r->outcome;
	x->duration = r->duration;
	x->start_ms = r->start_ms;
	x->flags = r->flags;
	x->message = dup_or_null(r->message);
	x->detail = dup_or_null(r->detail);
	x->out = dup_or_null(r->out);
	x->err = dup_or_null(r->err);
	x->nprops = r->nprops;
	if (r->nprops) {
		x->keys = ins_xcalloc(r->nprops, sizeof(char *));
		x->values = ins_xcalloc(r->nprops, sizeof(char *));
		for (size_t i = 0; i < r->nprops; i++) {
			x->keys[i] = ins_xstrdup(r->props[i].key);
			x->values[i] = ins_xstrdup(r->props[i].value);
		}
	}
	if (rc->stop_after && rc->n >= rc->stop_after)
		return 42;
	return 0;
}

static int rec_meta_cb(void *data, const char *key, const char *value)
{
	rec *rc = data;
	ins_buf b = INS_BUF_INIT;

	ins_buf_printf(&b, "%s=%s", key, value);
	rc->meta = ins_xgrow(rc->meta, &rc->ameta, rc->nmeta + 1, sizeof(char *));
	rc->meta[rc->nmeta++] = ins_buf_detach(&b);
	return rc->stop_meta ? 43 : 0;
}

static int rec_section_cb(void *data, const char *name, const char *text)
{
	rec *rc = data;
	ins_buf b = INS_BUF_INIT;

	ins_buf_printf(&b, "%s\t%s", name, text);
	rc->sections = ins_xgrow(rc->sections, &rc->asec, rc->nsec + 1, sizeof(char *));
	rc->sections[rc->nsec++] = ins_buf_detach(&b);
	return 0;
}

static void rec_free(rec *rc)
{
	for (size_t i = 0; i < rc->n; i++) {
		rec_result *x = &rc->r[i];

		free(x->nodeid), free(x->file), free(x->classname), free(x->name);
		free(x->message), free(x->detail), free(x->out), free(x->err);
		for (size_t j = 0; j < x->nprops; j++)
			free(x->keys[j]), free(x->values[j]);
		free(x->keys), free(x->values);
	}
	free(rc->r);
	for (size_t i = 0; i < rc->nmeta; i++)
		free(rc->meta[i]);
	free(rc->meta);
	for (size_t i = 0; i < rc->nsec; i++)
		free(rc->sections[i]);
	free(rc->sections);
	memset(rc, 0, sizeof(*rc));
}

/* The value of meta `key`, or NULL. */
static const char *meta(const rec *rc, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < rc->nmeta; i++)
		if (!strncmp(rc->meta[i], key, kl) && rc->meta[i][kl] == '=')
			return rc->meta[i] + kl + 1;
	return NULL;
}

static const char *prop(const rec_result *x, const char *key)
{
	for (size_t i = 0; i < x->nprops; i++)
		if (!strcmp(x->keys[i], key))
			return x->values[i];
	return NULL;
}

static int parse_fd(int fd, const char *display, rec *rc)
{
	ins_ingest_sink sink = { rc, rec_meta_cb, rec_result_cb, rec_section_cb };

	return ins_ingest_junit(fd, display, &sink);
}

static int parse_path(const char *path, rec *rc)
{
	int fd = open(path, O_RDONLY), ret;

	assert_true(fd >= 0);
	ret = parse_fd(fd, path, rc);
	close(fd);
	return ret;
}

static const char *shared_dir(void)
{
	const char *d = getenv("INSIGHT_SHARED_DIR");

	return d && *d ? d : "/work/shared";
}

/* Parse a corpus file given relative to conformance/junit/. */
static int parse_corpus(const char *rel, rec *rc)
{
	ins_buf p = INS_BUF_INIT;
	int ret;

	ins_buf_printf(&p, "%s/conformance/junit/%s", shared_dir(), rel);
	ret = parse_path(p.ptr, rc);
	ins_buf_release(&p);
	return ret;
}

/* Parse bytes through a temporary file named `display` in messages. */
static int parse_mem(const void *data, size_t len, const char *display, rec *rc)
{
	char path[] = "/tmp/insight-junit-XXXXXX";
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = parse_fd(fd, display, rc);
	close(fd);
	return ret;
}

static int parse_str(const char *xml, rec *rc)
{
	return parse_mem(xml, strlen(xml), "gen.xml", rc);
}

/* Every result honours the contract of ins_result. */
static void check_invariants(const rec *rc)
{
	for (size_t i = 0; i < rc->n; i++) {
		const rec_result *x = &rc->r[i];

		assert_non_null(x->nodeid);
		assert_true(x->nodeid[0] != '\0');
		assert_true((int)x->outcome >= 0 && (int)x->outcome < INS_OUTCOME_COUNT);
		assert_true(x->duration == -1 ||
			    (x->duration >= 0 && x->duration <= INS_INGEST_MAX_DURATION));
		if (x->flags & INS_RESULT_DURATION_CLAMPED)
			assert_true(x->duration == -1);
		const char *texts[] = { x->message, x->detail, x->out, x->err };
		for (size_t j = 0; j < 4; j++)
			if (texts[j])
				assert_true(strlen(texts[j]) <= INS_INGEST_MAX_TEXT + strlen(MARK));
	}
}

/*
 * The final attempt of each test, in order of first appearance. A test is
 * known by its node id, as the store knows it.
 */
static size_t final_attempts(const rec *rc, const rec_result ***out)
{
	const rec_result **f = ins_xcalloc(rc->n + 1, sizeof(*f));
	size_t n = 0;

	for (size_t i = 0; i < rc->n; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (!strcmp(f[j]->nodeid, rc->r[i].nodeid))
				break;
		f[j] = &rc->r[i];
		if (j == n)
			n++;
	}
	*out = f;
	return n;
}

static size_t count_attempts(const rec *rc, const char *nodeid)
{
	size_t n = 0;

	for (size_t i = 0; i < rc->n; i++)
		n += !strcmp(rc->r[i].nodeid, nodeid);
	return n;
}

/* ---- the corpus walk -------------------------------------------------- */

static char **corpus;
static size_t ncorpus, acorpus;

static int collect_xml(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	if (type == FTW_F && n > 4 && !strcmp(path + n - 4, ".xml")) {
		corpus = ins_xgrow(corpus, &acorpus, ncorpus + 1, sizeof(char *));
		corpus[ncorpus++] = ins_xstrdup(path);
	}
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ins_buf b = INS_BUF_INIT;
	char tmp[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		ins_buf_put(&b, tmp, n);
	fclose(f);
	if (len)
		*len = b.len;
	return ins_buf_detach(&b);
}

/* Compare one field of an .expect line: "-" means absent. */
static void expect_field(const char *want, const char *got, const char *file, size_t line)
{
	if (!strcmp(want, "-")) {
		if (got)
			fail_msg("%s:%zu: expected no value, got \"%s\"", file, line, got);
		return;
	}
	if (!got || strcmp(want, got))
		fail_msg("%s:%zu: expected \"%s\", got \"%s\"", file, line, want,
			 got ? got : "(null)");
}

/*
 * An .expect file lists one line per <testcase> element, except cases with
 * neither name nor classname, which the upstream expectations leave out
 * and insight keeps under a synthesised name: those are counted apart. A
 * test listed twice (mocha's latex-utensils has one) is folded by the
 * repeat rule: a retry of the latest test with that classname and name
 * when every line of it so far failed or errored, else a test of its own.
 * The fold must agree line by line with the final attempts.
 */
static void check_expect(const char *xml, const char *expect_text, const rec *rc, int ret)
{
	const rec_result **fin;
	size_t nfin = final_attempts(rc, &fin), idx = 0, lineno = 0, nlines = 0;
	char *text = ins_xstrdup(expect_text), *line = text, *next;
	struct eline { char *f[4]; char *shown[2]; size_t lineno; int all_failed; } *el = NULL;
	size_t unnamed = 0, k = 0;
	size_t ael = 0, aalloc = 0;

	if (strstr(expect_text, "rejected")) {
		if (ret != INS_EINVALID)
			fail_msg("%s: expected to be rejected, got %d", xml, ret);
		/* one line naming the file and the line */
		assert_true(!strncmp(ins_error_last(), xml, strlen(xml)));
		assert_null(strchr(ins_error_last(), '\n'));
		free(fin);
		free(text);
		return;
	}
	if (ret != 0)
		fail_msg("%s: parse failed: %s", xml, ins_error_last());
	for (; line && *line; line = next) {
		char *f[4];
		int nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (line[0] == '#' || !line[0])
			continue;
		f[nf++] = line;
		for (char *p = line; *p && nf < 4; p++)
			if (*p == '\t')
				*p = '\0', f[nf++] = p + 1;
		assert_int_equal(nf, 4);
		nlines++;
		for (idx = 0; idx < ael; idx++)
			if (!strcmp(el[idx].f[0], f[0]) && !strcmp(el[idx].f[1], f[1]))
				break;
		if (idx < ael && !el[idx].all_failed) {
			idx = ael; /* a test of its own: it never folds with a later line */
			el = ins_xgrow(el, &aalloc, ++ael, sizeof(*el));
			memcpy(el[idx].f, f, sizeof(f));
			el[idx].lineno = lineno;
			el[idx].f[0] = el[idx].f[1] = "\x01"; /* matches no later line */
			el[idx].all_failed = 0;
			el[idx].shown[0] = f[0], el[idx].shown[1] = f[1];
			continue;
		}
		if (idx == ael)
			el = ins_xgrow(el, &aalloc, ++ael, sizeof(*el));
		memcpy(el[idx].f, f, sizeof(f));
		el[idx].shown[0] = f[0], el[idx].shown[1] = f[1];
		el[idx].lineno = lineno;
		el[idx].all_failed = !strcmp(f[2], "failed") || !strcmp(f[2], "error");
	}
	for (idx = 0; idx < rc->n; idx++)
		unnamed += !rc->r[idx].name && !rc->r[idx].classname;
	for (idx = 0; idx < nfin; idx++)
		if (fin[idx]->name || fin[idx]->classname)
			fin[k++] = fin[idx];
	nfin = k;
	/* no flaky or rerun elements in these files: one attempt per line */
	if (rc->n - unnamed != nlines)
		fail_msg("%s: %zu attempts, the .expect lists %zu test cases", xml,
			 rc->n - unnamed, nlines);
	if (ael != nfin)
		fail_msg("%s: %zu tests, the .expect lists %zu", xml, nfin, ael);
	for (idx = 0; idx < ael; idx++) {
		char **f = el[idx].f;

		lineno = el[idx].lineno;
		expect_field(el[idx].shown[0], fin[idx]->classname, xml, lineno);
		expect_field(el[idx].shown[1], fin[idx]->name, xml, lineno);
		if (strcmp(f[2], ins_outcome_name(fin[idx]->outcome)))
			fail_msg("%s:%zu: outcome %s, want %s", xml, lineno,
				 ins_outcome_name(fin[idx]->outcome), f[2]);
		if (!strcmp(f[3], "-")) {
			assert_true(fin[idx]->duration < 0);
		} else {
			double want = strtod(f[3], NULL);

			if (fabs(fin[idx]->duration - want) > 1e-6)
				fail_msg("%s:%zu: time %.9g, want %s", xml, lineno,
					 fin[idx]->duration, f[3]);
		}
	}
	free(el);
	free(fin);
	free(text);
}

/* Files with no .expect that are malformed or hostile on purpose. */
static int known_bad(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(base, "corrupt.xml") || !strncmp(base, "testXxe-", 8);
}

static void test_corpus(void **state)
{
	ins_buf dir = INS_BUF_INIT;
	size_t with_expect = 0;
	struct stat st;

	ins_buf_printf(&dir, "%s/conformance/junit", shared_dir());
	if (stat(dir.ptr, &st) || !S_ISDIR(st.st_mode))
		fail_msg("no conformance corpus at %s", dir.ptr);
	assert_int_equal(nftw(dir.ptr, collect_xml, 16, FTW_PHYS), 0);
	assert_true(ncorpus > 0);
	for (size_t i = 0; i < ncorpus; i++) {
		const char *xml = corpus[i];
		ins_buf ep = INS_BUF_INIT;
		rec rc = { 0 };
		char *expect;
		int ret;

		ins_error_clear();
		ret = parse_path(xml, &rc);
		check_invariants(&rc);
		ins_buf_put(&ep, xml, strlen(xml) - 4);
		ins_buf_puts(&ep, ".expect");
		expect = read_file(ep.ptr, NULL);
		if (expect) {
			check_expect(xml, expect, &rc, ret);
			with_expect++;
		} else if (known_bad(xml)) {
			assert_int_equal(ret, INS_EINVALID);
			assert_true(!strncmp(ins_error_last(), xml, strlen(xml)));
		} else if (ret) {
			fail_msg("%s: %s", xml, ins_error_last());
		}
		free(expect);
		ins_buf_release(&ep);
		rec_free(&rc);
	}
	assert_true(with_expect > 0);
	for (size_t i = 0; i < ncorpus; i++)
		free(corpus[i]);
	free(corpus);
	corpus = NULL;
	ncorpus = acorpus = 0;
	ins_buf_release(&dir);
}

/* ---- targeted assertions on files without .expect ------------------------ */

static void test_flaky_retries(void **state)
{
	rec rc = { 0 };
	const char *foo = "/home/runner/work/foo/bar/test_foo.py::TestFoo::test_foo";

	assert_int_equal(parse_corpus("action-junit-report/flaky_retries/flaky_with_classname_file.xml",
				      &rc), 0);
	assert_int_equal(rc.n, 5);
	/* pytest's node id: the file, then the classname past the module path */
	assert_string_equal(rc.r[0].nodeid, foo);
	assert_int_equal(count_attempts(&rc, foo), 3);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[0].message, "it failed");
	assert_string_equal(rc.r[0].detail, "'NoneType' object is not iterable");
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_ERROR);
	assert_string_equal(rc.r[2].nodeid, foo);
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_PASSED);
	/* same name, other class: another test */
	assert_string_equal(rc.r[3].nodeid, "/home/runner/work/foo/bar/test_bar.py::TestBar::test_foo");
	assert_int_equal(count_attempts(&rc, rc.r[3].nodeid), 1);
	assert_string_equal(rc.r[3].file, "/home/runner/work/foo/bar/test_bar.py");
	assert_string_equal(rc.r[3].classname, "test_bar.TestBar");
	assert_string_equal(rc.r[3].name, "test_foo");
	rec_free(&rc);

	/*
	 * A pass, then a failure and an error: a repeat is a retry only when
	 * every earlier occurrence failed, so after the pass each repeat is a
	 * test of its own, [#2] and [#3]: no failure is folded away.
	 */
	assert_int_equal(parse_corpus("action-junit-report/flaky_retries/flaky_success_first.xml", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_int_equal(count_attempts(&rc, rc.r[0].nodeid), 1);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_PASSED);
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_FAILED);
	assert_int_equal(strlen(rc.r[1].nodeid), strlen(rc.r[0].nodeid) + 4);
	assert_string_equal(rc.r[1].nodeid + strlen(rc.r[0].nodeid), "[#2]");
	assert_string_equal(rc.r[2].nodeid + strlen(rc.r[0].nodeid), "[#3]");
	assert_int_equal(count_attempts(&rc, rc.r[2].nodeid), 1);
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_ERROR);
	assert_string_equal(rc.r[2].message, "later error");
	rec_free(&rc);

	assert_int_equal(parse_corpus("action-junit-report/flaky_retries/flaky_all_failures.xml", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_int_equal(count_attempts(&rc, rc.r[0].nodeid), 3);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[1].message, "second failure");
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_ERROR);
	assert_string_equal(rc.r[2].detail, "Third attempt errored");
	rec_free(&rc);
}

static void test_surefire_gh237(void **state)
{
	rec rc = { 0 };

	/* passes after two flaky failures: two failed attempts, then the pass */
	assert_int_equal(parse_corpus("jenkins-junit-plugin/gh-237/TEST-io.olamy.FlakyTest.xml", &rc), 0);
	assert_int_equal(rc.n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(rc.r[i].nodeid, "io.olamy.FlakyTest::testApp");
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[0].message, "obvious fail");
	assert_non_null(strstr(rc.r[0].detail, "FlakyTest.java:27"));
	assert_string_equal(rc.r[0].out, "this will fail maybe");
	assert_string_equal(rc.r[0].err, "this will maybe fail");
	assert_true(rc.r[0].duration < 0);
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[1].message, "try one more time maybe");
	assert_non_null(strstr(rc.r[1].detail, "FlakyTest.java:32"));
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_PASSED);
	assert_true(rc.r[2].flags & INS_RESULT_FLAKY);
	assert_true(fabs(rc.r[2].duration - 0.001) < 1e-9);
	assert_null(rc.r[2].message);
	rec_free(&rc);

	/* fails every time: the <failure> first, then one attempt per rerun */
	assert_int_equal(parse_corpus("jenkins-junit-plugin/gh-237/TEST-io.olamy.AlwaysFailTest.xml", &rc), 0);
	assert_int_equal(rc.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(rc.r[i].nodeid, "io.olamy.AlwaysFailTest::testApp");
		assert_int_equal(rc.r[i].outcome, INS_OUTCOME_FAILED);
		assert_string_equal(rc.r[i].message, "built to fail");
		assert_true(!strncmp(rc.r[i].detail, "junit.framework.AssertionFailedError", 36));
		assert_false(rc.r[i].flags & INS_RESULT_FLAKY);
	}
	assert_true(fabs(rc.r[0].duration - 0.001) < 1e-9);
	assert_string_equal(rc.r[0].out, "this will fail for real");
	assert_string_equal(rc.r[0].err, "this will really fail");
	/* the final attempt carries Surefire's verdict and the case's time */
	assert_true(rc.r[1].duration < 0);
	assert_true(fabs(rc.r[3].duration - 0.001) < 1e-9);
	rec_free(&rc);
}

static void test_surefire_marathon(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("action-junit-report/maven_surefire_flaky/surefire-report.xml",
				      &rc), 0);
	assert_int_equal(rc.n, 2);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	/* the message attribute starts with a newline: trimmed */
	assert_true(!strncmp(rc.r[0].message, "Expected: <false>", 17));
	assert_string_equal(rc.r[0].err, "Some error output here");
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_PASSED);
	assert_true(rc.r[1].flags & INS_RESULT_FLAKY);
	assert_true(fabs(rc.r[1].duration - 0.683) < 1e-9);
	rec_free(&rc);

	assert_int_equal(parse_corpus("action-junit-report/junit_flaky_failure/marathon_junit_report.xml",
				      &rc), 0);
	assert_int_equal(rc.n, 2);
	assert_string_equal(rc.r[0].nodeid, "com.mikepenz.Class::testFlakyFailure");
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[0].detail, "junit.framework.AssertionFailedError");
	/* no message attribute: the first line of the stack trace */
	assert_string_equal(rc.r[0].message, "junit.framework.AssertionFailedError");
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_PASSED);
	assert_true(fabs(rc.r[1].duration - 1.86) < 1e-9);
	assert_string_equal(meta(&rc, "started_ms"), "1705825052000"); /* 2024-01-21T08:17:32 */
	rec_free(&rc);

	assert_int_equal(parse_corpus("action-junit-report/junit_flaky_failure/mixed_flaky_and_passed.xml",
				      &rc), 0);
	assert_int_equal(rc.n, 4);
	assert_int_equal(count_attempts(&rc, "com.example.FlakyTest::testFlaky"), 2);
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_PASSED);
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_PASSED);
	assert_false(rc.r[2].flags & INS_RESULT_FLAKY);
	rec_free(&rc);
}

static void test_nextest_catch2_perl(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("action-junit-report/nextest/basic.xml", &rc), 0);
	assert_int_equal(rc.n, 3);
	/* "::" inside a classname comes through untouched */
	assert_string_equal(rc.r[0].nodeid, "oxidized_navigation::parry3d::test_failure");
	assert_string_equal(rc.r[0].classname, "oxidized_navigation::parry3d");
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_true(!strncmp(rc.r[0].message, "thread 'test_failure' panicked", 30));
	assert_true(!strncmp(rc.r[0].out, "running 1 test", 14));
	assert_non_null(strstr(rc.r[0].err, "assertion `left == right` failed"));
	assert_true(rc.r[0].start_ms == 1733169970513LL); /* 2024-12-02T20:06:10.513+00:00 */
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_PASSED);
	assert_null(rc.r[1].err); /* empty <system-err></system-err> */
	assert_string_equal(meta(&rc, "started_ms"), "1733169970512");
	assert_string_equal(meta(&rc, "duration"), "0.946");
	assert_string_equal(meta(&rc, "finished_ms"), "1733169971458");
	rec_free(&rc);

	assert_int_equal(parse_corpus("action-junit-report/catch2/report.xml", &rc), 0);
	assert_int_equal(rc.n, 1);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[0].message, "REQUIRE(v == 1) expands to 0 == 10");
	assert_true(!strncmp(rc.r[0].detail, "FAILED:\n  REQUIRE( v == 1 )", 27));
	assert_string_equal(meta(&rc, "host"), "tbd");
	assert_string_equal(meta(&rc, "property.filters"), "is constant evaluated");
	assert_int_equal(rc.nsec, 0); /* <system-out /> is empty */
	rec_free(&rc);

	assert_int_equal(parse_corpus("action-junit-report/perl/result.xml", &rc), 0);
	assert_int_equal(rc.n, 1);
	assert_string_equal(rc.r[0].name, "L123: ...");
	assert_true(fabs(rc.r[0].duration - 4.50611114501953e-05) < 1e-15);
	assert_int_equal(rc.r[0].flags, 0);
	rec_free(&rc);
}

static void test_odd_durations(void **state)
{
	rec rc = { 0 };

	/* web-test-runner: time="<<computed>>", raw '<' in an attribute */
	assert_int_equal(parse_corpus("action-junit-report/junit-web-test/expectedRetries.xml", &rc), 0);
	assert_int_equal(rc.n, 8);
	assert_true(rc.r[0].duration == -1);
	assert_true(rc.r[0].flags & INS_RESULT_DURATION_CLAMPED);
	assert_string_equal(rc.r[0].classname, "given a functor f and a function a -> b map f map g f a");
	assert_true(fabs(rc.r[1].duration - 0.001) < 1e-9);
	assert_false(rc.r[1].flags & INS_RESULT_DURATION_CLAMPED);
	/* "retried flaky test": failed, then passed later in the same suite */
	const char *id = "packages/test-runner-junit-reporter/test/fixtures/multiple/simple-test.js"
			 "::off-by-one boolean logic errors::retried flaky test";
	assert_int_equal(count_attempts(&rc, id), 2);
	assert_string_equal(rc.r[4].nodeid, id);
	assert_int_equal(rc.r[4].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[6].nodeid, id);
	assert_int_equal(rc.r[6].outcome, INS_OUTCOME_PASSED);
	assert_string_equal(meta(&rc, "property.browser.name"), "Chrome");
	rec_free(&rc);

	/* durations in nanoseconds: absurd, dropped and flagged */
	assert_int_equal(parse_corpus("action-junit-report/container-structure/test.xml", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_true(rc.r[0].duration == -1);
	assert_true(rc.r[0].flags & INS_RESULT_DURATION_CLAMPED);
	assert_true(rc.r[1].duration == 0);
	assert_false(rc.r[1].flags & INS_RESULT_DURATION_CLAMPED);
	assert_null(meta(&rc, "duration")); /* time="1967986371" on the root */
	rec_free(&rc);

	assert_int_equal(parse_corpus("jenkins-junit-plugin/junit-report-bad-duration.xml", &rc), 0);
	assert_int_equal(rc.n, 2);
	assert_true(rc.r[0].duration == -1); /* time="-345345" */
	assert_true(rc.r[0].flags & INS_RESULT_DURATION_CLAMPED);
	assert_true(rc.r[1].duration == 100);
	assert_false(rc.r[1].flags & INS_RESULT_DURATION_CLAMPED);
	/* a passing case repeated: two tests, the second with a stable suffix */
	assert_string_equal(rc.r[0].nodeid, "DummyTest::testDummyMethod");
	assert_string_equal(rc.r[1].nodeid, "DummyTest::testDummyMethod[#2]");
	assert_string_equal(meta(&rc, "host"), "molene");
	rec_free(&rc);
}

static void test_pytest_flaky_report(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("action-junit-report/python/report_flaky.xml", &rc), 0);
	assert_int_equal(rc.n, 4);
	assert_string_equal(rc.r[1].nodeid, "python.test_sample::test_which_fails");
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_FAILED);
	/* &#10; in the attribute is a newline */
	assert_string_equal(rc.r[1].message, "AssertionError: assert 'test' == 'xyz'\n  - xyz\n  + test");
	assert_non_null(strstr(rc.r[1].detail, ">       assert event['attr'] == 'xyz'"));
	assert_string_equal(meta(&rc, "host"), "Mikes-iMac.local");
	assert_string_equal(meta(&rc, "started_ms"), "1602528371226"); /* 2020-10-12T18:46:11.226119 */
	assert_string_equal(meta(&rc, "duration"), "0.052");
	rec_free(&rc);
}

static void test_rejected_files(void **state)
{
	rec rc = { 0 };
	const char *bad[] = {
		"action-junit-report/corrupt.xml",
		"jenkins-junit-plugin/testXxe-xxe.xml",
		"jenkins-junit-plugin/testXxe-oob.xml",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ins_error_clear();
		assert_int_equal(parse_corpus(bad[i], &rc), INS_EINVALID);
		assert_non_null(strstr(ins_error_last(), bad[i]));
		assert_null(strchr(ins_error_last(), '\n'));
		rec_free(&rc);
	}
	assert_int_equal(parse_corpus("jenkins-junit-plugin/testXxe-xxe.xml", &rc), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "declares XML entities; refused"));
	assert_int_equal(rc.n, 0);
	rec_free(&rc);
	assert_int_equal(parse_corpus("action-junit-report/corrupt.xml", &rc), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "corrupt.xml:18: "));
	rec_free(&rc);
}

static void test_nested_and_properties(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("jenkins-junit-plugin/junit-report-nested-testsuites.xml", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_string_equal(rc.r[0].nodeid, "test.fs.FileSystemTest::testPrefix");
	/* <error> directly in the third-level suite: a pseudo-test of the suite */
	assert_string_equal(rc.r[1].nodeid, "test.3rdlevel");
	assert_string_equal(rc.r[1].name, "test.3rdlevel");
	assert_null(rc.r[1].classname);
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_ERROR);
	assert_string_equal(rc.r[1].message, "bla bla");
	assert_true(!strncmp(rc.r[1].detail, "java.lang.IllegalStateException: bla bla", 40));
	assert_string_equal(rc.r[2].nodeid, "test.db.DatabaseTest::testTable");
	assert_string_equal(meta(&rc, "host"), "whatever");
	rec_free(&rc);

	assert_int_equal(parse_corpus("jenkins-junit-plugin/junit-report-with-properties.xml", &rc), 0);
	assert_int_equal(rc.n, 2);
	assert_int_equal(rc.r[0].nprops, 1);
	assert_string_equal(prop(&rc.r[0], "description"), "description of test testCaseA");
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[0].message, "expected: [a] but was: [b]");
	assert_string_equal(rc.r[0].detail, "org.junit.ComparisonFailure: expected: [a] but was: [b]");
	assert_int_equal(rc.r[1].nprops, 0);
	assert_string_equal(meta(&rc, "property.prop1"), "value1");
	const char *ml = meta(&rc, "property.multiline");
	assert_non_null(ml);
	assert_true(!strncmp(ml, "Config line 1\n", 14));
	assert_non_null(strstr(ml, "Config line 3"));
	assert_string_equal(meta(&rc, "duration"), "2"); /* the only top-level suite */
	rec_free(&rc);
}

static void test_timestamps_corpus(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("jenkins-junit-plugin/junit-report-testsuite-various-timestamps.xml",
				      &rc), 0);
	assert_int_equal(rc.n, 12);
	/* earliest: the root's 2024-01-03T11:23:00.00 (UTC: no zone given) */
	assert_string_equal(meta(&rc, "started_ms"), "1704280980000");
	assert_true(rc.r[2].start_ms == 1704284831000LL); /* testcase timestamp 12:27:11 */
	assert_true(rc.r[3].start_ms == 1704284838000LL);
	assert_true(rc.r[0].start_ms == 0);
	rec_free(&rc);
}

/* One suite timestamp at a time: each format the corpus shows. */
static void test_timestamp_formats(void **state)
{
	static const struct {
		const char *ts;
		const char *ms; /* NULL: not a timestamp */
	} t[] = {
		{ "2024-01-03T11:23:00.00", "1704280980000" },
		{ "2024-01-03T12:27:11", "1704284831000" },
		{ "2024-01-03T 12:40:13", "1704285613000" },
		{ "2024-01-03T12:27:44Z", "1704284864000" },
		{ "2024-01-03 12:27:54Z", "1704284874000" },
		{ "2024-01-03", "1704240000000" },
		{ "2024-01-03T12:27:11.21-01:00", "1704288431210" },
		{ "2024-01-03T12:27:15+01:00", "1704281235000" },
		{ "2020-09-01T07:11:23.815873", "1598944283815" },
		{ "2024-12-02T20:06:10.512+00:00", "1733169970512" },
		{ "2024-02-29T00:00:00+0530", "1709145000000" },
		{ "2023-02-29T00:00:00", NULL },
		{ "2024-13-01T00:00:00", NULL },
		{ "2024-01-03T25:00:00", NULL },
		{ "yesterday", NULL },
		{ "", NULL },
		{ "2024-01-03T12:27:11 junk", NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		ins_buf x = INS_BUF_INIT;
		rec rc = { 0 };

		ins_buf_printf(&x, "<testsuite name='s' timestamp='%s'><testcase name='a'/></testsuite>",
			       t[i].ts);
		assert_int_equal(parse_str(x.ptr, &rc), 0);
		if (t[i].ms) {
			if (!meta(&rc, "started_ms") || strcmp(meta(&rc, "started_ms"), t[i].ms))
				fail_msg("timestamp %s: got %s, want %s", t[i].ts,
					 meta(&rc, "started_ms") ? meta(&rc, "started_ms") : "none",
					 t[i].ms);
		} else if (meta(&rc, "started_ms")) {
			fail_msg("timestamp \"%s\" accepted as %s", t[i].ts, meta(&rc, "started_ms"));
		}
		rec_free(&rc);
		ins_buf_release(&x);
	}

	/* a bare date only counts when no suite says more */
	rec rc = { 0 };
	assert_int_equal(parse_str("<testsuites><testsuite timestamp='2024-01-03'/>"
				   "<testsuite timestamp='2024-01-03T05:00:00Z'/></testsuites>", &rc), 0);
	assert_string_equal(meta(&rc, "started_ms"), "1704258000000");
	rec_free(&rc);
}

static void test_empty_name(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("jenkins-junit-plugin/junit-report-empty-testcasename.xml", &rc), 0);
	assert_int_equal(rc.n, 1);
	/* JUnit 5's failing @BeforeAll: the class is the test */
	assert_string_equal(rc.r[0].nodeid, "test.TestJUnit5FailingInBeforeAll");
	assert_string_equal(rc.r[0].name, "");
	assert_string_equal(rc.r[0].classname, "test.TestJUnit5FailingInBeforeAll");
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[0].message,
			    "org.opentest4j.AssertionFailedError: Failure in @BeforeAll method");
	assert_string_equal(rc.r[0].out, "In setup...");
	assert_true(meta(&rc, "property.java.class.version") != NULL);
	rec_free(&rc);

	/*
	 * Neither name nor classname: kept under a synthesised name, with a
	 * warning; the failing one is never dropped. The first passed, so the
	 * failing repeat is a test of its own.
	 */
	assert_int_equal(parse_str("<testsuite><testcase/><testcase classname='C'/>"
				   "<testcase><failure/></testcase></testsuite>", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_string_equal(rc.r[0].nodeid, "(unnamed case)");
	assert_string_equal(rc.r[1].nodeid, "C");
	assert_null(rc.r[1].name);
	assert_string_equal(rc.r[2].nodeid, "(unnamed case)[#2]");
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_FAILED);
	assert_non_null(strstr(meta(&rc, "warning"), "2 test cases with neither name nor classname"));
	rec_free(&rc);

	/* in a named suite, the suite names them */
	assert_int_equal(parse_corpus("enricomi/no-attributes.xml", &rc), 0);
	assert_int_equal(rc.n, 4);
	assert_string_equal(rc.r[3].nodeid, "(unnamed case)[#4]"); /* after a pass: its own */
	assert_int_equal(rc.r[3].outcome, INS_OUTCOME_ERROR);
	rec_free(&rc);
}

/*
 * The identity rules, each on a small report: an empty classname takes the
 * nearest suite's name; a repeat is a retry only after failures; failure
 * and error in one case keep both texts; Surefire reruns end failed with
 * the case's time.
 */
static void test_identity_rules(void **state)
{
	rec rc = { 0 };

	(void)state;
	/* jest-junit with an empty class template: one test per suite */
	assert_int_equal(parse_str("<testsuites><testsuite name='a.test.js'>"
				   "<testcase classname='' name='works'/></testsuite>"
				   "<testsuite name='b.test.js'><testcase name='works'>"
				   "<failure message='no'/></testcase></testsuite></testsuites>", &rc), 0);
	assert_int_equal(rc.n, 2);
	assert_string_equal(rc.r[0].nodeid, "a.test.js::works");
	assert_string_equal(rc.r[1].nodeid, "b.test.js::works");
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_FAILED);
	rec_free(&rc);

	/* per-browser suites nested in a run: the innermost suite names it */
	assert_int_equal(parse_str("<testsuites><testsuite name='run'>"
				   "<testsuite name='Chrome 120'><testcase name='renders'/></testsuite>"
				   "<testsuite name='Firefox 121'><testcase name='renders'/></testsuite>"
				   "</testsuite></testsuites>", &rc), 0);
	assert_int_equal(rc.n, 2);
	assert_string_equal(rc.r[0].nodeid, "Chrome 120::renders");
	assert_string_equal(rc.r[1].nodeid, "Firefox 121::renders");
	rec_free(&rc);

	/* a data provider: passes repeated are tests of their own */
	assert_int_equal(parse_str("<testsuite><testcase classname='T' name='d'/>"
				   "<testcase classname='T' name='d'/>"
				   "<testcase classname='T' name='d'><failure/></testcase>"
				   "</testsuite>", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_string_equal(rc.r[0].nodeid, "T::d");
	assert_string_equal(rc.r[1].nodeid, "T::d[#2]");
	assert_string_equal(rc.r[2].nodeid, "T::d[#3]");
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_FAILED);
	rec_free(&rc);

	/* retries after failures: attempts of one test, the skip included */
	assert_int_equal(parse_str("<testsuite><testcase classname='T' name='r'><failure/></testcase>"
				   "<testcase classname='T' name='r'><error/></testcase>"
				   "<testcase classname='T' name='r'><skipped/></testcase>"
				   "<testcase classname='T' name='r'/></testsuite>", &rc), 0);
	assert_int_equal(rc.n, 4);
	assert_string_equal(rc.r[1].nodeid, "T::r");
	assert_string_equal(rc.r[2].nodeid, "T::r");
	/* the skip ended the retries: the pass after it is its own test */
	assert_string_equal(rc.r[3].nodeid, "T::r[#2]");
	rec_free(&rc);

	/* failure and error in one case: error, both messages and texts kept */
	assert_int_equal(parse_str("<testsuite><testcase classname='T' name='both'>"
				   "<failure message='fmsg'>ftext</failure>"
				   "<error message='emsg'>etext</error></testcase></testsuite>", &rc), 0);
	assert_int_equal(rc.n, 1);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_ERROR);
	assert_string_equal(rc.r[0].message, "emsg");
	assert_non_null(rc.r[0].detail);
	assert_non_null(strstr(rc.r[0].detail, "etext"));
	assert_non_null(strstr(rc.r[0].detail, "fmsg"));
	assert_non_null(strstr(rc.r[0].detail, "ftext"));
	rec_free(&rc);

	/* Surefire reruns: every run failed; the final attempt keeps the time */
	assert_int_equal(parse_str("<testsuite><testcase classname='a.B' name='t' time='2.5'>"
				   "<failure message='first'/>"
				   "<rerunFailure message='second'/><rerunError message='third'/>"
				   "</testcase></testsuite>", &rc), 0);
	assert_int_equal(rc.n, 3);
	assert_string_equal(rc.r[2].nodeid, "a.B::t");
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_FAILED);
	assert_true(rc.r[2].duration == 2.5);
	rec_free(&rc);
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0, nl = strlen(needle);

	for (const char *p = hay; (p = strstr(p, needle)); p += nl)
		n++;
	return n;
}

static void test_huge(void **state)
{
	ins_buf p = INS_BUF_INIT;
	rec rc = { 0 };
	char *text;
	size_t len, cases, attempts, skipped = 0, failed = 0;

	ins_buf_printf(&p, "%s/conformance/junit/jenkins-junit-plugin/junit-report-huge.xml", shared_dir());
	text = read_file(p.ptr, &len);
	assert_non_null(text);
	assert_true(len > 1000000);
	cases = count_str(text, "<testcase ");
	attempts = cases + count_str(text, "<flakyFailure") + count_str(text, "<rerunFailure") +
		   count_str(text, "<flakyError") + count_str(text, "<rerunError");
	assert_int_equal(parse_path(p.ptr, &rc), 0);
	check_invariants(&rc);
	assert_int_equal(rc.n, attempts);
	for (size_t i = 0; i < rc.n; i++) {
		skipped += rc.r[i].outcome == INS_OUTCOME_SKIPPED;
		failed += rc.r[i].outcome == INS_OUTCOME_FAILED;
	}
	assert_int_equal(skipped, count_str(text, "<skipped"));
	assert_true(failed >= count_str(text, "<failure"));
	/* its durations are negative: dropped and flagged */
	assert_true(rc.r[0].duration == -1);
	assert_true(rc.r[0].flags & INS_RESULT_DURATION_CLAMPED);
	assert_string_equal(prop(&rc.r[0], "prop1"), "value1");
	free(text);
	rec_free(&rc);
	ins_buf_release(&p);
}

static void test_sections_and_entities(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_corpus("enricomi/bazel/suite-logs.xml", &rc), 0);
	assert_int_equal(rc.nsec, 2);
	assert_true(!strncmp(rc.sections[0], "system-out: bazel/failing_absl_test\tGenerated test.log (", 56));
	/* the CDATA inside comes through verbatim */
	assert_non_null(strstr(rc.sections[0], "exec ${PAGER:-/usr/bin/less} \"$0\" || exit 1"));
	assert_string_equal(rc.sections[1], "system-err: bazel/failing_absl_test\tGenerated test.err");
	rec_free(&rc);

	assert_int_equal(parse_corpus("enricomi/with-xml-entities.xml", &rc), 0);
	assert_int_equal(rc.n, 4);
	assert_string_equal(rc.r[1].message, "A message with 'apostrophes'");
	assert_string_equal(rc.r[1].detail, "Content with 'apostrophes'");
	assert_string_equal(rc.r[3].nodeid, "Test with < and > in the test name");
	rec_free(&rc);
}

/* ---- identity --------------------------------------------------------- */

static void test_identity(void **state)
{
	static const struct {
		const char *attrs;
		const char *nodeid;
	} t[] = {
		{ "file='tests/test_x.py' classname='tests.test_x.TestC' name='test_a'",
		  "tests/test_x.py::TestC::test_a" },
		{ "file='tests/test_x.py' classname='tests.test_x' name='test_a'",
		  "tests/test_x.py::test_a" },
		{ "file='tests/test_x.py' classname='tests.test_x.TestA.TestB' name='t'",
		  "tests/test_x.py::TestA::TestB::t" },
		{ "file='./tests/test_x.py' classname='tests.test_x.TestC' name='t'",
		  "./tests/test_x.py::TestC::t" },
		{ "file='tests\\test_x.py' classname='tests.test_x.TestC' name='t'",
		  "tests\\test_x.py::TestC::t" },
		{ "file='tests/test_x.py' classname='tests.test_xy.TestC' name='t'",
		  "tests/test_x.py::tests.test_xy.TestC::t" },
		{ "file='tests/test_x.py' classname='other.Mod' name='t'",
		  "tests/test_x.py::other.Mod::t" },
		{ "file='src/test/java/com/x/FooTest.java' classname='com.x.FooTest' name='testM'",
		  "src/test/java/com/x/FooTest.java::testM" },
		{ "classname='a.b.C' name='t'", "a.b.C::t" },
		{ "classname='' name='t'", "t" },
		{ "name='t'", "t" },
		{ "file='t.js' name='works'", "t.js::works" },
		{ "classname='C' name='test_p[a::b-\xc3\xbc-\xf0\x9d\x84\x9e]'",
		  "C::test_p[a::b-\xc3\xbc-\xf0\x9d\x84\x9e]" },
		{ "classname='C' name='test_p[1.5-x.y]'", "C::test_p[1.5-x.y]" },
		{ "file='tests/test_x.py' classname='tests.test_x' name='test_p[a.b::c]'",
		  "tests/test_x.py::test_p[a.b::c]" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		ins_buf x = INS_BUF_INIT;
		rec rc = { 0 };

		ins_buf_printf(&x, "<testsuite><testcase %s/></testsuite>", t[i].attrs);
		assert_int_equal(parse_str(x.ptr, &rc), 0);
		assert_int_equal(rc.n, 1);
		if (strcmp(rc.r[0].nodeid, t[i].nodeid))
			fail_msg("%s: node id \"%s\", want \"%s\"", t[i].attrs, rc.r[0].nodeid, t[i].nodeid);
		rec_free(&rc);
		ins_buf_release(&x);
	}
}

/* ---- durations, outcomes, text ---------------------------------------- */

static void test_durations(void **state)
{
	static const struct {
		const char *attr;  /* the whole attribute, "" for none */
		double want;       /* -1 = unknown */
		int flagged;
	} t[] = {
		{ "time='1.5'", 1.5, 0 },
		{ "", -1, 0 },
		{ "time=''", -1, 0 },
		{ "time='1,234.5'", 1234.5, 0 },
		{ "time='12,345,678'", -1, 1 }, /* a valid number, but absurd */
		{ "time='4.5e-05'", 4.5e-05, 0 },
		{ "time='4.50611114501953e-05'", 4.50611114501953e-05, 0 },
		{ "time='1E2'", 100, 0 },
		{ "time='&lt;&lt;computed&gt;&gt;'", -1, 1 },
		{ "time='-345345'", -1, 1 },
		{ "time='-0.5'", -1, 1 },
		{ "time='604800'", 604800, 0 },
		{ "time='604800.5'", -1, 1 },
		{ "time='999638317'", -1, 1 },
		{ "time='nan'", -1, 1 },
		{ "time='inf'", -1, 1 },
		{ "time='1e400'", -1, 1 },
		{ "time='1,5'", 1.5, 0 },        /* a decimal comma */
		{ "time='1,2345'", 1.2345, 0 },
		{ "time='0x10'", -1, 1 },
		{ "time=' 2 '", 2, 0 },
		{ "time='.5'", 0.5, 0 },
		{ "time='5.'", 5, 0 },
		{ "time='.'", -1, 1 },
		{ "time='1e'", -1, 1 },
		{ "time='1.321590'", 1.32159, 0 },
		{ "time='0.0039778'", 0.0039778, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		ins_buf x = INS_BUF_INIT;
		rec rc = { 0 };

		ins_buf_printf(&x, "<testsuite><testcase name='a' %s/></testsuite>", t[i].attr);
		assert_int_equal(parse_str(x.ptr, &rc), 0);
		assert_int_equal(rc.n, 1);
		if (t[i].want < 0 ? rc.r[0].duration != -1 : fabs(rc.r[0].duration - t[i].want) > 1e-12)
			fail_msg("%s: duration %.17g, want %.17g", t[i].attr, rc.r[0].duration, t[i].want);
		if (!!(rc.r[0].flags & INS_RESULT_DURATION_CLAMPED) != t[i].flagged)
			fail_msg("%s: clamped flag %u, want %d", t[i].attr, rc.r[0].flags, t[i].flagged);
		rec_free(&rc);
		ins_buf_release(&x);
	}
}

static void test_outcomes(void **state)
{
	rec rc = { 0 };

	assert_int_equal(parse_str(
		"<testsuite name='ctest'>"
		"<testcase name='dis' classname='dis' time='0' status='disabled'>"
		"<system-out>Disabled</system-out></testcase>"
		"<testcase name='nr' status='notrun'/>"
		"<testcase name='run' status='run'/>"
		"<testcase name='nrs' status='notrun'><skipped message='SKIP_RETURN_CODE=77'/></testcase>"
		"<testcase name='xf'><skipped type='pytest.xfail' message='known bug'/></testcase>"
		"<testcase name='two'><failure message='first'>one</failure>"
		"<failure message='second'>two</failure></testcase>"
		"<testcase name='ef'><error message='e'/><failure message='f'/></testcase>"
		"<testcase name='msg'><failure type='AssertionError'/></testcase>"
		"<testcase name='line'><failure message=''>\n\n  first line  \nsecond</failure></testcase>"
		"<testcase name='disf' status='disabled'><failure/></testcase>"
		"</testsuite>", &rc), 0);
	assert_int_equal(rc.n, 10);
	assert_int_equal(rc.r[0].outcome, INS_OUTCOME_SKIPPED);
	assert_string_equal(rc.r[0].message, "disabled");
	assert_string_equal(rc.r[0].out, "Disabled");
	assert_int_equal(rc.r[1].outcome, INS_OUTCOME_SKIPPED);
	assert_int_equal(rc.r[2].outcome, INS_OUTCOME_PASSED);
	assert_int_equal(rc.r[3].outcome, INS_OUTCOME_SKIPPED);
	assert_string_equal(rc.r[3].message, "SKIP_RETURN_CODE=77");
	assert_int_equal(rc.r[4].outcome, INS_OUTCOME_XFAILED);
	assert_string_equal(rc.r[4].message, "known bug");
	assert_int_equal(rc.r[5].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(rc.r[5].message, "first");
	assert_string_equal(rc.r[5].detail, "one\ntwo");
	assert_int_equal(rc.r[6].outcome, INS_OUTCOME_ERROR);
	assert_string_equal(rc.r[6].message, "e");
	assert_string_equal(rc.r[7].message, "AssertionError");
	assert_string_equal(rc.r[8].message, "first line");
	assert_string_equal(rc.r[8].detail, "first line  \nsecond");
	assert_int_equal(rc.r[9].outcome, INS_OUTCOME_FAILED);
	rec_free(&rc);
}

static void test_bom_crlf_unicode(void **state)
{
	const char xml[] =
		"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
		"<testsuites>\r\n<testsuite name=\"s\">\r\n"
		"<testcase classname=\"k\" name=\"t \xf0\x9f\x98\x80 \xf0\x92\x8d\xba\" time=\"1\">\r\n"
		"<failure message=\"m &#x1F600;\">line1\r\nline2 &amp; &#60;</failure>\r\n"
		"<system-out><![CDATA[a\r\n<b>]]></system-out>\r\n"
		"<properties><property name=\"k\" value=\"1\"/><property name=\"k\" value=\"2\"/>"
		"<property name=\"t\">  text value\r\n</property></properties>\r\n"
		"</testcase>\r\n</testsuite>\r\n</testsuites>\r\n";
	rec rc = { 0 };

	assert_int_equal(parse_mem(xml, sizeof(xml) - 1, "bom.xml", &rc), 0);
	assert_int_equal(rc.n, 1);
	assert_string_equal(rc.r[0].name, "t \xf0\x9f\x98\x80 \xf0\x92\x8d\xba");
	assert_string_equal(rc.r[0].message, "m \xf0\x9f\x98\x80");
	assert_string_equal(rc.r[0].detail, "line1\nline2 & <");
	assert_string_equal(rc.r[0].out, "a\n<b>");
	/* repeated names are all kept, in order */
	assert_int_equal(rc.r[0].nprops, 3);
	assert_string_equal(rc.r[0].keys[0], "k");
	assert_string_equal(rc.r[0].values[0], "1");
	assert_string_equal(rc.r[0].keys[1], "k");
	assert_string_equal(rc.r[0].values[1], "2");
	assert_string_equal(rc.r[0].values[2], "text value");
	rec_free(&rc);
}

/* Every UTF-8 sequence in s is complete. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80 ? 1 : (s[i] & 0xE0) == 0xC0 ? 2 : (s[i] & 0xF0) == 0xE0 ? 3 :
			   (s[i] & 0xF8) == 0xF0 ? 4 : 0;

		if (!k || i + k > n)
			return 0;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

static void test_truncation(void **state)
{
	ins_buf x = INS_BUF_INIT;
	size_t nchars = INS_INGEST_MAX_TEXT / 2 + 1000;
	rec rc = { 0 };

	/* an odd prefix puts the cut inside a two-byte character */
	ins_buf_puts(&x, "<testsuite><testcase name='big'><failure message='m'>x");
	for (size_t i = 0; i < nchars; i++)
		ins_buf_puts(&x, "\xc3\xa9");
	ins_buf_puts(&x, "</failure><system-out>small</system-out></testcase></testsuite>");
	assert_int_equal(parse_mem(x.ptr, x.len, "big.xml", &rc), 0);
	assert_int_equal(rc.n, 1);
	size_t dl = strlen(rc.r[0].detail), ml = strlen(MARK);
	assert_true(dl > ml);
	assert_true(dl - ml <= INS_INGEST_MAX_TEXT);
	assert_true(dl - ml >= INS_INGEST_MAX_TEXT - 3);
	assert_string_equal(rc.r[0].detail + dl - ml, MARK);
	assert_true(utf8_valid((const unsigned char *)rc.r[0].detail, dl));
	assert_string_equal(rc.r[0].out, "small");
	rec_free(&rc);
	ins_buf_release(&x);
}

/*
 * The report is read 64 KiB at a time and a raw '<' in an attribute value
 * is escaped on the way to expat: whatever byte the read boundary falls on
 * (in a comment, a processing instruction, an attribute, CDATA), the
 * result is the same.
 */
static void test_chunk_boundaries(void **state)
{
	static const char region[] =
		"<!-- a ' \" < - b -->"
		"<?pi ' \" < ?>"
		"<testcase name=\"a&lt;b\" classname='c\"d' time=\"<<computed>>\">"
		"<failure message='x'><![CDATA[ ' \" < ]]]]></failure></testcase>";
	const size_t head = strlen("<testsuite>\n<!--"), tail = strlen("-->");
	ins_buf x = INS_BUF_INIT;

	for (size_t shift = 0; shift <= sizeof(region); shift++) {
		size_t pad = 65536 - head - tail - sizeof(region) + shift;
		rec rc = { 0 };

		ins_buf_clear(&x);
		ins_buf_puts(&x, "<testsuite>\n<!--");
		for (size_t i = 0; i < pad; i++)
			ins_buf_putc(&x, 'x');
		ins_buf_puts(&x, "-->");
		ins_buf_puts(&x, region);
		ins_buf_puts(&x, "</testsuite>");
		if (parse_mem(x.ptr, x.len, "chunk.xml", &rc))
			fail_msg("boundary at %zu: %s", shift, ins_error_last());
		assert_int_equal(rc.n, 1);
		assert_string_equal(rc.r[0].name, "a<b");
		assert_string_equal(rc.r[0].classname, "c\"d");
		assert_true(rc.r[0].duration == -1);
		assert_true(rc.r[0].flags & INS_RESULT_DURATION_CLAMPED);
		assert_string_equal(rc.r[0].detail, "' \" < ]]");
		rec_free(&rc);
	}
	ins_buf_release(&x);
}

/* ---- the sink stops the parse --------------------------------------------- */

static void test_sink_stops(void **state)
{
	rec rc = { 0 };

	rc.stop_after = 2;
	assert_int_equal(parse_corpus("enricomi/tst/disabled.xml", &rc), 42);
	assert_int_equal(rc.n, 2);
	rec_free(&rc);

	rc.stop_after = 1;
	assert_int_equal(parse_corpus("jenkins-junit-plugin/gh-237/TEST-io.olamy.FlakyTest.xml", &rc), 42);
	assert_int_equal(rc.n, 1);
	rec_free(&rc);

	rc.stop_meta = 1;
	assert_int_equal(parse_corpus("action-junit-report/catch2/report.xml", &rc), 43);
	assert_int_equal(rc.nmeta, 1);
	rec_free(&rc);

	/* a sink with no callbacks at all */
	ins_ingest_sink none = { 0 };
	ins_buf p = INS_BUF_INIT;
	ins_buf_printf(&p, "%s/conformance/junit/enricomi/bazel/suite-logs.xml", shared_dir());
	int fd = open(p.ptr, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ins_ingest_junit(fd, NULL, &none), 0);
	close(fd);
	ins_buf_release(&p);
}

/* ---- bad input ---------------------------------------------------------- */

/* A generated file: `gen` writes it to fd. */
typedef void (*gen_fn)(int fd);

static void put(int fd, const char *s)
{
	size_t n = strlen(s);

	assert_int_equal(write(fd, s, n), (ssize_t)n);
}

static void put_repeat(int fd, const char *s, size_t times)
{
	char buf[65536];
	size_t n = strlen(s), per = sizeof(buf) / n, fill = 0;

	for (size_t i = 0; i < per; i++)
		memcpy(buf + fill, s, n), fill += n;
	while (times) {
		size_t k = times < per ? times : per;

		assert_int_equal(write(fd, buf, k * n), (ssize_t)(k * n));
		times -= k;
	}
}

static void gen_empty(int fd) { (void)fd; }
static void gen_blank(int fd) { put(fd, "  \n\n"); }
static void gen_text(int fd) { put(fd, "PASS: all 12 tests\n"); }
static void gen_json(int fd) { put(fd, "{\"results\": {\"tests\": []}}"); }
static void gen_html(int fd) { put(fd, "<?xml version='1.0'?>\n<html><body/></html>"); }
static void gen_truncated(int fd)
{
	put(fd, "<testsuites>\n<testsuite name='x'>\n<testcase name='a'/>\n<testcase name='b'");
}
static void gen_unclosed(int fd) { put(fd, "<testsuite name='x'>\n<testcase name='a'/>\n"); }
static void gen_bad_utf8(int fd)
{
	put(fd, "<testsuite>\n<testcase name='caf\xc3\x28'/>\n</testsuite>");
}
static void gen_junk_after(int fd)
{
	put(fd, "<testsuite><testcase name='a'/></testsuite>\n<testsuite/>");
}
static void gen_mismatch(int fd) { put(fd, "<testsuite>\n<testcase name='a'></testsuite>"); }
static void gen_huge_attr(int fd)
{
	put(fd, "<testsuites>\n<testsuite name='");
	put_repeat(fd, "A", 50u << 20);
	put(fd, "'><testcase name='a'/></testsuite></testsuites>");
}
static void gen_deep(int fd)
{
	put(fd, "<testsuites>\n");
	put_repeat(fd, "<testsuite>", 100000);
	put_repeat(fd, "</testsuite>", 100000);
	put(fd, "</testsuites>");
}
static void gen_deep_unknown(int fd)
{
	put(fd, "<testsuites><testsuite><testcase name='a'>\n");
	put_repeat(fd, "<x>", 100000);
	put_repeat(fd, "</x>", 100000);
	put(fd, "</testcase></testsuite></testsuites>");
}
static void gen_laughs(int fd)
{
	put(fd, "<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol 'lol'>\n"
		" <!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
		" <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
		"]>\n<testsuite><testcase name='&lol3;'/></testsuite>");
}
static void gen_xxe_file(int fd)
{
	put(fd, "<?xml version='1.0'?>\n<!DOCTYPE t [ <!ENTITY x SYSTEM 'file:///etc/passwd'> ]>\n"
		"<testsuite><testcase name='a'><failure>&x;</failure></testcase></testsuite>");
}
static void gen_param_entity(int fd)
{
	put(fd, "<?xml version='1.0'?>\n<!DOCTYPE t [\n<!ENTITY % p SYSTEM 'http://127.0.0.1:9/x.dtd'>\n"
		"%p;\n]>\n<testsuite/>");
}
static void gen_undefined_entity(int fd)
{
	put(fd, "<testsuite>\n<testcase name='&nope;'/></testsuite>");
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *what;
		gen_fn gen;
		const char *needle; /* in the message */
	} t[] = {
		{ "empty", gen_empty, "empty file" },
		{ "blank", gen_blank, "not well-formed XML" },
		{ "text", gen_text, "not well-formed XML" },
		{ "json", gen_json, "not well-formed XML" },
		{ "html", gen_html, "not a JUnit XML report" },
		{ "truncated", gen_truncated, ":4: not well-formed XML" },
		{ "unclosed", gen_unclosed, "not well-formed XML" },
		{ "bad-utf8", gen_bad_utf8, ":2: not well-formed XML" },
		{ "junk-after", gen_junk_after, "not well-formed XML" },
		{ "mismatch", gen_mismatch, ":2: not well-formed XML" },
		{ "huge-attr", gen_huge_attr, "longer than 16 MiB; refused" },
		{ "deep", gen_deep, "nested deeper than" },
		{ "deep-unknown", gen_deep_unknown, "nested deeper than" },
		{ "billion-laughs", gen_laughs, ":3: the document declares XML entities; refused" },
		{ "xxe-file", gen_xxe_file, "declares XML entities; refused" },
		{ "param-entity", gen_param_entity, ":3: the document declares XML entities" },
		{ "undefined-entity", gen_undefined_entity, ":2: not well-formed XML" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		char path[] = "/tmp/insight-junit-bad-XXXXXX";
		int fd = mkstemp(path), ret;
		ins_buf display = INS_BUF_INIT;
		rec rc = { 0 };

		assert_true(fd >= 0);
		unlink(path);
		t[i].gen(fd);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		ins_buf_printf(&display, "%s.xml", t[i].what);
		ins_error_clear();
		ret = parse_fd(fd, display.ptr, &rc);
		close(fd);
		if (ret != INS_EINVALID)
			fail_msg("%s: returned %d (%s)", t[i].what, ret, ins_error_last());
		/* one line, naming the file (and the line where there is one) */
		if (strncmp(ins_error_last(), display.ptr, display.len) ||
		    !strstr(ins_error_last(), t[i].needle) || strchr(ins_error_last(), '\n'))
			fail_msg("%s: message \"%s\" lacks \"%s\"", t[i].what, ins_error_last(),
				 t[i].needle);
		if (strcmp(t[i].what, "empty")) {
			const char *m = ins_error_last() + display.len;
			unsigned long line;
			char colon;

			if (sscanf(m, ":%lu%c", &line, &colon) != 2 || colon != ':' || !line)
				fail_msg("%s: no line number in \"%s\"", t[i].what, ins_error_last());
		}
		check_invariants(&rc);
		rec_free(&rc);
		ins_buf_release(&display);
	}
}

/* Nesting up to the limit is fine; one more level is refused. */
static void test_depth_limit(void **state)
{
	for (int extra = 0; extra <= 1; extra++) {
		ins_buf x = INS_BUF_INIT;
		rec rc = { 0 };
		int suites = INS_INGEST_MAX_DEPTH - 1 + extra; /* plus the testcase */

		for (int i = 0; i < suites; i++)
			ins_buf_puts(&x, "<testsuite>");
		ins_buf_puts(&x, "<testcase name='deep'/>");
		for (int i = 0; i < suites; i++)
			ins_buf_puts(&x, "</testsuite>");
		if (!extra) {
			assert_int_equal(parse_str(x.ptr, &rc), 0);
			assert_int_equal(rc.n, 1);
		} else {
			assert_int_equal(parse_str(x.ptr, &rc), INS_EINVALID);
		}
		rec_free(&rc);
		ins_buf_release(&x);
	}
}

/* ---- memory stays flat ---------------------------------------------------- */

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * Run `gen` in a child, parse its output there and report the growth of the
 * peak resident size in KiB (through the exit status, in MiB), so that what
 * this process did before does not hide it.
 */
static long child_peak_mib(gen_fn gen, int want_rc)
{
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char path[] = "/tmp/insight-junit-mem-XXXXXX";
		int fd = mkstemp(path), ret;
		ins_ingest_sink sink = { 0 };
		long before;

		unlink(path);
		gen(fd);
		lseek(fd, 0, SEEK_SET);
		before = maxrss_kb();
		ret = ins_ingest_junit(fd, "mem.xml", &sink);
		if (ret != want_rc)
			_exit(255);
		_exit((int)((maxrss_kb() - before) / 1024 > 250 ? 250 : (maxrss_kb() - before) / 1024));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 255);
	return WEXITSTATUS(status);
}

static void gen_many_cases(int fd)
{
	/* about 60 MB of cases, each with a failure and output */
	put(fd, "<testsuites><testsuite name='many'>\n");
	put_repeat(fd, "<testcase classname='pkg.mod.TestClass' name='test_something[param-1]' "
		       "time='0.001'><failure message='assert 1 == 2'>Traceback (most recent call last):\n"
		       "  File \"x.py\", line 1\nAssertionError</failure><system-out>hello</system-out>"
		       "</testcase>\n", 250000);
	put(fd, "</testsuite></testsuites>\n");
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void test_memory_flat(void **state)
{
	long grew;

	grew = child_peak_mib(gen_many_cases, 0);
	if (grew > 8)
		fail_msg("parsing 60 MB of cases grew the peak RSS by %ld MiB", grew);
	/*
	 * A 50 MB attribute is refused once 16 MiB of it are buffered, before
	 * it is held whole. (AddressSanitizer keeps freed blocks in quarantine,
	 * so there the peak says nothing about it.)
	 */
	grew = child_peak_mib(gen_huge_attr, INS_EINVALID);
#ifndef UNDER_ASAN
	if (grew > 40)
		fail_msg("a 50 MB attribute grew the peak RSS by %ld MiB", grew);
#endif
}

/* ---- nothing outside the report is ever opened -------------------------- */

/*
 * The entities point at a FIFO. Opening a FIFO for reading blocks until a
 * writer comes, and while a reader holds it open, opening it for writing
 * without blocking succeeds: either way an access is seen.
 */
static void test_no_external_access(void **state)
{
	char dir[] = "/tmp/insight-junit-xxe-XXXXXX";
	ins_buf fifo = INS_BUF_INIT, doc = INS_BUF_INIT;
	const char *kinds[] = {
		/* an external DTD (no entity declared: parsed, DTD never read) */
		"<!DOCTYPE testsuite SYSTEM '@'>\n<testsuite><testcase name='a'/></testsuite>",
		"<!DOCTYPE testsuite PUBLIC '-//x//y' 'file://@'>\n<testsuite/>",
		/* external entities (refused) */
		"<!DOCTYPE t [ <!ENTITY x SYSTEM '@'> ]>\n<testsuite name='&x;'/>",
		"<!DOCTYPE t [ <!ENTITY % p SYSTEM '@'> %p; ]>\n<testsuite/>",
	};

	assert_non_null(mkdtemp(dir));
	ins_buf_printf(&fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo.ptr, 0600), 0);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		pid_t pid;
		int status, seen = 0, waited = 0;

		const char *at = strchr(kinds[i], '@');

		ins_buf_clear(&doc);
		ins_buf_put(&doc, kinds[i], (size_t)(at - kinds[i]));
		ins_buf_puts(&doc, fifo.ptr);
		ins_buf_puts(&doc, at + 1);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			rec rc = { 0 };
			int ret = parse_str(doc.ptr, &rc);

			_exit(ret == 0 ? (i < 2 ? 0 : 1) : ret == INS_EINVALID ? (i < 2 ? 2 : 0) : 3);
		}
		for (;;) {
			int w = open(fifo.ptr, O_WRONLY | O_NONBLOCK);

			if (w >= 0) {
				seen = 1;
				close(w);
			}
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			if (++waited > 500) { /* 5 s: the child is stuck opening the FIFO */
				seen = 1;
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				break;
			}
			usleep(10000);
		}
		if (seen)
			fail_msg("document %zu opened %s", i, fifo.ptr);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	unlink(fifo.ptr);
	rmdir(dir);
	ins_buf_release(&fifo);
	ins_buf_release(&doc);
}

/* ---- real pytest ---------------------------------------------------------- */

static const char pytest_module[] =
	"import pytest\n"
	"\n"
	"def test_plain():\n"
	"    pass\n"
	"\n"
	"def test_fails():\n"
	"    assert 1 == 2, 'one is not two'\n"
	"\n"
	"@pytest.mark.parametrize('v', ['a::b', 'x.y', '\\u00fc\\U0001d11e', 'sp ace'])\n"
	"def test_param(v):\n"
	"    pass\n"
	"\n"
	"def test_skip():\n"
	"    pytest.skip('not today')\n"
	"\n"
	"@pytest.mark.xfail(reason='known')\n"
	"def test_xfail():\n"
	"    assert 0\n"
	"\n"
	"@pytest.fixture\n"
	"def broken():\n"
	"    raise RuntimeError('setup broke')\n"
	"\n"
	"def test_setup_error(broken):\n"
	"    pass\n"
	"\n"
	"def test_prop(record_property):\n"
	"    record_property('testrail', 'C123')\n"
	"\n"
	"class TestOuter:\n"
	"    def test_m(self):\n"
	"        pass\n"
	"\n"
	"    class TestInner:\n"
	"        def test_n(self):\n"
	"            print('to stdout')\n"
	"            assert False\n";

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void test_real_pytest(void **state)
{
	const char *py = getenv("INSIGHT_PYTHON");
	char dir[] = "/tmp/insight-junit-pytest-XXXXXX";
	ins_buf cmd = INS_BUF_INIT, path = INS_BUF_INIT;
	char **ids = NULL, line[4096];
	size_t nids = 0, aids = 0;
	FILE *f;
	rec rc = { 0 };

	if (!py || !*py)
		py = "/usr/bin/python3";
	assert_non_null(mkdtemp(dir));
	ins_buf_printf(&path, "%s/tests", dir);
	assert_int_equal(mkdir(path.ptr, 0700), 0);
	ins_buf_puts(&path, "/test_sample.py");
	f = fopen(path.ptr, "w");
	assert_non_null(f);
	fputs(pytest_module, f);
	fclose(f);

	/* pytest's own node ids */
	ins_buf_printf(&cmd, "cd '%s' && PYTHONDONTWRITEBYTECODE=1 '%s' -m pytest -p no:cacheprovider "
		       "--collect-only -q tests 2>&1", dir, py);
	f = popen(cmd.ptr, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "tests/", 6))
			continue;
		ids = ins_xgrow(ids, &aids, nids + 1, sizeof(char *));
		ids[nids++] = ins_xstrdup(line);
	}
	pclose(f);
	assert_int_equal(nids, 12);

	for (int family = 1; family <= 2; family++) {
		ins_buf_clear(&cmd);
		ins_buf_printf(&cmd, "cd '%s' && PYTHONDONTWRITEBYTECODE=1 '%s' -m pytest -p no:cacheprovider "
			       "-o junit_family=xunit%d --junitxml=out.xml tests >/dev/null 2>&1", dir, py,
			       family);
		assert_int_not_equal(system(cmd.ptr), -1);
		ins_buf_clear(&path);
		ins_buf_printf(&path, "%s/out.xml", dir);
		assert_int_equal(parse_path(path.ptr, &rc), 0);
		check_invariants(&rc);
		assert_int_equal(rc.n, nids);
		for (size_t i = 0; i < rc.n; i++) {
			const rec_result *x = &rc.r[i];
			size_t j;

			if (family == 1) {
				/* xunit1 names the file: the node id is pytest's own */
				for (j = 0; j < nids; j++)
					if (!strcmp(ids[j], x->nodeid))
						break;
				if (j == nids)
					fail_msg("xunit1: node id \"%s\" is not pytest's", x->nodeid);
				assert_string_equal(x->file, "tests/test_sample.py");
			} else {
				assert_null(x->file);
				assert_true(!strncmp(x->nodeid, "tests.test_sample", 17));
			}
		}
		for (size_t i = 0; i < rc.n; i++) {
			const rec_result *x = &rc.r[i];

			if (!strcmp(x->name, "test_plain"))
				assert_int_equal(x->outcome, INS_OUTCOME_PASSED);
			else if (!strcmp(x->name, "test_fails")) {
				assert_int_equal(x->outcome, INS_OUTCOME_FAILED);
				assert_non_null(strstr(x->message, "one is not two"));
				assert_non_null(strstr(x->detail, "assert 1 == 2"));
			} else if (!strcmp(x->name, "test_skip")) {
				assert_int_equal(x->outcome, INS_OUTCOME_SKIPPED);
				assert_string_equal(x->message, "not today");
			} else if (!strcmp(x->name, "test_xfail")) {
				assert_int_equal(x->outcome, INS_OUTCOME_XFAILED);
			} else if (!strcmp(x->name, "test_setup_error")) {
				assert_int_equal(x->outcome, INS_OUTCOME_ERROR);
				assert_non_null(strstr(x->detail, "setup broke"));
			} else if (!strcmp(x->name, "test_prop")) {
				assert_string_equal(prop(x, "testrail"), "C123");
			} else if (!strcmp(x->name, "test_n")) {
				assert_int_equal(x->outcome, INS_OUTCOME_FAILED);
				if (family == 1)
					assert_string_equal(x->nodeid,
							    "tests/test_sample.py::TestOuter::TestInner::test_n");
				else
					assert_string_equal(x->nodeid,
							    "tests.test_sample.TestOuter.TestInner::test_n");
			}
			assert_true(x->duration >= 0);
		}
		assert_non_null(meta(&rc, "host"));
		assert_non_null(meta(&rc, "started_ms"));
		assert_true(llabs(strtoll(meta(&rc, "started_ms"), NULL, 10) - (long long)time(NULL) * 1000)
			    < 2LL * 86400 * 1000); /* pytest writes local time without a zone */
		rec_free(&rc);
	}
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	ins_buf_release(&cmd);
	ins_buf_release(&path);
}

/*
 * Characters XML forbids, raw or referenced, even cut by the 64 KiB read
 * boundary: shown as "\x1b"-style escapes, counted in one warning, and the
 * report kept. Without the filter expat refuses the whole document.
 */
static void test_control_characters(void **state)
{
	static const char *const refs[] = { "&#x1B;", "&#27;", "&#X1b;", "\x1b", "&#0;" };
	ins_buf doc = INS_BUF_INIT;
	rec rc = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		/* the character lands across the first chunk boundary at each offset */
		for (size_t cut = 0; cut <= strlen(refs[i]); cut++) {
			const char *head = "<testsuite><testcase classname='c' name='t'><failure message='m'>";
			size_t pad = 65536 - strlen(head) - cut;

			ins_buf_clear(&doc);
			ins_buf_puts(&doc, head);
			for (size_t k = 0; k < pad; k++)
				ins_buf_putc(&doc, 'a');
			ins_buf_puts(&doc, refs[i]);
			ins_buf_puts(&doc, "[31m &amp; &#65;</failure></testcase>"
				     "<testcase classname='c' name='u'/></testsuite>");
			assert_int_equal(parse_mem(doc.ptr, doc.len, "gen.xml", &rc), 0);
			assert_int_equal(rc.n, 2);
			assert_int_equal(rc.r[0].outcome, INS_OUTCOME_FAILED);
			assert_non_null(strstr(rc.r[0].detail, i == 4 ? "\\x00[31m & A" : "\\x1b[31m & A"));
			assert_non_null(strstr(meta(&rc, "warning"), "1 character that XML does not allow"));
			rec_free(&rc);
		}
	}
	/* references to allowed characters and other entities are untouched */
	assert_int_equal(parse_str("<testsuite><testcase classname='c' name='t'><failure>"
				   "x&#9;&#x41;&lt;&#128512;</failure></testcase></testsuite>", &rc), 0);
	assert_string_equal(rc.r[0].detail, "x\tA<\xf0\x9f\x98\x80");
	assert_null(meta(&rc, "warning"));
	rec_free(&rc);
	/* a NUL in a name: the test is kept, its name shows the NUL */
	assert_int_equal(parse_mem("<testsuite>\n<testcase classname='c' name='a\0b'/>\n</testsuite>",
				   61, "gen.xml", &rc), 0);
	assert_int_equal(rc.n, 1);
	assert_string_equal(rc.r[0].nodeid, "c::a\\x00b");
	rec_free(&rc);
	ins_buf_release(&doc);
}

/* A decimal comma ("0,5") in case and suite times; three digits after a comma are thousands. */
static void test_decimal_comma(void **state)
{
	rec rc = { 0 };

	(void)state;
	assert_int_equal(parse_str("<testsuites time='2,5'><testsuite name='s' time='1,75'>"
				   "<testcase classname='c' name='a' time='0,5'/>"
				   "<testcase classname='c' name='b' time='12,345.6'/>"
				   "<testcase classname='c' name='d' time='1,234'/>"
				   "<testcase classname='c' name='e' time='1,2,3'/>"
				   "</testsuite></testsuites>", &rc), 0);
	assert_int_equal(rc.n, 4);
	assert_true(fabs(rc.r[0].duration - 0.5) < 1e-12);
	assert_true(fabs(rc.r[1].duration - 12345.6) < 1e-9);
	assert_true(fabs(rc.r[2].duration - 1234) < 1e-12);
	assert_true(rc.r[3].duration < 0);
	assert_string_equal(meta(&rc, "duration"), "2.5");
	rec_free(&rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_flaky_retries),
		cmocka_unit_test(test_surefire_gh237),
		cmocka_unit_test(test_surefire_marathon),
		cmocka_unit_test(test_nextest_catch2_perl),
		cmocka_unit_test(test_odd_durations),
		cmocka_unit_test(test_pytest_flaky_report),
		cmocka_unit_test(test_rejected_files),
		cmocka_unit_test(test_nested_and_properties),
		cmocka_unit_test(test_timestamps_corpus),
		cmocka_unit_test(test_timestamp_formats),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_decimal_comma),
		cmocka_unit_test(test_identity_rules),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_sections_and_entities),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_bom_crlf_unicode),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_sink_stops),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_memory_flat),
		cmocka_unit_test(test_no_external_access),
		cmocka_unit_test(test_real_pytest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
