/*
 * publish.c - what every publisher shares: a session's final results read
 * once with the properties that name cases, the mapping file, and the
 * report of one target.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/publish.h"
#include "insight/secret.h"
#include "insight/store.h"
#include "insight/timeutil.h"
#include "publish/publish_internal.h"
#include "store/store_internal.h"

static char *dup_col(sqlite3_stmt *st, int col)
{
	const char *s = ins_store__col_text(st, col);

	return s ? ins_xstrdup(s) : NULL;
}

static int by_id(const void *a, const void *b)
{
	const ins_pub_test *x = *(ins_pub_test *const *)a, *y = *(ins_pub_test *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Node ids compared as SQLite's BINARY collation does (byte by byte). */
static int by_nodeid(const void *a, const void *b)
{
	return strcmp(((const ins_pub_test *)a)->nodeid, ((const ins_pub_test *)b)->nodeid);
}

static ins_pub_test *find_id(ins_pub_test **index, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (index[mid]->id == id)
			return index[mid];
		if (index[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int ins_pub_session_load(ins_pub_session *s, ins_store *store, const char *uid)
{
	sqlite3_stmt *st = NULL;
	ins_pub_test **index = NULL;
	size_t alloc = 0;
	int64_t sid;
	int rc, step;

	memset(s, 0, sizeof(*s));
	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.id, s.uid, u.name, s.git_commit, s.git_branch, s.started_ms "
		"FROM session s JOIN sut u ON u.id = s.sut_id WHERE s.uid = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, uid);
	if ((step = sqlite3_step(st)) != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? ins_error_set(INS_ENOTFOUND, "no session %s", uid) :
		     ins_store__error(store, "reading the session");
		goto done;
	}
	sid = sqlite3_column_int64(st, 0);
	s->uid = dup_col(st, 1);
	s->sut = dup_col(st, 2);
	s->commit = dup_col(st, 3);
	s->branch = dup_col(st, 4);
	s->started_ms = sqlite3_column_int64(st, 5);
	if (s->commit && !*s->commit) {
		free(s->commit);
		s->commit = NULL;
	}
	if (s->branch && !*s->branch) {
		free(s->branch);
		s->branch = NULL;
	}
	sqlite3_finalize(st);
	st = NULL;

	/*
	 * The results, then their tracebacks (few: the tests that did not pass)
	 * on their own, sorted here: a join and an ORDER BY in SQL cost most of
	 * a large publish's local work.
	 */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT t.id, t.nodeid, t.name, r.outcome, coalesce(r.duration, -1), r.message "
		"FROM result r JOIN test t ON t.id = r.test_id "
		"WHERE r.session_id = ?1 AND r.final = 1")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, sid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ins_pub_test *t;

		s->tests = ins_xgrow(s->tests, &alloc, s->ntests + 1, sizeof(*s->tests));
		t = &s->tests[s->ntests++];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(st, 0);
		t->nodeid = dup_col(st, 1);
		t->name = dup_col(st, 2);
		t->outcome = sqlite3_column_int(st, 3);
		t->duration = sqlite3_column_double(st, 4);
		t->message = dup_col(st, 5);
	}
	if (step != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the session's results");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	qsort(s->tests, s->ntests, sizeof(*s->tests), by_nodeid);
	index = ins_xcalloc(s->ntests ? s->ntests : 1, sizeof(*index));
	for (size_t i = 0; i < s->ntests; i++)
		index[i] = &s->tests[i];
	qsort(index, s->ntests, sizeof(*index), by_id);

	if ((rc = ins_store__prepare(store, &st,
		"SELECT x.test_id, x.detail FROM result_text x JOIN result r "
		"ON r.session_id = x.session_id AND r.test_id = x.test_id AND r.attempt = x.attempt "
		"WHERE x.session_id = ?1 AND r.final = 1 AND x.detail IS NOT NULL")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, sid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ins_pub_test *t = find_id(index, s->ntests, sqlite3_column_int64(st, 0));

		if (t && !t->detail)
			t->detail = dup_col(st, 1);
	}
	if (step != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the session's tracebacks");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;

	/* The properties that name cases, of the final attempts. */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT p.test_id, p.key, p.value FROM result_property p JOIN result r "
		"ON r.session_id = p.session_id AND r.test_id = p.test_id AND r.attempt = p.attempt "
		"AND r.final = 1 WHERE p.session_id = ?1 AND p.key IN "
		"('testrail_case_id', 'test_id', 'testrail', 'zephyr_test_key') "
		"ORDER BY p.test_id, p.key DESC")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, sid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ins_pub_test *t = find_id(index, s->ntests, sqlite3_column_int64(st, 0));
		const char *key = ins_store__col_text(st, 1);
		const char *value = ins_store__col_text(st, 2);

		if (!t || !key || !value || !*value)
			continue;
		if (!strcmp(key, "zephyr_test_key")) {
			if (!t->zephyr)
				t->zephyr = ins_xstrdup(value);
		} else if (!t->testrail) {
			/* testrail_case_id first (the keys come in descending order) */
			t->testrail = ins_xstrdup(value);
		}
	}
	if (step != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the session's properties");
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	free(index);
	return rc;
}

void ins_pub_session_release(ins_pub_session *s)
{
	for (size_t i = 0; i < s->ntests; i++) {
		ins_pub_test *t = &s->tests[i];

		free(t->nodeid);
		free(t->name);
		free(t->message);
		free(t->detail);
		free(t->testrail);
		free(t->zephyr);
	}
	free(s->tests);
	free(s->uid);
	free(s->sut);
	free(s->commit);
	free(s->branch);
	memset(s, 0, sizeof(*s));
}

void ins_pub_report_release(ins_pub_report *r)
{
	ins_buf_release(&r->reason);
	ins_buf_release(&r->where);
}

/* ---- case ids ---- */

void ins_testrail_case_ids(const char *text, int loose, long **ids, size_t *n, size_t *alloc)
{
	const char *p = text;

	while (p && *p) {
		const char *q = p;
		long v = 0;
		int digits = 0;

		if (*p == 'C' || *p == 'c') {
			if (!loose && (*p == 'c' || (p > text && isalnum((unsigned char)p[-1])))) {
				p++;
				continue;
			}
			q = p + 1;
		} else if (!loose || !isdigit((unsigned char)*p) ||
			   (p > text && isalnum((unsigned char)p[-1]))) {
			p++;
			continue;
		}
		while (isdigit((unsigned char)*q) && digits < 12) {
			v = v * 10 + (*q - '0');
			q++;
			digits++;
		}
		if (!digits || isalnum((unsigned char)*q) || v <= 0) {
			p = q > p ? q : p + 1;
			continue;
		}
		*ids = ins_xgrow(*ids, alloc, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = v;
		p = q;
	}
}

void ins_publish__put_long(ins_buf *b, long v)
{
	char text[24], *p = text + sizeof(text);
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	ins_buf_put(b, p, (size_t)(text + sizeof(text) - p));
}

void ins_testrail_elapsed(ins_buf *out, double seconds)
{
	long s = seconds < 1 ? 1 : (long)(seconds + 0.5);
	long h = s / 3600, m = s / 60 % 60, sec = s % 60;
	const char *sep = "";

	if (h) {
		ins_publish__put_long(out, h);
		ins_buf_putc(out, 'h');
		sep = " ";
	}
	if (m) {
		ins_buf_puts(out, sep);
		ins_publish__put_long(out, m);
		ins_buf_putc(out, 'm');
		sep = " ";
	}
	if (sec || (!h && !m)) {
		ins_buf_puts(out, sep);
		ins_publish__put_long(out, sec);
		ins_buf_putc(out, 's');
	}
}

/* ---- the mapping file ---- */

struct map_entry {
	char *nodeid;
	ins_buf cases;
};

struct ins_pub_map {
	struct map_entry *e;
	size_t n;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct map_entry *)a)->nodeid, ((const struct map_entry *)b)->nodeid);
}

/* One CSV field from *p (quoted or not) into out; *p moves past its comma. */
static void csv_field(const char **p, ins_buf *out)
{
	const char *s = *p;

	ins_buf_clear(out);
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '"') {
		s++;
		while (*s) {
			if (*s == '"' && s[1] == '"') {
				ins_buf_putc(out, '"');
				s += 2;
			} else if (*s == '"') {
				s++;
				break;
			} else {
				ins_buf_putc(out, *s++);
			}
		}
		while (*s && *s != ',')
			s++;
	} else {
		while (*s && *s != ',')
			ins_buf_putc(out, *s++);
		ins_buf_rtrim(out);
	}
	if (*s == ',')
		s++;
	*p = s;
}

