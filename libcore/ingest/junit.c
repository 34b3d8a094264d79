/*
 * junit.c - the JUnit XML parser: every dialect, streamed with expat.
 *
 * The report is read in 64 KiB chunks and fed to expat; the handlers keep
 * a stack of element kinds (bounded by INS_INGEST_MAX_DEPTH) and the data
 * of the current test case only, in buffers reused from one case to the
 * next. Memory therefore stays flat whatever the size of the report: no
 * tree of the document is ever built. Each attempt is handed to the sink
 * as soon as it is complete.
 *
 * What the dialects mean, as the conformance corpus pins it:
 *   - Root <testsuites> or <testsuite>; suites nest at any depth; cases may
 *     sit beside suites. Suite count attributes are never read.
 *   - Outcome of a case: no child -> passed; <skipped> -> skipped
 *     (xfailed when pytest wrote type="pytest.xfail"); <failure> -> failed;
 *     <error> -> error; several children: error > failure > skipped.
 *     status="disabled" or "notrun" with no child -> skipped.
 *   - Message: the `message` attribute, else the first line of the text,
 *     else the `type` attribute. Detail: the element's text.
 *   - Surefire <flakyFailure>/<flakyError> in a case: one failed (error)
 *     attempt per element, then the case's own attempt, which is final.
 *     <rerunFailure>/<rerunError>: the case's own attempt (from <failure> /
 *     <error>) first, then one more attempt per element.
 *   - A case repeated in one report (the same node id again) is a retry
 *     only when every earlier occurrence of it failed or errored (Gradle's
 *     test-retry, pytest-rerunfailures, TestNG retries): it is then one
 *     more attempt of the same test, and the store numbers the attempts.
 *     Otherwise it is a test of its own, named with a stable suffix:
 *     "name[#2]", "name[#3]", ... in document order (TestNG data
 *     providers, Boost parameterised cases, gtester). See resolve_repeat().
 *   - <failure> and <error> in one case: the outcome is the stronger
 *     (error); the weaker one's message and text follow in the detail.
 *   - Surefire <rerunFailure>/<rerunError>: every run failed, so the case
 *     failed as Surefire and Jenkins show it; its final attempt takes the
 *     outcome of the first run and the case's `time`.
 *   - <failure>/<error> directly under a suite: an error result of a
 *     pseudo-test named after the suite.
 *   - Suite-level <system-out>/<system-err>: on_section("system-out: NAME").
 *     Suite properties: on_meta("property.NAME", value).
 *   - A suite named "pytest" (pytest's default junit_suite_name) sends
 *     on_meta("tool", "pytest"): the importer then maps pytest's
 *     classnames back to its node ids (see import.c).
 *   - Report facts: "started_ms" (the earliest timestamp; one without a
 *     zone is taken as UTC), "host" (the root's, else the first suite's),
 *     "duration" (the root's time, else the sum of its child suites'),
 *     "finished_ms" (start plus duration, when both are known).
 *
 * Identity (ins_result.nodeid), see case_identity(): the pytest node id
 * where it can be derived, else [file::]classname::name; with no
 * classname, the nearest enclosing suite's name stands in for it. A case
 * with neither name nor classname is kept under a synthesised name
 * ("(unnamed case)") with a warning (on_meta "warning"). A raw '<' inside an attribute value (web-test-runner) is accepted,
 * see lenient_filter(); any other malformed XML is refused.
 *
 * Memory: the current case holds at most a few dozen text fields, each
 * capped at INS_INGEST_MAX_TEXT, and expat holds at most one unfinished
 * token of that size; nothing else grows with the report.
 *
 * Safety: no DTD or external entity is ever loaded; a document declaring
 * any entity is refused. Nesting deeper than INS_INGEST_MAX_DEPTH, a single
 * XML token longer than INS_INGEST_MAX_TEXT and malformed XML are refused
 * with "<file>:<line>: <what>". Text fields longer than INS_INGEST_MAX_TEXT
 * are cut at a UTF-8 character boundary and marked.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <expat.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "insight/timeutil.h"
#include "ingest/repeat.h"

#define CHUNK (64u * 1024)
#define ENC_NAME_MAX 64
#define TRUNC_MARK "\n[truncated by insight]"
/* Suite names and the host name are labels: longer ones are cut. */
#define LABEL_MAX 4096
#define UNNAMED_SUITE "(unnamed suite)"

/* What an open element is to the parser. */
enum kind {
	K_OTHER = 0,    /* not ours: its whole subtree is ignored */
	K_SUITE,        /* <testsuites> or <testsuite> */
	K_CASE,         /* <testcase> */
	K_RESULT,       /* <failure>, <error>, <skipped> in a case */
	K_SUITE_RESULT, /* <failure>, <error> directly in a suite */
	K_ATTEMPT,      /* <flakyFailure>, <flakyError>, <rerunFailure>, <rerunError> */
	K_ATTEMPT_TEXT, /* <stackTrace> in an attempt */
	K_ATTEMPT_OUT,
	K_ATTEMPT_ERR,
	K_CASE_OUT,
	K_CASE_ERR,
	K_SUITE_OUT,
	K_SUITE_ERR,
	K_PROPS,        /* <properties> in a suite or a case */
	K_PROP          /* <property> */
};

/* Result priorities in a case: error > failure > skipped > none. */
enum { P_NONE = 0, P_SKIPPED, P_FAILURE, P_ERROR };

/* A text field with the INS_INGEST_MAX_TEXT cap. */
typedef struct tbuf {
	ins_buf b;
	int cut; /* 1: text was dropped; 2: and the marker is appended */
} tbuf;

/* One Surefire flaky or rerun element: an extra attempt of the case. */
typedef struct attempt {
	ins_outcome outcome;
	tbuf msg, type, detail, out, err;
	tbuf direct; /* text directly in the element, beside <stackTrace> */
} attempt;

/* The case being read. Buffers are reused from case to case. */
typedef struct tcase {
	int skip;                 /* nothing is emitted (the parser stopped) */
	int resolved;             /* the repeat rule has fixed the node id */
	ins_repeat_entry *entry;  /* the first occurrence of its id or a retry: its entry */
	ins_buf file, classname, name, nodeid;
	int has_file, has_classname, has_name;
	double duration;
	unsigned flags;
	int64_t start_ms;
	const char *status_skip;  /* "disabled" / "notrun", else NULL */

	int prio;                 /* P_* of the strongest result child so far */
	int xfail;                /* that child is pytest's xfail */
	tbuf msg, detail;
	tbuf out, err;

	/* properties: "key\0value\0" records in ptext, offsets in poff */
	ins_buf ptext;
	size_t *poff;             /* 2 per property: key and value offsets */
	size_t npoff, apoff;
	ins_property *pv;
	size_t apv;
	size_t pdropped;

	int main_emitted;         /* the case's own attempt went out early */
	ins_outcome main_outcome; /* its outcome, once it went out */
	int nflaky;               /* flaky attempts sent before the final one */
	int nrerun;               /* rerun elements seen */
	int first_rerun_error;    /* the first rerun element was <rerunError> */
	attempt att[2];           /* the element being read, the one held back */
	attempt *cur, *pend;
	int pend_valid;
} tcase;

typedef struct jparser {
	XML_Parser xp;
	const char *display;
	const ins_ingest_sink *sink;
	int rc;                   /* first failure: INS_EINVALID or a sink's value */
	int stopped;
	XML_Index last_event;     /* byte index of the latest event (progress) */

	unsigned char kind[INS_INGEST_MAX_DEPTH];
	int depth;

	/* suite names, a NUL-terminated record per open suite */
	ins_buf snames;
	size_t soff[INS_INGEST_MAX_DEPTH];
	int nsuites;

	tcase c;

	ins_repeat rep;           /* node ids seen in this report (resolve_repeat) */
	size_t unnamed;           /* cases with neither name nor classname */
	int said_pytest;          /* "tool" = "pytest" went out */

	/* the text of the current leaf element and its attributes */
	tbuf text;
	ins_buf rmsg, rtype, pkey, pval;
	ins_buf tmp;   /* scratch: module path, section and meta names */
	ins_buf pmsg, pdetail; /* a <failure> giving way to an <error> in the same case */
	ins_buf line;  /* a message taken from the first line of a text */
	ins_buf ndrop; /* the note on dropped properties */
	int has_pval;

	/* report facts */
	ins_buf host;
	int has_host;
	int64_t start_full, start_date;   /* earliest timestamps; 0 = none */
	double root_time, child_time;     /* seconds; negative = none */
	int has_child_time;
	char encoding[ENC_NAME_MAX];      /* an encoding expat asked about and insight lacks */
} jparser;

