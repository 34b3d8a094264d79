/*
 * tap.c - the TAP parser (Test Anything Protocol 12, 13 and 14).
 *
 * Written by Perl's Test::More (what prove reads), node --test
 * --test-reporter=tap, bats, tape and many more. Read line by line:
 *
 *   ok N - description                  passed
 *   not ok N - description              failed
 *   ok/not ok ... # SKIP reason         skipped
 *   not ok ... # TODO reason            xfailed (a known failure)
 *   ok ... # TODO reason                xpassed
 *   Bail out! reason                    the run stopped: an error result
 *                                       "Bail out!" whose detail keeps every
 *                                       line after it; nothing is dropped
 *
 * A YAML diagnostic block ("  ---" ... "  ...") after a test line is its
 * detail; its "message" or "error" gives the message and "duration_ms" the
 * duration. Comment lines after a failed test (Test::More's diagnostics:
 * "#   Failed test ...") are added to its detail.
 *
 * Subtests are indented four spaces a level. "# Subtest: name" names the
 * test whose subtests follow; a subtest's node id is its ancestors' names
 * and its own, joined with "::" ("suite::case"). The parent's own line
 * ("ok 3 - suite") closes it and is a result of its own, except for
 * node's suites (YAML type: 'suite'), which are groups, not tests: a suite
 * is kept only when it failed while none of its tests did (a failed hook),
 * as an error. A test without a description is named "test N" after its
 * number.
 *
 * A top-level plan ("1..N") that more tests were promised than ran, with no
 * Bail out!, adds an error result "(missing tests)". The same description
 * twice follows the repeat rule (repeat.h). Lines TAP does not know are
 * ignored, as the protocol says; text is kept as UTF-8 (bytes that are not
 * become U+FFFD).
 *
 * Memory: one line, the current test's YAML and comments (capped at
 * INS_INGEST_MAX_TEXT) and a name per open subtest level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/lines.h"
#include "ingest/repeat.h"

#define MAX_LINE (16u << 20)

typedef struct level {
	ins_buf name;     /* from "# Subtest: name" */
	int named;
	unsigned ran;     /* test lines at this level */
	long planned;     /* -1: no plan */
	int failed;       /* a test at this level failed */
} level;

typedef struct pending {
	int valid;
	size_t level, indent;
	unsigned long number;
	int has_number;
	ins_buf desc, reason, yaml, diag;
	size_t dropped;
	int ok, skip, todo;
	int in_yaml;
	int child_failed;  /* one of its subtests failed */
} pending;

typedef struct tparser {
	const char *display;
	const ins_ingest_sink *sink;
	level *levels;
	size_t nlevels, alevels;
	pending p;
	ins_repeat rep;
	ins_buf id, msg, text, line;
	int bailed, any;
	ins_buf bail_reason, bail_rest;
	size_t bail_dropped;
	size_t results;
} tparser;

static level *level_at(tparser *t, size_t i)
{
	while (t->nlevels <= i) {
		level *l;

		t->levels = ins_xgrow(t->levels, &t->alevels, t->nlevels + 1, sizeof(*t->levels));
		l = &t->levels[t->nlevels++];
		memset(l, 0, sizeof(*l));
		ins_buf_init(&l->name);
		l->planned = -1;
	}
	return &t->levels[i];
}

/* Forget what is known of levels deeper than `i` (a subtest closed or begins). */
static void levels_reset_below(tparser *t, size_t i)
{
	for (size_t k = i + 1; k < t->nlevels; k++) {
		level *l = &t->levels[k];

		ins_buf_clear(&l->name);
		l->named = 0;
		l->ran = 0;
		l->planned = -1;
		l->failed = 0;
	}
}