int ins_pub_map_read(ins_pub_map **out, const char *path)
{
	FILE *fp = fopen(path, "r");
	ins_pub_map *m;
	ins_buf line = INS_BUF_INIT, node = INS_BUF_INIT, cs = INS_BUF_INIT;
	long *ids = NULL;
	size_t alloc = 0, ealloc = 0, lineno = 0;
	int rc = 0;

	*out = NULL;
	if (!fp)
		return ins_error_set(INS_EIO, "cannot read the mapping file '%s': %s", path,
				     strerror(errno));
	m = ins_xcalloc(1, sizeof(*m));
	for (;;) {
		int c;
		size_t nids = 0;
		const char *p;

		ins_buf_clear(&line);
		while ((c = getc(fp)) != EOF && c != '\n')
			ins_buf_putc(&line, (char)c);
		if (c == EOF && !line.len)
			break;
		lineno++;
		ins_buf_rtrim(&line);
		if (!line.len || line.ptr[0] == '#')
			continue;
		p = line.ptr;
		csv_field(&p, &node);
		csv_field(&p, &cs);
		ins_testrail_case_ids(cs.ptr, 1, &ids, &nids, &alloc);
		if (!node.len || (!nids && !strchr(cs.ptr, '-'))) {
			if (lineno == 1)
				continue; /* a header */
			rc = ins_error_set(INS_EINVALID, "%s:%zu: not a node id and a case id",
					   path, lineno);
			goto done;
		}
		m->e = ins_xgrow(m->e, &ealloc, m->n + 1, sizeof(*m->e));
		m->e[m->n].nodeid = ins_xstrdup(node.ptr);
		ins_buf_init(&m->e[m->n].cases);
		ins_buf_puts(&m->e[m->n].cases, cs.ptr);
		m->n++;
	}
	if (ferror(fp)) {
		rc = ins_error_set(INS_EIO, "cannot read the mapping file '%s': %s", path,
				   strerror(errno));
		goto done;
	}
	qsort(m->e, m->n, sizeof(*m->e), entry_cmp);
	/* Several lines for one node id: their cases joined. */
	if (m->n) {
		size_t w = 0;

		for (size_t i = 1; i < m->n; i++) {
			if (!strcmp(m->e[i].nodeid, m->e[w].nodeid)) {
				ins_buf_putc(&m->e[w].cases, ',');
				ins_buf_puts(&m->e[w].cases, m->e[i].cases.ptr);
				free(m->e[i].nodeid);
				ins_buf_release(&m->e[i].cases);
			} else {
				m->e[++w] = m->e[i];
			}
		}
		m->n = w + 1;
	}
done:
	fclose(fp);
	free(ids);
	ins_buf_release(&line);
	ins_buf_release(&node);
	ins_buf_release(&cs);
	if (rc < 0)
		ins_pub_map_free(m);
	else
		*out = m;
	return rc;
}