/* ---- small text helpers ---------------------------------------------- */

static size_t utf8_floor(const char *s, size_t n)
{
	/* s[n] is the first byte left out: never split a character there */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static void tb_put(tbuf *t, const char *s, size_t n)
{
	size_t room;

	if (t->cut)
		return;
	room = INS_INGEST_MAX_TEXT - t->b.len;
	if (n > room) {
		ins_buf_put(&t->b, s, utf8_floor(s, room));
		t->cut = 1;
		return;
	}
	ins_buf_put(&t->b, s, n);
}

static void tb_clear(tbuf *t)
{
	ins_buf_clear(&t->b);
	t->cut = 0;
}

static void tb_release(tbuf *t)
{
	ins_buf_release(&t->b);
	t->cut = 0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * Drop the white space around the text (the document's indentation, as a
 * rule), then mark a cut text. Returns the text, or NULL when nothing is
 * left. Borrowed from t.
 */
static const char *tb_final(tbuf *t)
{
	ins_buf *b = &t->b;
	size_t i = 0;

	if (t->cut != 2) {
		while (i < b->len && is_space(b->ptr[i]))
			i++;
		if (i) {
			memmove(b->ptr, b->ptr + i, b->len - i);
			ins_buf_truncate(b, b->len - i);
		}
		ins_buf_rtrim(b);
		if (t->cut == 1) {
			ins_buf_puts(b, TRUNC_MARK);
			t->cut = 2;
		}
	}
	return b->len ? b->ptr : NULL;
}

/* Replace `out` with the first non-blank line of `text`, trimmed. */
static void first_line(ins_buf *out, const char *text)
{
	const char *s = text, *e;

	ins_buf_clear(out);
	if (!s)
		return;
	while (is_space(*s))
		s++;
	for (e = s; *e && *e != '\n' && *e != '\r'; e++)
		;
	ins_buf_put(out, s, (size_t)(e - s));
	ins_buf_rtrim(out);
}

/* Set `b` to at most LABEL_MAX bytes of `s`. */
static void set_label(ins_buf *b, const char *s)
{
	size_t n = strlen(s);

	ins_buf_clear(b);
	if (n > LABEL_MAX)
		n = utf8_floor(s, LABEL_MAX);
	ins_buf_put(b, s, n);
}

/* ---- numbers and times, independent of the locale --------------------- */

/*
 * Parse a decimal number as producers write durations: "1.5", "1,234.5"
 * (thousands grouped by three), "4.5e-05", an optional sign, white space
 * around. Returns 1 and sets *out, or 0 when the text is not a number.
 */
static int parse_number(const char *s, double *out)
{
	uint64_t m = 0;
	int exp10 = 0, ndig = 0, neg = 0, group = 0, grouped = 0, commas = 0, e = 0;
	double v;

	while (is_space(*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (m < 100000000000000000ull)
				m = m * 10 + (uint64_t)(*s - '0');
			else
				exp10++;
			ndig++;
			group++;
		} else if (*s == ',') {
			/* a separator: the first group has 1-3 digits, later ones 3 */
			if (!ndig || (grouped ? group != 3 : group > 3))
				return 0;
			grouped = 1;
			commas++;
			group = 0;
		} else {
			break;
		}
	}
	if (grouped && group != 3) {
		/*
		 * One comma followed by other than three digits is a decimal
		 * comma ("0,5", "1,25"); with three ("12,345") it separates
		 * thousands, as in "12,345.6".
		 */
		if (commas != 1 || !group || *s == '.' || m >= 100000000000000000ull)
			return 0;
		exp10 -= group;
		grouped = 0;
	}
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (m < 100000000000000000ull) {
				m = m * 10 + (uint64_t)(*s - '0');
				exp10--;
			}
			ndig++;
		}
	}
	if (!ndig)
		return 0;
	if (*s == 'e' || *s == 'E') {
		int eneg = 0, edig = 0;

		s++;
		if (*s == '+' || *s == '-')
			eneg = *s++ == '-';
		for (; *s >= '0' && *s <= '9'; s++, edig++)
			if (e < 10000)
				e = e * 10 + (*s - '0');
		if (!edig)
			return 0;
		exp10 += eneg ? -e : e;
	}
	while (is_space(*s))
		s++;
	if (*s)
		return 0;
	if (exp10 < -400)
		v = 0;
	else if (exp10 < 0)
		v = (double)m / pow(10.0, -exp10);
	else
		v = (double)m * pow(10.0, exp10 > 400 ? 400 : exp10);
	*out = neg ? -v : v;
	return 1;
}

/*
 * A duration attribute: sets *dur to seconds, or to -1 when the value is
 * missing or unusable. An unusable value that was given (garbage, negative,
 * not finite, above INS_INGEST_MAX_DURATION) adds INS_RESULT_DURATION_CLAMPED
 * to *flags. An empty attribute counts as missing.
 */
static void parse_duration(const char *s, double *dur, unsigned *flags)
{
	double v;
	const char *p = s;

	*dur = -1;
	if (!s)
		return;
	while (is_space(*p))
		p++;
	if (!*p)
		return;
	if (!parse_number(s, &v) || !isfinite(v) || v < 0 || v > INS_INGEST_MAX_DURATION) {
		*flags |= INS_RESULT_DURATION_CLAMPED;
		return;
	}
	*dur = v;
}

/*
 * Parse a report timestamp into epoch milliseconds (UTC) with the one
 * parser insight has for them (ins_timestamp_parse: ISO 8601 with or
 * without zone, fractional seconds, a space or "T " between date and time;
 * no zone = UTC). *date_only is set for a bare date, which is used only when
 * nothing better is known. Returns 1 on success, 0 when the text is none of these.
 */
static int parse_timestamp(const char *s, int64_t *ms, int *date_only)
{
	const char *p = s;

	while (is_space(*p))
		p++;
	if (ins_timestamp_parse(ms, p) < 0) {
		ins_error_clear();
		return 0;
	}
	*date_only = strlen(p) <= 10 || (p[10] != 'T' && p[10] != 't' && p[10] != ' ');
	return *ms >= 0;
}

/* Seconds as decimal text, to the microsecond, whatever the locale. */
static void fmt_seconds(ins_buf *b, double v)
{
	long long us = llround(v * 1e6);
	long long whole = us / 1000000, frac = us % 1000000;
	int n = 6;

	ins_buf_printf(b, "%lld", whole);
	if (!frac)
		return;
	while (frac % 10 == 0)
		frac /= 10, n--;
	ins_buf_printf(b, ".%0*lld", n, frac);
}

/* ---- errors and the sink ---------------------------------------------- */

static void stop(jparser *jp, int rc)
{
	if (!jp->rc)
		jp->rc = rc;
	jp->stopped = 1;
	XML_StopParser(jp->xp, XML_FALSE);
}