static void put_capped(ins_buf *b, size_t *dropped, const char *s, size_t n)
{
	size_t room = b->len < INS_INGEST_MAX_TEXT ? INS_INGEST_MAX_TEXT - b->len : 0;

	if (n > room) {
		size_t k = room;

		while (k && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		ins_buf_put(b, s, k);
		*dropped += n - k;
		return;
	}
	ins_buf_put(b, s, n);
}

/* ---- YAML: only what insight needs, read from the block's top-level keys ---- */

/*
 * The value of top-level key `key` in the YAML text `y`, first line only,
 * unquoted, into `out`. Returns 1 when the key is there.
 */
static int yaml_get(const ins_buf *y, const char *key, ins_buf *out)
{
	size_t k = strlen(key);
	const char *s = y->ptr, *end = y->ptr + y->len;

	ins_buf_clear(out);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *v;

		if ((size_t)(e - s) > k && !memcmp(s, key, k) && s[k] == ':') {
			v = s + k + 1;
			while (v < e && *v == ' ')
				v++;
			if (v < e && (*v == '|' || *v == '>')) {
				/* a block scalar: its first non-empty line */
				const char *l = nl ? nl + 1 : end;

				while (l < end) {
					const char *ln = memchr(l, '\n', (size_t)(end - l));
					const char *le = ln ? ln : end, *c = l;

					if (*l != ' ')
						break;
					while (c < le && *c == ' ')
						c++;
					if (c < le) {
						ins_buf_put(out, c, (size_t)(le - c));
						break;
					}
					l = ln ? ln + 1 : end;
				}
			} else if (v < e && (*v == '\'' || *v == '"')) {
				char q = *v++;

				for (; v < e && *v != q; v++) {
					if (q == '"' && *v == '\\' && v + 1 < e) {
						v++;
						ins_buf_putc(out, *v == 'n' ? ' ' : *v);
					} else {
						ins_buf_putc(out, *v);
					}
					if (q == '\'' && *v == '\'' && v + 1 < e && v[1] == '\'')
						v++; /* '' is a quote */
				}
			} else {
				ins_buf_put(out, v, (size_t)(e - v));
			}
			ins_buf_rtrim(out);
			return 1;
		}
		s = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---- emitting ---- */

static int meta(tparser *t, const char *key, const char *value)
{
	return t->sink->on_meta ? t->sink->on_meta(t->sink->data, key, value) : 0;
}

static int send(tparser *t, const char *name, ins_outcome o, double duration, const char *msg,
		const char *detail, const char *out)
{
	ins_repeat_entry *e;
	ins_result r;

	e = ins_repeat_resolve(&t->rep, &t->id);
	ins_repeat_attempt(e, o);
	memset(&r, 0, sizeof(r));
	r.nodeid = t->id.ptr;
	r.name = name;
	r.outcome = o;
	r.duration = duration;
	r.message = msg && *msg ? msg : NULL;
	r.detail = detail && *detail ? detail : NULL;
	r.out = out && *out ? out : NULL;
	r.flags |= ins_repeat_flags(&t->rep);
	t->results++;
	return t->sink->on_result ? t->sink->on_result(t->sink->data, &r) : 0;
}

/* The node id of a test at level `lv` named `name`: its ancestors' names, then its own. */
static void make_id(tparser *t, size_t lv, const char *name)
{
	ins_buf_clear(&t->id);
	for (size_t i = 0; i < lv; i++) {
		level *l = level_at(t, i);

		if (l->named && l->name.len)
			ins_buf_put(&t->id, l->name.ptr, l->name.len);
		else
			ins_buf_printf(&t->id, "subtest %u", l->ran + 1);
		ins_buf_puts(&t->id, "::");
	}
	ins_buf_puts(&t->id, name);
}

static int flush(tparser *t)
{
	pending *p = &t->p;
	level *l;
	ins_buf name = INS_BUF_INIT, v = INS_BUF_INIT;
	ins_outcome o;
	double duration = -1.0;
	int suite = 0, ret = 0;

	if (!p->valid)
		return 0;
	p->valid = 0;
	p->in_yaml = 0;
	l = level_at(t, p->level);
	l->ran++;

	if (p->skip)
		o = INS_OUTCOME_SKIPPED;
	else if (p->todo)
		o = p->ok ? INS_OUTCOME_XPASSED : INS_OUTCOME_XFAILED;
	else
		o = p->ok ? INS_OUTCOME_PASSED : INS_OUTCOME_FAILED;
	if (ins_outcome_is_failure(o))
		l->failed = 1;

	if (yaml_get(&p->yaml, "type", &v) && !strcmp(v.ptr, "suite"))
		suite = 1;
	if (suite && (p->ok || p->child_failed || p->skip || p->todo))
		goto done; /* a group of tests, not a test */
	if (suite)
		o = INS_OUTCOME_ERROR;
	if (yaml_get(&p->yaml, "duration_ms", &v)) {
		char *end;
		double ms = strtod(v.ptr, &end);

		if (end != v.ptr && ms >= 0 && ms / 1000.0 <= INS_INGEST_MAX_DURATION)
			duration = ms / 1000.0;
	}

	ins_buf_put(&name, p->desc.ptr, p->desc.len);
	if (!name.len) {
		if (p->has_number)
			ins_buf_printf(&name, "test %lu", p->number);
		else
			ins_buf_printf(&name, "test %u", l->ran);
	}
	make_id(t, p->level, name.ptr);

	/* message: the directive's reason, the YAML's message or error, the first comment */
	ins_buf_clear(&t->msg);
	if ((p->skip || p->todo) && p->reason.len)
		ins_buf_put(&t->msg, p->reason.ptr, p->reason.len);
	if (!t->msg.len && !yaml_get(&p->yaml, "message", &t->msg))
		yaml_get(&p->yaml, "error", &t->msg);
	if (!t->msg.len && p->diag.len) {
		const char *s = p->diag.ptr, *nl = memchr(s, '\n', p->diag.len);

		while (*s == ' ')
			s++;
		ins_buf_put(&t->msg, s, nl ? (size_t)(nl - s) : strlen(s));
		ins_buf_rtrim(&t->msg);
	}
	if (!t->msg.len && suite)
		ins_buf_set(&t->msg, "the suite failed outside its tests");

	ins_buf_clear(&t->text);
	ins_buf_put(&t->text, p->yaml.ptr, p->yaml.len);
	if (p->diag.len) {
		if (t->text.len)
			ins_buf_putc(&t->text, '\n');
		ins_buf_put(&t->text, p->diag.ptr, p->diag.len);
	}
	ins_buf_rtrim(&t->text);
	if (p->dropped)
		ins_buf_printf(&t->text, "\n[insight: %zu more bytes were cut]", p->dropped);
	ret = send(t, name.ptr, o, duration, t->msg.ptr,
		   ins_outcome_is_failure(o) || o == INS_OUTCOME_XFAILED ? t->text.ptr : NULL,
		   ins_outcome_is_failure(o) || o == INS_OUTCOME_XFAILED ? NULL : t->text.ptr);
done:
	ins_buf_release(&name);
	ins_buf_release(&v);
	return ret;
}

/* ---- reading lines ---- */

static int starts(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);

	return n >= k && !memcmp(s, word, k);
}

static int ci_starts(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);

	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

/* "ok 3 - name # SKIP why" at s[0..n) into the pending test. */
static void test_line(tparser *t, const char *s, size_t n, size_t lv, size_t indent)
{
	pending *p = &t->p;
	size_t i;
	int ok;
	const char *hash = NULL;

	ok = s[0] == 'o';
	i = ok ? 2 : 6;
	p->valid = 1;
	p->level = lv;
	p->indent = indent;
	p->ok = ok;
	p->skip = p->todo = 0;
	p->has_number = 0;
	p->number = 0;
	p->in_yaml = 0;
	p->dropped = 0;
	ins_buf_clear(&p->desc);
	ins_buf_clear(&p->reason);
	ins_buf_clear(&p->yaml);
	ins_buf_clear(&p->diag);
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		p->has_number = 1;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (p->number < 100000000000UL)
				p->number = p->number * 10 + (unsigned long)(s[i] - '0');
			i++;
		}
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '-' && (i + 1 == n || s[i + 1] == ' '))
		i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	/* the description ends at an unescaped '#' */
	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '#' || s[i + 1] == '\\')) {
			ins_buf_putc(&p->desc, s[++i]);
			continue;
		}
		if (s[i] == '#') {
			hash = s + i + 1;
			break;
		}
		ins_buf_putc(&p->desc, s[i]);
	}
	ins_buf_rtrim(&p->desc);
	if (hash) {
		size_t left = n - (size_t)(hash - s);
		const char *d = hash;

		while (left && (*d == ' ' || *d == '\t')) {
			d++;
			left--;
		}
		if (ci_starts(d, left, "skip"))
			p->skip = 1;
		else if (ci_starts(d, left, "todo"))
			p->todo = 1;
		if (p->skip || p->todo) {
			size_t k = 4;

			while (k < left && ((d[k] >= 'a' && d[k] <= 'z') || (d[k] >= 'A' && d[k] <= 'Z')))
				k++; /* SKIPPED, Skipping */
			while (k < left && (d[k] == ' ' || d[k] == '\t' || d[k] == ':'))
				k++;
			ins_buf_put(&p->reason, d + k, left - k);
			ins_buf_rtrim(&p->reason);
		} else {
			/* "# something else": part of the description after all */
			ins_buf_puts(&p->desc, " #");
			ins_buf_put(&p->desc, hash, left);
			ins_buf_rtrim(&p->desc);
		}
	}
}