const char *ins_pub_map_get(const ins_pub_map *m, const char *nodeid)
{
	struct map_entry key;
	const struct map_entry *e;

	if (!m || !m->n)
		return NULL;
	key.nodeid = (char *)nodeid;
	e = bsearch(&key, m->e, m->n, sizeof(*m->e), entry_cmp);
	return e ? e->cases.ptr : NULL;
}

void ins_pub_map_free(ins_pub_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].nodeid);
		ins_buf_release(&m->e[i].cases);
	}
	free(m->e);
	free(m);
}

void ins_publish__fail_answer(ins_pub_report *rep, const char *what, const char *service,
			      const ins_http_response *resp)
{
	rep->failed = 1;
	ins_buf_clear(&rep->reason);
	ins_buf_printf(&rep->reason, "%s: %s answered %ld", what, service, resp->status);
	if (resp->body.len) {
		ins_buf_puts(&rep->reason, ": ");
		ins_http_error_reason(resp, &rep->reason);
	}
}

void ins_publish__fail_net(ins_pub_report *rep, const char *what)
{
	rep->failed = 1;
	ins_buf_clear(&rep->reason);
	ins_buf_printf(&rep->reason, "%s: %s", what, ins_error_last());
}

void ins_publish__note(void (*fn)(void *data, const char *line), void *data, const char *fmt,
		       va_list ap)
{
	ins_buf line = INS_BUF_INIT, masked = INS_BUF_INIT;

	if (!fn)
		return;
	ins_buf_vprintf(&line, fmt, ap);
	ins_secret_mask(&masked, line.ptr);
	fn(data, masked.ptr);
	ins_buf_release(&line);
	ins_buf_release(&masked);
}

void ins_publish__new_id(char id[INS_PUBLISH_ID_LEN + 1])
{
	ins_session_id_new(id, ins_time_now_ms());
	id[INS_PUBLISH_ID_LEN] = '\0';
}

void ins_publish__run_name(ins_buf *name, const ins_pub_session *s)
{
	ins_buf_printf(name, "%s", s->sut);
	if (s->commit)
		ins_buf_printf(name, " @ %.12s", s->commit);
	ins_buf_printf(name, " (insight session %s)", s->uid);
}

void ins_publish__description(ins_buf *desc, const ins_pub_session *s, const char *publish_id)
{
	ins_buf when = INS_BUF_INIT;

	ins_time_format_iso(&when, s->started_ms);
	ins_buf_printf(desc, "Recorded by insight: SUT %s, session %s, started %s", s->sut, s->uid,
		       when.ptr);
	if (s->commit)
		ins_buf_printf(desc, ", commit %s", s->commit);
	if (s->branch)
		ins_buf_printf(desc, " on %s", s->branch);
	ins_buf_printf(desc, ". Publish %s.", publish_id);
	ins_buf_release(&when);
}

int ins_publish__is_ours(const char *name, const char *description, const char *want_name,
			 const char *publish_id)
{
	return name && description && !strcmp(name, want_name) && strstr(description, publish_id);
}