static void fail(jparser *jp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(jparser *jp, const char *fmt, ...)
{
	ins_buf what = INS_BUF_INIT;
	va_list ap;

	if (jp->stopped)
		return;
	va_start(ap, fmt);
	ins_buf_vprintf(&what, fmt, ap);
	va_end(ap);
	ins_error_set(INS_EINVALID, "%s:%lu: %s", jp->display,
		      (unsigned long)XML_GetCurrentLineNumber(jp->xp), what.ptr);
	ins_buf_release(&what);
	stop(jp, INS_EINVALID);
}

static int sink_meta(jparser *jp, const char *key, const char *value)
{
	int rc;

	if (jp->stopped || !jp->sink->on_meta)
		return 0;
	rc = jp->sink->on_meta(jp->sink->data, key, value);
	if (rc)
		stop(jp, rc);
	return rc;
}

/* ---- identity --------------------------------------------------------- */

/*
 * Build the case's node id from file, classname and name:
 *   - with a file whose dotted module path ("tests/test_x.py" ->
 *     "tests.test_x") ends with a leading part of the classname, that
 *     part is dropped and the rest of the classname is split on '.':
 *     file::Class::Inner::name. This is pytest's own node id for pytest's
 *     xunit1 reports; a suffix of the path is accepted so that absolute
 *     paths and Java source trees (src/test/java/a/B.java, a.B) match too;
 *   - else file::classname::name, or classname::name without a file;
 *   - an absent or empty part is left out: a case with an empty name (JUnit
 *     5 writes one for a failing @BeforeAll) is identified by its class,
 *     and a case with no classname by [file::]name.
 * The name is never split, so parameters, unicode and "::" in names come
 * through unchanged. Leaves an empty node id when there is nothing to
 * identify the case by.
 */
static void case_identity(jparser *jp)
{
	tcase *c = &jp->c;
	ins_buf *id = &c->nodeid, *mod = &jp->tmp;
	const char *cls = c->classname.ptr;
	size_t clen = c->classname.len;

	ins_buf_clear(id);
	if (c->file.len) {
		const char *f = c->file.ptr;
		const char *base = strrchr(f, '/'), *dot;
		size_t flen = c->file.len, i;

		ins_buf_put(id, f, flen);
		base = base ? base + 1 : f;
		dot = strrchr(base, '.');
		if (dot && dot > base)
			flen = (size_t)(dot - f);
		ins_buf_clear(mod);
		for (i = 0; i < flen; i++) {
			char ch = f[i] == '/' || f[i] == '\\' ? '.' : f[i];

			if (ch == '.' && (!mod->len || mod->ptr[mod->len - 1] == '.'))
				continue; /* leading "/", "./" and doubled separators */
			ins_buf_putc(mod, ch);
		}
		/* try the whole module path first, then each shorter suffix */
		for (i = 0; clen && i < mod->len; i++) {
			const char *cand = mod->ptr + i;
			size_t n = mod->len - i;

			if (i && mod->ptr[i - 1] != '.')
				continue;
			if (clen >= n && !memcmp(cls, cand, n) && (clen == n || cls[n] == '.')) {
				const char *r = cls + n, *end = cls + clen;

				while (r < end) {
					const char *e = memchr(r + 1, '.', (size_t)(end - r - 1));

					if (!e)
						e = end;
					if (e - r > 1) {
						ins_buf_puts(id, "::");
						ins_buf_put(id, r + 1, (size_t)(e - r - 1));
					}
					r = e;
				}
				cls = NULL;
				break;
			}
		}
		if (cls && clen) {
			ins_buf_puts(id, "::");
			ins_buf_put(id, cls, clen);
		}
	} else if (clen) {
		ins_buf_put(id, cls, clen);
	} else if (jp->nsuites && jp->snames.ptr[jp->soff[jp->nsuites - 1]]) {
		/* jest-junit with an empty class template, per-browser suites */
		ins_buf_puts(id, jp->snames.ptr + jp->soff[jp->nsuites - 1]);
	}
	if (c->name.len) {
		if (id->len)
			ins_buf_puts(id, "::");
		ins_buf_put(id, c->name.ptr, c->name.len);
	} else if (!clen) {
		/* nothing names the case: kept under a synthesised name */
		if (id->len)
			ins_buf_puts(id, "::");
		ins_buf_puts(id, "(unnamed case)");
		jp->unnamed++;
	}
}

/* ---- the repeat rule -------------------------------------------------- */

/*
 * Fix the node id of the current case (or suite pseudo-test) before its
 * first attempt goes out. The first occurrence of an id keeps it. A later
 * one is a retry of it when every earlier occurrence failed or errored;
 * otherwise it is a test of its own, "id[#k]", k = 2, 3, ... in document
 * order. emit() notes after each attempt of the first occurrence and its
 * retries whether all have failed so far: the latest attempt of a case is
 * its final one, so once a case passed or was skipped in the end, every
 * later repeat is a test of its own. (A retry that was skipped after
 * failures stays an attempt; the store keeps the failure final.) When the
 * import applies the rule itself (ingest/repeat.h), the id is left as it is
 * and the case's first attempt carries the occurrence mark.
 */
static void resolve_repeat(jparser *jp)
{
	tcase *c = &jp->c;

	c->resolved = 1;
	c->entry = ins_repeat_resolve(&jp->rep, &c->nodeid);
}

/* ---- emitting attempts ------------------------------------------------ */

/* Hand one attempt of the current case to the sink. */
static void emit(jparser *jp, ins_outcome outcome, double duration, unsigned flags,
		 const char *msg, const char *detail, const char *out, const char *err)
{
	tcase *c = &jp->c;
	ins_result r;
	size_t i, n = c->npoff / 2;
	int rc;

	if (jp->stopped || c->skip || !jp->sink->on_result)
		return;
	if (!c->resolved)
		resolve_repeat(jp);
	/* the latest attempt of a case is its final one: it decides for the case */
	ins_repeat_attempt(c->entry, outcome);
	if (n + 1 > c->apv)
		c->pv = ins_xgrow(c->pv, &c->apv, n + 1, sizeof(*c->pv));
	for (i = 0; i < n; i++) {
		c->pv[i].key = c->ptext.ptr + c->poff[2 * i];
		c->pv[i].value = c->ptext.ptr + c->poff[2 * i + 1];
	}
	if (c->pdropped) {
		ins_buf_clear(&jp->ndrop);
		ins_buf_printf(&jp->ndrop, "%zu more properties dropped", c->pdropped);
		c->pv[n].key = "insight.properties-truncated";
		c->pv[n].value = jp->ndrop.ptr;
		n++;
	}
	memset(&r, 0, sizeof(r));
	r.nodeid = c->nodeid.ptr;
	r.file = c->has_file ? c->file.ptr : NULL;
	r.classname = c->has_classname ? c->classname.ptr : NULL;
	r.name = c->has_name ? c->name.ptr : NULL;
	r.outcome = outcome;
	r.duration = duration;
	r.start_ms = c->start_ms;
	r.flags = flags;
	r.message = msg && *msg ? msg : NULL;
	r.detail = detail;
	r.out = out;
	r.err = err;
	r.props = n ? c->pv : NULL;
	r.nprops = n;
	r.flags |= ins_repeat_flags(&jp->rep);
	rc = jp->sink->on_result(jp->sink->data, &r);
	if (rc)
		stop(jp, rc);
}

/* The message of a result element: attribute, first line of text, type. */
static const char *pick_message(ins_buf *out, const char *attr, const char *text,
				const char *type)
{
	if (attr) {
		while (is_space(*attr))
			attr++;
		if (*attr)
			return attr;
	}
	first_line(out, text);
	if (out->len)
		return out->ptr;
	return type && *type ? type : NULL;
}

/* A flaky or rerun element is complete, or held back (see attempt_start). */
static void emit_attempt(jparser *jp, attempt *a, double duration)
{
	const char *direct = tb_final(&a->direct), *detail;

	if (direct) {
		if (a->detail.b.len)
			tb_put(&a->detail, "\n", 1);
		tb_put(&a->detail, direct, a->direct.b.len);
	}
	detail = tb_final(&a->detail);
	const char *type = tb_final(&a->type);
	const char *msg = pick_message(&jp->line, tb_final(&a->msg), detail, type);

	emit(jp, a->outcome, duration, 0, msg, detail, tb_final(&a->out), tb_final(&a->err));
}

/* The case's own attempt. */
static void emit_main(jparser *jp, int for_rerun)
{
	tcase *c = &jp->c;
	ins_outcome o;
	unsigned flags = c->flags;
	const char *detail = tb_final(&c->detail);
	const char *msg;

	switch (c->prio) {
	case P_ERROR:
		o = INS_OUTCOME_ERROR;
		break;
	case P_FAILURE:
		o = INS_OUTCOME_FAILED;
		break;
	case P_SKIPPED:
		o = c->xfail ? INS_OUTCOME_XFAILED : INS_OUTCOME_SKIPPED;
		break;
	default:
		if (for_rerun)
			o = c->first_rerun_error ? INS_OUTCOME_ERROR : INS_OUTCOME_FAILED;
		else if (c->status_skip)
			o = INS_OUTCOME_SKIPPED;
		else
			o = INS_OUTCOME_PASSED;
	}
	if (o == INS_OUTCOME_PASSED && c->nflaky)
		flags |= INS_RESULT_FLAKY;
	msg = tb_final(&c->msg);
	if (!msg && !c->prio && c->status_skip)
		msg = c->status_skip;
	emit(jp, o, c->duration, flags, msg, detail, tb_final(&c->out), tb_final(&c->err));
	c->main_emitted = 1;
	c->main_outcome = o;
	/* output arriving later belongs to the last rerun attempt */
	tb_clear(&c->out);
	tb_clear(&c->err);
}

/* ---- element handlers ------------------------------------------------- */

static const char *attr(const XML_Char **atts, const char *name)
{
	for (; *atts; atts += 2)
		if (!strcmp(atts[0], name))
			return atts[1];
	return NULL;
}

static const char *suite_name(jparser *jp)
{
	const char *n = jp->nsuites ? jp->snames.ptr + jp->soff[jp->nsuites - 1] : "";

	return *n ? n : UNNAMED_SUITE;
}

static void note_timestamp(jparser *jp, const char *ts, int64_t *case_ms)
{
	int64_t ms;
	int date_only;

	if (!ts || !parse_timestamp(ts, &ms, &date_only))
		return;
	if (date_only) {
		/* a bare date only says which day: used when nothing better is known */
		if (!jp->start_date || ms < jp->start_date)
			jp->start_date = ms;
		return;
	}
	if (case_ms)
		*case_ms = ms;
	if (!jp->start_full || ms < jp->start_full)
		jp->start_full = ms;
}

static void suite_start(jparser *jp, const XML_Char **atts)
{
	const char *name = NULL, *host = NULL, *ts = NULL, *time = NULL;
	double t;
	unsigned fl = 0;

	for (; *atts; atts += 2) {
		const char *k = atts[0];

		if (!strcmp(k, "name"))
			name = atts[1];
		else if (!strcmp(k, "hostname"))
			host = atts[1];
		else if (!strcmp(k, "timestamp"))
			ts = atts[1];
		else if (!strcmp(k, "time"))
			time = atts[1];
	}
	jp->soff[jp->nsuites++] = jp->snames.len;
	if (name) {
		size_t n = strlen(name);

		if (n > LABEL_MAX)
			n = utf8_floor(name, LABEL_MAX);
		ins_buf_put(&jp->snames, name, n);
	}
	ins_buf_putc(&jp->snames, '\0');

	/* pytest's JUnit (its junit_suite_name defaults to "pytest") */
	if (name && !strcmp(name, "pytest") && !jp->said_pytest) {
		jp->said_pytest = 1;
		sink_meta(jp, "tool", "pytest");
	}
	if (host && *host && !jp->has_host) {
		set_label(&jp->host, host);
		jp->has_host = 1;
	}
	note_timestamp(jp, ts, NULL);
	parse_duration(time, &t, &fl);
	/* the suite is on the stack already: depth 1 is the root */
	if (jp->depth == 1)
		jp->root_time = t;
	else if (jp->depth == 2 && t >= 0)
		jp->child_time += t, jp->has_child_time = 1;
}

static void suite_end(jparser *jp)
{
	jp->nsuites--;
	ins_buf_truncate(&jp->snames, jp->soff[jp->nsuites]);
}

static void attempt_reset(attempt *a)
{
	tb_clear(&a->msg);
	tb_clear(&a->type);
	tb_clear(&a->detail);
	tb_clear(&a->out);
	tb_clear(&a->err);
	tb_clear(&a->direct);
}

static void case_start(jparser *jp, const XML_Char **atts)
{
	tcase *c = &jp->c;
	const char *time = NULL, *ts = NULL, *status = NULL;

	ins_buf_clear(&c->file);
	ins_buf_clear(&c->classname);
	ins_buf_clear(&c->name);
	c->has_file = c->has_classname = c->has_name = 0;
	for (; *atts; atts += 2) {
		const char *k = atts[0], *v = atts[1];

		if (!strcmp(k, "name"))
			ins_buf_puts(&c->name, v), c->has_name = 1;
		else if (!strcmp(k, "classname"))
			ins_buf_puts(&c->classname, v), c->has_classname = 1;
		else if (!strcmp(k, "file"))
			ins_buf_puts(&c->file, v), c->has_file = 1;
		else if (!strcmp(k, "time"))
			time = v;
		else if (!strcmp(k, "timestamp"))
			ts = v;
		else if (!strcmp(k, "status"))
			status = v;
	}
	case_identity(jp);
	c->skip = 0;
	c->resolved = 0;
	c->flags = 0;
	parse_duration(time, &c->duration, &c->flags);
	c->start_ms = 0;
	note_timestamp(jp, ts, &c->start_ms);
	c->status_skip = NULL;
	if (status && !strcmp(status, "disabled"))
		c->status_skip = "disabled";
	else if (status && !strcmp(status, "notrun"))
		c->status_skip = "notrun";

	c->prio = P_NONE;
	c->xfail = 0;
	tb_clear(&c->msg);
	tb_clear(&c->detail);
	tb_clear(&c->out);
	tb_clear(&c->err);
	ins_buf_clear(&c->ptext);
	c->npoff = 0;
	c->pdropped = 0;
	c->main_emitted = 0;
	c->nflaky = c->nrerun = 0;
	c->first_rerun_error = 0;
	c->pend_valid = 0;
}

static void case_end(jparser *jp)
{
	tcase *c = &jp->c;

	if (!c->main_emitted) {
		emit_main(jp, 0);
	} else if (c->pend_valid) {
		attempt *p = c->pend;

		/* case output written after the reruns goes with the last one */
		if (!p->out.b.len && c->out.b.len)
			ins_buf_set(&p->out.b, c->out.b.ptr), p->out.cut = c->out.cut;
		if (!p->err.b.len && c->err.b.len)
			ins_buf_set(&p->err.b, c->err.b.ptr), p->err.cut = c->err.cut;
		/* Surefire's verdict: the case failed as its first run did, in its `time` */
		p->outcome = c->main_outcome;
		emit_attempt(jp, p, c->duration);
	}
	c->pend_valid = 0;
}

/*
 * A flaky or rerun element starts. Rerun attempts follow the case's own
 * attempt, so that goes out first, with what is known of it so far; each
 * rerun attempt is then held back until the next one starts or the case
 * ends, so that case output written after the reruns can still join the
 * last attempt. Flaky attempts precede the case's own and go out at once.
 */
static void attempt_start(jparser *jp, const char *el, const XML_Char **atts)
{
	tcase *c = &jp->c;
	int rerun = !strncmp(el, "rerun", 5);
	int error = !strcmp(el + 5, "Error"); /* flaky and rerun: 5 letters each */
	const char *m = attr(atts, "message"), *t = attr(atts, "type");

	if (rerun && !c->nrerun++)
		c->first_rerun_error = error;
	if (rerun && !c->main_emitted)
		emit_main(jp, 1);
	if (c->pend_valid) {
		emit_attempt(jp, c->pend, -1);
		c->pend_valid = 0;
	}
	attempt_reset(c->cur);
	c->cur->outcome = error ? INS_OUTCOME_ERROR : INS_OUTCOME_FAILED;
	if (m)
		tb_put(&c->cur->msg, m, strlen(m));
	if (t)
		tb_put(&c->cur->type, t, strlen(t));
}

static void attempt_end(jparser *jp, const char *el)
{
	tcase *c = &jp->c;
	attempt *a = c->cur;

	if (!strncmp(el, "rerun", 5)) {
		c->cur = c->pend;
		c->pend = a;
		c->pend_valid = 1;
	} else {
		emit_attempt(jp, a, -1);
		c->nflaky++;
	}
}

static void result_start(jparser *jp, const XML_Char **atts)
{
	const char *m = NULL, *t = NULL;

	for (; *atts; atts += 2) {
		if (!strcmp(atts[0], "message"))
			m = atts[1];
		else if (!strcmp(atts[0], "type"))
			t = atts[1];
	}
	tb_clear(&jp->text);
	ins_buf_clear(&jp->rmsg);
	ins_buf_clear(&jp->rtype);
	if (m)
		ins_buf_put(&jp->rmsg, m, strlen(m) > INS_INGEST_MAX_TEXT ?
			    utf8_floor(m, INS_INGEST_MAX_TEXT) : strlen(m));
	if (t)
		set_label(&jp->rtype, t);
}

/*
 * A case with both <failure> and <error>: the weaker one's message and
 * text follow the stronger one's detail, under a line naming the element.
 */
static void weaker_to_detail(jparser *jp, const char *el, const char *msg, const char *text)
{
	tcase *c = &jp->c;

	if (c->detail.b.len)
		tb_put(&c->detail, "\n\n", 2);
	ins_buf_clear(&jp->tmp);
	ins_buf_printf(&jp->tmp, "[%s]%s%s\n", el, msg && *msg ? " " : "", msg ? msg : "");
	tb_put(&c->detail, jp->tmp.ptr, jp->tmp.len);
	if (text)
		tb_put(&c->detail, text, strlen(text));
}

static void result_end(jparser *jp, const char *el)
{
	tcase *c = &jp->c;
	int prio = el[0] == 'e' ? P_ERROR : el[0] == 'f' ? P_FAILURE : P_SKIPPED;
	const char *text;

	if (c->main_emitted)
		return;
	text = tb_final(&jp->text);
	if (prio < c->prio) {
		/* the weaker result (a <failure> beside an <error>) stays in the detail */
		if (prio > P_SKIPPED) {
			ins_buf_rtrim(&jp->rmsg);
			weaker_to_detail(jp, el, jp->rmsg.ptr, text);
		}
		return;
	}
	if (prio == c->prio) {
		/* a second element of the same kind: keep its text too */
		if (text) {
			if (c->detail.b.len)
				tb_put(&c->detail, "\n", 1);
			tb_put(&c->detail, text, strlen(text));
		}
		return;
	}
	/* a stronger result after a <failure>: the failure is kept, after it */
	int keep = c->prio > P_SKIPPED;
	if (keep) {
		ins_buf_set(&jp->pmsg, c->msg.b.ptr);
		ins_buf_set(&jp->pdetail, c->detail.b.ptr);
	}
	c->prio = prio;
	c->xfail = prio == P_SKIPPED && !strcmp(jp->rtype.ptr, "pytest.xfail");
	tb_clear(&c->msg);
	tb_clear(&c->detail);
	ins_buf_rtrim(&jp->rmsg);
	text = pick_message(&jp->line, jp->rmsg.ptr, text, jp->rtype.ptr);
	if (text)
		tb_put(&c->msg, text, strlen(text));
	text = jp->text.b.len ? jp->text.b.ptr : NULL;
	if (text)
		tb_put(&c->detail, text, jp->text.b.len);
	if (keep)
		weaker_to_detail(jp, "failure", jp->pmsg.ptr, jp->pdetail.len ? jp->pdetail.ptr : NULL);
}

/* <failure>/<error> directly in a suite: the suite itself failed. */
static void suite_result_end(jparser *jp)
{
	tcase *c = &jp->c;
	const char *detail = tb_final(&jp->text);
	const char *msg;

	ins_buf_rtrim(&jp->rmsg);
	msg = pick_message(&jp->line, jp->rmsg.ptr, detail, jp->rtype.ptr);
	/* the case buffers are free between cases: the pseudo-test uses them */
	ins_buf_set(&c->name, suite_name(jp));
	ins_buf_set(&c->nodeid, c->name.ptr);
	c->has_name = 1;
	c->has_file = c->has_classname = 0;
	c->skip = 0;
	c->resolved = 0;
	c->start_ms = 0;
	c->npoff = 0;
	c->pdropped = 0;
	emit(jp, INS_OUTCOME_ERROR, -1, 0, msg, detail, NULL, NULL);
}

static void suite_section_end(jparser *jp, const char *which)
{
	const char *text = tb_final(&jp->text);
	int rc;

	if (!text || jp->stopped || !jp->sink->on_section)
		return;
	ins_buf_clear(&jp->tmp);
	ins_buf_printf(&jp->tmp, "%s: %s", which, suite_name(jp));
	rc = jp->sink->on_section(jp->sink->data, jp->tmp.ptr, text);
	if (rc)
		stop(jp, rc);
}

static void prop_start(jparser *jp, const XML_Char **atts)
{
	const char *k = attr(atts, "name"), *v = attr(atts, "value");

	tb_clear(&jp->text);
	ins_buf_clear(&jp->pkey);
	ins_buf_clear(&jp->pval);
	if (k)
		ins_buf_puts(&jp->pkey, k);
	jp->has_pval = v != NULL;
	if (v)
		ins_buf_puts(&jp->pval, v);
}

static void prop_end(jparser *jp, int of_case)
{
	tcase *c = &jp->c;
	const char *v;
	size_t klen = jp->pkey.len, vlen;

	if (!klen)
		return;
	if (jp->has_pval) {
		v = jp->pval.ptr;
	} else {
		v = tb_final(&jp->text);
		if (!v)
			v = "";
	}
	vlen = strlen(v);
	if (!of_case) {
		ins_buf_clear(&jp->tmp);
		ins_buf_puts(&jp->tmp, "property.");
		ins_buf_put(&jp->tmp, jp->pkey.ptr, klen);
		sink_meta(jp, jp->tmp.ptr, v);
		return;
	}
	if (c->main_emitted)
		return;
	if (c->ptext.len + klen + vlen + 2 > INS_INGEST_MAX_TEXT) {
		c->pdropped++;
		return;
	}
	if (c->npoff + 2 > c->apoff)
		c->poff = ins_xgrow(c->poff, &c->apoff, c->npoff + 2, sizeof(*c->poff));
	c->poff[c->npoff++] = c->ptext.len;
	ins_buf_put(&c->ptext, jp->pkey.ptr, klen + 1);
	c->poff[c->npoff++] = c->ptext.len;
	ins_buf_put(&c->ptext, v, vlen);
	ins_buf_putc(&c->ptext, '\0');
}

static int classify(int parent, const char *el)
{
	switch (parent) {
	case K_SUITE:
		if (!strcmp(el, "testcase"))
			return K_CASE;
		if (!strcmp(el, "testsuite") || !strcmp(el, "testsuites"))
			return K_SUITE;
		if (!strcmp(el, "properties"))
			return K_PROPS;
		if (!strcmp(el, "system-out"))
			return K_SUITE_OUT;
		if (!strcmp(el, "system-err"))
			return K_SUITE_ERR;
		if (!strcmp(el, "error") || !strcmp(el, "failure"))
			return K_SUITE_RESULT;
		return K_OTHER;
	case K_CASE:
		if (!strcmp(el, "failure") || !strcmp(el, "error") || !strcmp(el, "skipped"))
			return K_RESULT;
		if (!strcmp(el, "system-out"))
			return K_CASE_OUT;
		if (!strcmp(el, "system-err"))
			return K_CASE_ERR;
		if (!strcmp(el, "properties"))
			return K_PROPS;
		if (!strcmp(el, "flakyFailure") || !strcmp(el, "flakyError") ||
		    !strcmp(el, "rerunFailure") || !strcmp(el, "rerunError"))
			return K_ATTEMPT;
		return K_OTHER;
	case K_ATTEMPT:
		if (!strcmp(el, "stackTrace"))
			return K_ATTEMPT_TEXT;
		if (!strcmp(el, "system-out"))
			return K_ATTEMPT_OUT;
		if (!strcmp(el, "system-err"))
			return K_ATTEMPT_ERR;
		return K_OTHER;
	case K_PROPS:
		return !strcmp(el, "property") ? K_PROP : K_OTHER;
	default:
		return K_OTHER;
	}
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	jparser *jp = ud;
	int k;

	if (jp->stopped)
		return;
	jp->last_event = XML_GetCurrentByteIndex(jp->xp);
	if (jp->depth >= INS_INGEST_MAX_DEPTH) {
		fail(jp, "elements nested deeper than %d levels", INS_INGEST_MAX_DEPTH);
		return;
	}
	if (jp->depth == 0) {
		if (strcmp(el, "testsuites") && strcmp(el, "testsuite")) {
			fail(jp, "not a JUnit XML report (the root element is <%.*s>, not "
				 "<testsuites> or <testsuite>)", (int)utf8_floor(el, strnlen(el, 64)), el);
			return;
		}
		k = K_SUITE;
	} else {
		k = classify(jp->kind[jp->depth - 1], el);
	}
	jp->kind[jp->depth++] = (unsigned char)k;
	switch (k) {
	case K_SUITE:
		suite_start(jp, atts);
		break;
	case K_CASE:
		case_start(jp, atts);
		break;
	case K_RESULT:
	case K_SUITE_RESULT:
		result_start(jp, atts);
		break;
	case K_ATTEMPT:
		attempt_start(jp, el, atts);
		break;
	case K_PROP:
		prop_start(jp, atts);
		break;
	case K_SUITE_OUT:
	case K_SUITE_ERR:
		tb_clear(&jp->text);
		break;
	default:
		break;
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
	jparser *jp = ud;
	int k;

	if (jp->stopped)
		return;
	jp->last_event = XML_GetCurrentByteIndex(jp->xp);
	k = jp->kind[--jp->depth];
	switch (k) {
	case K_SUITE:
		suite_end(jp);
		break;
	case K_CASE:
		case_end(jp);
		break;
	case K_RESULT:
		result_end(jp, el);
		break;
	case K_SUITE_RESULT:
		suite_result_end(jp);
		break;
	case K_ATTEMPT:
		attempt_end(jp, el);
		break;
	case K_PROP:
		prop_end(jp, jp->depth >= 2 && jp->kind[jp->depth - 2] == K_CASE);
		break;
	case K_SUITE_OUT:
		suite_section_end(jp, "system-out");
		break;
	case K_SUITE_ERR:
		suite_section_end(jp, "system-err");
		break;
	default:
		break;
	}
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	jparser *jp = ud;
	tcase *c = &jp->c;
	tbuf *t;

	if (jp->stopped || !jp->depth)
		return;
	jp->last_event = XML_GetCurrentByteIndex(jp->xp);
	switch (jp->kind[jp->depth - 1]) {
	case K_RESULT:
	case K_SUITE_RESULT:
	case K_SUITE_OUT:
	case K_SUITE_ERR:
	case K_PROP:
		t = &jp->text;
		break;
	case K_ATTEMPT:
		t = &c->cur->direct;
		break;
	case K_ATTEMPT_TEXT:
		t = &c->cur->detail;
		break;
	case K_ATTEMPT_OUT:
		t = &c->cur->out;
		break;
	case K_ATTEMPT_ERR:
		t = &c->cur->err;
		break;
	case K_CASE_OUT:
		t = &c->out;
		break;
	case K_CASE_ERR:
		t = &c->err;
		break;
	default:
		return;
	}
	tb_put(t, s, (size_t)len);
}

/* Any other markup (comments, declarations): only progress is noted. */
static void XMLCALL on_other(void *ud, const XML_Char *s, int len)
{
	jparser *jp = ud;

	jp->last_event = XML_GetCurrentByteIndex(jp->xp);
}

static void XMLCALL on_comment(void *ud, const XML_Char *data)
{
	jparser *jp = ud;

	jp->last_event = XML_GetCurrentByteIndex(jp->xp);
}

/*
 * Entities are how XML reaches files and URLs (XXE) and how it multiplies
 * a few bytes into gigabytes ("billion laughs"); no test tool declares
 * any, so a document that does is refused before any is used.
 */
static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
				   const XML_Char *value, int value_len, const XML_Char *base,
				   const XML_Char *system_id, const XML_Char *public_id,
				   const XML_Char *notation)
{
	fail(ud, "the document declares XML entities; refused");
}

/* ---- leniency: '<' inside attribute values ---------------------------- */

/*
 * Some producers write a raw '<' inside an attribute value (web-test-runner:
 * time="<<computed>>"), which no XML parser accepts. The bytes pass through
 * this small scanner on their way to expat, and such a '<' becomes "&lt;".
 * Nothing else is changed (no newline is added or removed, so expat's line
 * numbers stay those of the file). The scanner follows just enough of XML
 * to know where attribute values are: tags, comments, CDATA sections,
 * processing instructions and declarations.
 */
enum { L_TEXT, L_LT, L_BANG, L_COMMENT, L_CDATA, L_PI, L_DECL, L_ENDTAG, L_TAG, L_AVAL };

typedef struct lenient {
	int st;
	char q;    /* the quote of the attribute value or declaration string */
	int n;     /* dashes, brackets or '?' just seen, by state */
	int depth; /* '[' nesting in a declaration */
} lenient;

/* Copy n bytes from in to out (room for 4 * n), escaping; returns the bytes written. */
/*
 * Characters XML 1.0 forbids, as real reports write them: ESC from
 * coloured output, NUL and the other C0 controls, raw or as character
 * references (&#x1B;, &#27;). expat rejects the whole document for one of
 * them, so they are replaced, before expat sees them, by a visible escape
 * ("\x1b"), and counted; the report is kept. A reference cut by a chunk
 * boundary is held back (at most CTRL_REF_MAX bytes) until the next chunk.
 */
#define CTRL_REF_MAX 12

typedef struct ctrl_filter {
	char ref[CTRL_REF_MAX];  /* a "&#..." being read */
	size_t nref;
	uint64_t replaced;       /* characters replaced so far */
} ctrl_filter;

static int xml_forbidden(unsigned long c)
{
	return (c < 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) ||
	       (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff || c > 0x10ffff;
}

static char *ctrl_escape(ctrl_filter *cf, char *o, unsigned long c)
{
	cf->replaced++;
	if (c < 0x100)
		return o + sprintf(o, "\\x%02lx", c);
	return o + sprintf(o, "\\u%04lx", c & 0xffffff);
}

/* The held-back reference is complete (ends in ';') or cannot be one: write it out. */
static char *ctrl_ref_end(ctrl_filter *cf, char *o, int complete)
{
	unsigned long c = 0;
	char *end = NULL;

	if (complete && cf->nref > 3) {
		cf->ref[cf->nref - 1] = '\0';
		errno = 0;
		if (cf->ref[2] == 'x' || cf->ref[2] == 'X')
			c = strtoul(cf->ref + 3, &end, 16);
		else
			c = strtoul(cf->ref + 2, &end, 10);
		cf->ref[cf->nref - 1] = ';';
		if (!errno && end == cf->ref + cf->nref - 1 && end > cf->ref + 2 && xml_forbidden(c)) {
			cf->nref = 0;
			return ctrl_escape(cf, o, c);
		}
	}
	memcpy(o, cf->ref, cf->nref);
	o += cf->nref;
	cf->nref = 0;
	return o;
}

/* Filter n bytes (n == 0: the end of the input) into out, which holds 4n + CTRL_REF_MAX. */
static size_t ctrl_filter_run(ctrl_filter *cf, const char *in, size_t n, char *out)
{
	char *o = out;

	if (!n && cf->nref)
		o = ctrl_ref_end(cf, o, 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (cf->nref) {
			int digit = isxdigit(ch) || ((ch == 'x' || ch == 'X') && cf->nref == 2);

			if (cf->nref == 1 ? ch == '#' : digit) {
				if (cf->nref < CTRL_REF_MAX - 1) {
					cf->ref[cf->nref++] = (char)ch;
					continue;
				}
			} else if (ch == ';' && cf->nref > 2) {
				cf->ref[cf->nref++] = ';';
				o = ctrl_ref_end(cf, o, 1);
				continue;
			}
			o = ctrl_ref_end(cf, o, 0);
		}
		if (ch == '&') {
			cf->ref[cf->nref++] = '&';
		} else if (ch < 0x20 && xml_forbidden(ch)) {
			o = ctrl_escape(cf, o, ch);
		} else {
			*o++ = (char)ch;
		}
	}
	return (size_t)(o - out);
}

static size_t lenient_filter(lenient *lx, const char *in, size_t n, char *out)
{
	const char *p = in, *end = in + n;
	char *o = out;

	while (p < end) {
		char ch;

		if (lx->st == L_TEXT) {
			const char *lt = memchr(p, '<', (size_t)(end - p));
			size_t run = lt ? (size_t)(lt - p) + 1 : (size_t)(end - p);

			memcpy(o, p, run);
			o += run;
			p += run;
			if (lt)
				lx->st = L_LT;
			continue;
		}
		if (lx->st == L_AVAL) {
			const char *s = p;

			while (p < end && *p != lx->q && *p != '<')
				p++;
			memcpy(o, s, (size_t)(p - s));
			o += p - s;
			if (p == end)
				break;
			if (*p == '<') {
				memcpy(o, "&lt;", 4);
				o += 4;
			} else {
				*o++ = *p;
				lx->st = L_TAG;
			}
			p++;
			continue;
		}
		ch = *p++;
		*o++ = ch;
		switch (lx->st) {
		case L_LT:
			lx->n = 0;
			lx->st = ch == '!' ? L_BANG : ch == '?' ? L_PI : ch == '/' ? L_ENDTAG :
				 ch == '>' ? L_TEXT : L_TAG;
			break;
		case L_BANG:
			if (ch == '-') {
				lx->st = L_COMMENT;
				lx->n = -1;
			} else if (ch == '[') {
				lx->st = L_CDATA;
			} else {
				lx->st = L_DECL;
				lx->q = 0;
				lx->depth = 0;
				if (ch == '>')
					lx->st = L_TEXT;
			}
			break;
		case L_COMMENT:
			/* n: -1 right after "<!-", then the run of dashes before '>' */
			if (lx->n < 0)
				lx->n = 0;
			else if (ch == '-')
				lx->n++;
			else if (ch == '>' && lx->n >= 2)
				lx->st = L_TEXT;
			else
				lx->n = 0;
			break;
		case L_CDATA:
			if (ch == ']')
				lx->n++;
			else if (ch == '>' && lx->n >= 2)
				lx->st = L_TEXT;
			else
				lx->n = 0;
			break;
		case L_PI:
			if (ch == '>' && lx->n)
				lx->st = L_TEXT;
			else
				lx->n = ch == '?';
			break;
		case L_DECL:
			if (lx->q) {
				if (ch == lx->q)
					lx->q = 0;
			} else if (ch == '"' || ch == '\'') {
				lx->q = ch;
			} else if (ch == '[') {
				lx->depth++;
			} else if (ch == ']') {
				lx->depth--;
			} else if (ch == '>' && lx->depth <= 0) {
				lx->st = L_TEXT;
			}
			break;
		case L_ENDTAG:
			if (ch == '>')
				lx->st = L_TEXT;
			break;
		case L_TAG:
			if (ch == '"' || ch == '\'') {
				lx->q = ch;
				lx->st = L_AVAL;
			} else if (ch == '>') {
				lx->st = L_TEXT;
			}
			break;
		}
	}
	return (size_t)(o - out);
}

/* ---- driver ----------------------------------------------------------- */

static void jparser_release(jparser *jp)
{
	tcase *c = &jp->c;

	ins_buf_release(&jp->snames);
	ins_buf_release(&c->file);
	ins_buf_release(&c->classname);
	ins_buf_release(&c->name);
	ins_buf_release(&c->nodeid);
	tb_release(&c->msg);
	tb_release(&c->detail);
	tb_release(&c->out);
	tb_release(&c->err);
	ins_buf_release(&c->ptext);
	free(c->poff);
	free(c->pv);
	for (int i = 0; i < 2; i++) {
		tb_release(&c->att[i].msg);
		tb_release(&c->att[i].type);
		tb_release(&c->att[i].detail);
		tb_release(&c->att[i].out);
		tb_release(&c->att[i].err);
		tb_release(&c->att[i].direct);
	}
	tb_release(&jp->text);
	ins_buf_release(&jp->rmsg);
	ins_buf_release(&jp->rtype);
	ins_buf_release(&jp->pkey);
	ins_buf_release(&jp->pval);
	ins_buf_release(&jp->tmp);
	ins_buf_release(&jp->pmsg);
	ins_buf_release(&jp->pdetail);
	ins_buf_release(&jp->line);
	ins_buf_release(&jp->ndrop);
	ins_buf_release(&jp->host);
	ins_repeat_release(&jp->rep);
}

static void jparser_init(jparser *jp, const char *display, const ins_ingest_sink *sink)
{
	tcase *c = &jp->c;

	memset(jp, 0, sizeof(*jp));
	jp->display = display;
	jp->sink = sink;
	jp->root_time = -1;
	ins_buf_init(&jp->snames);
	ins_buf_init(&c->file);
	ins_buf_init(&c->classname);
	ins_buf_init(&c->name);
	ins_buf_init(&c->nodeid);
	ins_buf_init(&c->msg.b);
	ins_buf_init(&c->detail.b);
	ins_buf_init(&c->out.b);
	ins_buf_init(&c->err.b);
	ins_buf_init(&c->ptext);
	for (int i = 0; i < 2; i++) {
		ins_buf_init(&c->att[i].msg.b);
		ins_buf_init(&c->att[i].type.b);
		ins_buf_init(&c->att[i].detail.b);
		ins_buf_init(&c->att[i].out.b);
		ins_buf_init(&c->att[i].err.b);
		ins_buf_init(&c->att[i].direct.b);
	}
	c->cur = &c->att[0];
	c->pend = &c->att[1];
	ins_buf_init(&jp->text.b);
	ins_buf_init(&jp->rmsg);
	ins_buf_init(&jp->rtype);
	ins_buf_init(&jp->pkey);
	ins_buf_init(&jp->pval);
	ins_buf_init(&jp->tmp);
	ins_buf_init(&jp->pmsg);
	ins_buf_init(&jp->pdetail);
	ins_buf_init(&jp->line);
	ins_buf_init(&jp->ndrop);
	ins_buf_init(&jp->host);
}

/* The report facts, once the whole document has been read. */
static void send_meta(jparser *jp)
{
	ins_buf v = INS_BUF_INIT;
	int64_t start = jp->start_full ? jp->start_full : jp->start_date;
	double dur = jp->root_time >= 0 ? jp->root_time :
		     jp->has_child_time && jp->child_time <= INS_INGEST_MAX_DURATION ?
		     jp->child_time : -1;

	if (start) {
		ins_buf_printf(&v, "%lld", (long long)start);
		sink_meta(jp, "started_ms", v.ptr);
	}
	if (jp->has_host)
		sink_meta(jp, "host", jp->host.ptr);
	if (dur >= 0) {
		ins_buf_clear(&v);
		fmt_seconds(&v, dur);
		sink_meta(jp, "duration", v.ptr);
	}
	if (jp->start_full && dur >= 0) {
		ins_buf_clear(&v);
		ins_buf_printf(&v, "%lld", (long long)(jp->start_full + llround(dur * 1000)));
		sink_meta(jp, "finished_ms", v.ptr);
	}
	if (jp->unnamed) {
		ins_buf_clear(&v);
		ins_buf_printf(&v, "%zu test case%s with neither name nor classname kept as "
			       "\"(unnamed case)\"", jp->unnamed, jp->unnamed == 1 ? "" : "s");
		sink_meta(jp, "warning", v.ptr);
	}
	ins_buf_release(&v);
}

/* ---- encodings expat does not know itself ------------------------------- */

/* windows-1252's 0x80..0x9f; the five bytes it leaves undefined map to themselves */
static const unsigned short cp1252_high[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static int enc_is(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcasecmp(name, *names))
			return 1;
	return 0;
}

/*
 * expat reads UTF-8, UTF-16, ISO-8859-1 and US-ASCII; the single-byte
 * encodings Windows and older Java tools write are added here. Any other
 * name is remembered for the error message.
 */
static int XMLCALL on_unknown_encoding(void *data, const XML_Char *name, XML_Encoding *info)
{
	static const char *const cp1252[] = { "windows-1252", "cp1252", "x-cp1252", "cp-1252",
					      "ms-ansi", NULL };
	static const char *const latin1[] = { "latin1", "latin-1", "iso8859-1", "iso_8859-1",
					      "iso-8859-1:1987", "l1", "cp819", "ibm819", NULL };
	static const char *const latin9[] = { "iso-8859-15", "iso8859-15", "iso_8859-15",
					      "latin-9", "latin9", NULL };
	jparser *jp = data;

	if (!enc_is(name, cp1252) && !enc_is(name, latin1) && !enc_is(name, latin9)) {
		snprintf(jp->encoding, sizeof(jp->encoding), "%s", name);
		for (char *c = jp->encoding; *c; c++)
			if (*c < 0x20 || *c > 0x7e || *c == '"')
				*c = '?';
		return XML_STATUS_ERROR;
	}
	for (int i = 0; i < 256; i++)
		info->map[i] = i;
	if (enc_is(name, cp1252)) {
		for (int i = 0; i < 32; i++)
			info->map[0x80 + i] = cp1252_high[i];
	} else if (enc_is(name, latin9)) {
		info->map[0xa4] = 0x20ac;
		info->map[0xa6] = 0x0160;
		info->map[0xa8] = 0x0161;
		info->map[0xb4] = 0x017d;
		info->map[0xb8] = 0x017e;
		info->map[0xbc] = 0x0152;
		info->map[0xbd] = 0x0153;
		info->map[0xbe] = 0x0178;
	}
	info->data = NULL;
	info->convert = NULL;
	info->release = NULL;
	return XML_STATUS_OK;
}

/* The encoding an XML declaration at the start of head[0..n) names, or "" (UTF-8 BOM allowed). */
static void decl_encoding(const char *head, size_t n, char out[ENC_NAME_MAX])
{
	const char *p = head, *end = head + n, *q;
	size_t len;

	out[0] = '\0';
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	if (end - p < 6 || memcmp(p, "<?xml", 5))
		return;
	q = memchr(p, '>', (size_t)(end - p));
	if (q)
		end = q;
	for (; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8))
			continue;
		p += 8;
		while (p < end && (*p == ' ' || *p == '=' || *p == '\t'))
			p++;
		if (p == end || (*p != '"' && *p != '\''))
			return;
		q = memchr(p + 1, *p, (size_t)(end - p - 1));
		if (!q)
			return;
		len = (size_t)(q - p - 1);
		if (len >= ENC_NAME_MAX)
			len = ENC_NAME_MAX - 1;
		memcpy(out, p + 1, len);
		out[len] = '\0';
		for (char *c = out; *c; c++)
			if (*c < 0x20 || *c > 0x7e || *c == '"')
				*c = '?';
		return;
	}
}