/* "1..N" (perhaps "1..0 # skip why"): N, or -1 when s is no plan. */
static long plan_line(const char *s, size_t n)
{
	size_t i = 0;
	long v = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (!i || i + 2 > n || s[i] != '.' || s[i + 1] != '.')
		return -1;
	i += 2;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if (v < 1000000000L)
			v = v * 10 + (s[i] - '0');
	if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '#')
		return -1;
	return v;
}

static int on_line(tparser *t, const char *s, size_t n)
{
	pending *p = &t->p;
	size_t indent = 0, lv;
	const char *c;
	size_t cn;
	long plan;
	int ret;

	if (t->bailed) {
		put_capped(&t->bail_rest, &t->bail_dropped, s, n);
		ins_buf_putc(&t->bail_rest, '\n');
		return 0;
	}
	while (indent < n && s[indent] == ' ')
		indent++;
	c = s + indent;
	cn = n - indent;

	if (p->valid && p->in_yaml) {
		if (indent >= p->indent + 2 || !cn) {
			size_t drop = indent < p->indent + 2 ? indent : p->indent + 2;

			if (indent == p->indent + 2 && cn >= 3 && !memcmp(c, "...", 3)) {
				p->in_yaml = 0;
				return 0;
			}
			put_capped(&p->yaml, &p->dropped, s + drop, n - drop);
			ins_buf_putc(&p->yaml, '\n');
			return 0;
		}
		p->in_yaml = 0; /* a block that never ended: the line is TAP again */
	}
	if (p->valid && indent == p->indent + 2 && cn >= 3 && !memcmp(c, "---", 3) && !p->yaml.len) {
		p->in_yaml = 1;
		return 0;
	}
	if (!cn)
		return 0;
	lv = indent / 4;
	if (lv > INS_INGEST_MAX_DEPTH)
		lv = INS_INGEST_MAX_DEPTH;

	if (starts(c, cn, "Bail out!")) {
		if ((ret = flush(t)))
			return ret;
		t->bailed = 1;
		t->any = 1;
		c += 9;
		cn -= 9;
		while (cn && (*c == ' ' || *c == '\t')) {
			c++;
			cn--;
		}
		ins_buf_put(&t->bail_reason, c, cn);
		return 0;
	}
	if ((starts(c, cn, "ok") && (cn == 2 || c[2] == ' ' || c[2] == '\t')) ||
	    (starts(c, cn, "not ok") && (cn == 6 || c[6] == ' ' || c[6] == '\t'))) {
		int child_failed;

		if ((ret = flush(t)))
			return ret;
		/* the parent's own line closes its subtests: did one of them fail? */
		child_failed = lv + 1 < t->nlevels && t->levels[lv + 1].failed;
		test_line(t, c, cn, lv, indent);
		p->child_failed = child_failed;
		levels_reset_below(t, lv);
		t->any = 1;
		return 0;
	}
	if ((plan = plan_line(c, cn)) >= 0) {
		if ((ret = flush(t)))
			return ret;
		level_at(t, lv)->planned = plan;
		t->any = 1;
		return 0;
	}
	if (starts(c, cn, "# Subtest")) {
		level *l;

		if ((ret = flush(t)))
			return ret;
		c += 9;
		cn -= 9;
		while (cn && (*c == ':' || *c == ' ' || *c == '\t')) {
			c++;
			cn--;
		}
		l = level_at(t, lv);
		ins_buf_clear(&l->name);
		ins_buf_put(&l->name, c, cn);
		ins_buf_rtrim(&l->name);
		l->named = 1;
		levels_reset_below(t, lv);
		return 0;
	}
	if (c[0] == '#') {
		/* Test::More's diagnostics after a failed test belong to it */
		if (p->valid && !p->ok && lv == p->level) {
			c++;
			cn--;
			if (cn && *c == ' ') {
				c++;
				cn--;
			}
			put_capped(&p->diag, &p->dropped, c, cn);
			ins_buf_putc(&p->diag, '\n');
		}
		return 0;
	}
	if (starts(c, cn, "TAP version"))
		t->any = 1;
	return 0; /* anything else is not TAP, and ignored */
}