int ins_ingest_junit_input(ins_input *input, const ins_ingest_sink *sink)
{
	const char *display = ins_input_display(input), *head;
	char declared[ENC_NAME_MAX];
	jparser jp;
	XML_Parser xp = NULL;
	lenient lx = { L_TEXT, 0, 0, 0 };
	ctrl_filter cf = { .nref = 0 };
	char *in = NULL, *mid = NULL;
	uint64_t total = 0;
	ssize_t nhead;
	int rc = 0;

	jparser_init(&jp, display, sink);
	ins_repeat_init(&jp.rep, input);
	/*
	 * The input hands over UTF-8 when the file was UTF-16; a declaration
	 * that says UTF-16 over 8-bit bytes (as .NET writes it) is UTF-8 too.
	 */
	if ((nhead = ins_input_peek(input, &head, 512)) < 0) {
		rc = (int)nhead;
		goto done;
	}
	decl_encoding(head, (size_t)nhead, declared);
	xp = XML_ParserCreate(ins_input_was_utf16(input) ||
			      !strncasecmp(declared, "utf-16", 6) ? "UTF-8" : NULL);
	if (!xp) {
		rc = ins_error_set(INS_ERROR, "%s: cannot create an XML parser", display);
		goto done;
	}
	jp.xp = xp;
	XML_SetUserData(xp, &jp);
	XML_SetParamEntityParsing(xp, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetEntityDeclHandler(xp, on_entity_decl);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetCommentHandler(xp, on_comment);
	XML_SetDefaultHandlerExpand(xp, on_other);
	XML_SetUnknownEncodingHandler(xp, on_unknown_encoding, &jp);
	in = ins_xmalloc(CHUNK);
	mid = ins_xmalloc(4 * CHUNK + CTRL_REF_MAX);

	for (;;) {
		char *buf;
		ssize_t n;
		size_t len = 0;

		n = ins_input_read(input, in, CHUNK);
		if (n < 0) {
			rc = (int)n;
			goto done;
		}
		/* a replaced control character takes up to four bytes, an escaped '<' four */
		buf = XML_GetBuffer(xp, 4 * (4 * CHUNK + CTRL_REF_MAX));
		if (!buf) {
			rc = ins_error_set(INS_ERROR, "%s: out of memory for the XML parser",
					   display);
			goto done;
		}
		len = ctrl_filter_run(&cf, in, (size_t)n, mid);
		if (len)
			len = lenient_filter(&lx, mid, len, buf);
		total += (uint64_t)len;
		if (XML_ParseBuffer(xp, (int)len, n == 0) != XML_STATUS_OK) {
			if (jp.rc) {
				rc = jp.rc;
			} else if (!total) {
				rc = ins_error_set(INS_EINVALID, "%s: empty file; not a JUnit XML report",
						   display);
			} else if (XML_GetErrorCode(xp) == XML_ERROR_UNKNOWN_ENCODING) {
				rc = ins_error_set(INS_EINVALID, "%s: the encoding \"%s\" is not one "
						   "insight reads (UTF-8, UTF-16, ISO-8859-1, "
						   "ISO-8859-15, windows-1252, US-ASCII)", display,
						   jp.encoding[0] ? jp.encoding : declared);
			} else {
				rc = ins_error_set(INS_EINVALID, "%s:%lu: not well-formed XML: %s",
						   display,
						   (unsigned long)XML_GetCurrentLineNumber(xp),
						   XML_ErrorString(XML_GetErrorCode(xp)));
			}
			goto done;
		}
		if (jp.rc) {
			rc = jp.rc;
			goto done;
		}
		/*
		 * expat keeps an unfinished token in memory: a start tag with a
		 * 50 MB attribute would be held whole. Progress is noted at every
		 * event, so a long stretch without one is such a token.
		 */
		if (jp.last_event >= 0 && total - (uint64_t)jp.last_event > INS_INGEST_MAX_TEXT) {
			rc = ins_error_set(INS_EINVALID, "%s:%lu: an XML tag, attribute or comment "
					   "longer than %u MiB; refused", display,
					   (unsigned long)XML_GetCurrentLineNumber(xp),
					   INS_INGEST_MAX_TEXT >> 20);
			goto done;
		}
		if (n == 0)
			break;
	}
	if (cf.replaced) {
		ins_buf w = INS_BUF_INIT;

		ins_buf_printf(&w, "%llu character%s that XML does not allow (control characters "
			       "such as ESC) shown as escapes like \\x1b", (unsigned long long)cf.replaced,
			       cf.replaced == 1 ? "" : "s");
		sink_meta(&jp, "warning", w.ptr);
		ins_buf_release(&w);
	}
	send_meta(&jp);
	rc = jp.rc;
done:
	if (xp)
		XML_ParserFree(xp);
	free(in);
	free(mid);
	jparser_release(&jp);
	return rc;
}