static int finish(tparser *t)
{
	level *top = level_at(t, 0);
	int ret;

	if ((ret = flush(t)))
		return ret;
	if (t->bailed) {
		ins_buf detail = INS_BUF_INIT;

		ins_buf_set(&t->msg, "Bail out!");
		if (t->bail_reason.len) {
			ins_buf_puts(&t->msg, " ");
			ins_buf_put(&t->msg, t->bail_reason.ptr, t->bail_reason.len);
		}
		if (top->planned >= 0 && (long)top->ran < top->planned)
			ins_buf_printf(&detail, "%ld of the %ld planned tests did not run.\n",
				       top->planned - (long)top->ran, top->planned);
		if (t->bail_rest.len) {
			ins_buf_puts(&detail, "What followed:\n");
			ins_buf_put(&detail, t->bail_rest.ptr, t->bail_rest.len);
		}
		ins_buf_rtrim(&detail);
		if (t->bail_dropped)
			ins_buf_printf(&detail, "\n[insight: %zu more bytes were cut]", t->bail_dropped);
		ins_buf_set(&t->id, "Bail out!");
		ret = send(t, "Bail out!", INS_OUTCOME_ERROR, -1.0, t->msg.ptr, detail.ptr, NULL);
		ins_buf_release(&detail);
		return ret;
	}
	if (top->planned >= 0 && (long)top->ran < top->planned) {
		ins_buf_clear(&t->msg);
		ins_buf_printf(&t->msg, "the plan says 1..%ld but %u test%s ran", top->planned,
			       top->ran, top->ran == 1 ? "" : "s");
		ins_buf_set(&t->id, "(missing tests)");
		return send(t, "(missing tests)", INS_OUTCOME_ERROR, -1.0, t->msg.ptr, NULL, NULL);
	}
	return 0;
}

static void tparser_release(tparser *t)
{
	for (size_t i = 0; i < t->nlevels; i++)
		ins_buf_release(&t->levels[i].name);
	free(t->levels);
	ins_buf_release(&t->p.desc);
	ins_buf_release(&t->p.reason);
	ins_buf_release(&t->p.yaml);
	ins_buf_release(&t->p.diag);
	ins_repeat_release(&t->rep);
	ins_buf_release(&t->id);
	ins_buf_release(&t->msg);
	ins_buf_release(&t->text);
	ins_buf_release(&t->line);
	ins_buf_release(&t->bail_reason);
	ins_buf_release(&t->bail_rest);
}

int ins_ingest_tap_input(ins_input *in, const ins_ingest_sink *sink)
{
	tparser t;
	ins_lines lines;
	const char *line;
	size_t len;
	int ret;

	memset(&t, 0, sizeof(t));
	t.display = ins_input_display(in);
	t.sink = sink;
	ins_repeat_init(&t.rep, in);
	ins_lines_init(&lines, in, MAX_LINE);
	while ((ret = ins_lines_next(&lines, &line, &len)) > 0) {
		if (lines.lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			line += 3;
			len -= 3;
		}
		ins_buf_clear(&t.line);
		ins_put_utf8(&t.line, line, len);
		if ((ret = on_line(&t, t.line.ptr, t.line.len)))
			goto done;
	}
	if (ret < 0)
		goto done;
	if (!t.any) {
		ret = ins_error_set(INS_EINVALID, "%s: not a TAP stream (no test line, plan or "
				    "\"TAP version\")", t.display);
		goto done;
	}
	if ((ret = finish(&t)) || (ret = meta(&t, "tool", "TAP")))
		goto done;
done:
	ins_lines_release(&lines);
	tparser_release(&t);
	return ret;
}
