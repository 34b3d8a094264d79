/*
 * dotnet.c - the .NET test tools' own XML reports, read as they write them:
 *
 *   TRX      VSTest (dotnet test --logger trx, vstest.console, Azure's
 *            VSTest task): <TestRun> with <Results> of <UnitTestResult>
 *            and <TestDefinitions> of <UnitTest> holding each test's class.
 *   NUnit 3  <test-run> of nested <test-suite> and <test-case>.
 *   NUnit 2  <test-results> of nested <test-suite> and <test-case>.
 *   xUnit.net v2 <assemblies> (v1: <assembly>) of <collection> (<class>)
 *            and <test>.
 *
 * Each is streamed through xmlstream.h: memory holds one test at a time.
 * TRX's results name their test by testId and VSTest writes them before the
 * definitions that give each test its class, so the reader joins the two
 * in bounded memory (see "the TRX join" below): the results it cannot name
 * yet are spooled to a temporary file with their texts and read back, in
 * their order, once the definitions are in.
 *
 * Node ids are CLASS::NAME, NAME being the test's name without the class in
 * front when it starts with it ("Ns.Calc.Add(1, 2)" of class Ns.Calc is
 * "Add(1, 2)"): the same test has the same id in TRX, NUnit and xUnit.net
 * reports. Repeats follow the repeat rule (repeat.h). Outcomes:
 *
 *   TRX      Passed, PassedButRunAborted, Completed, Warning: passed;
 *            Failed: failed; Error, Timeout, Aborted, NotRunnable,
 *            Disconnected: error; NotExecuted, Inconclusive, Pending,
 *            InProgress: skipped; anything else: error, its message naming
 *            the outcome. A data-driven
 *            test's rows (<InnerResults>) are tests of their own and the
 *            parent, which only sums them up, is not stored.
 *   NUnit 3  Passed, Warning: passed; Failed: failed, or error with label
 *            Error, Cancelled or Invalid; Skipped (Ignored, Explicit):
 *            skipped with the reason; Inconclusive: skipped.
 *   NUnit 2  Success: passed; Failure: failed; Error, Cancelled,
 *            NotRunnable, Invalid: error (even when not executed);
 *            Ignored, Skipped, Inconclusive, or executed="False": skipped.
 *   xUnit    Pass: passed; Fail: failed; Skip, NotRun: skipped.
 *
 * Categories (NUnit) and traits (xUnit.net) become properties.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/ingest.h"
#include "ingest/repeat.h"
#include "ingest/xmlstream.h"

#define MAX_PROPS 64

enum dialect { D_TRX, D_NUNIT3, D_NUNIT2, D_XUNIT };

/* The test being read. */
struct tcase {
	ins_buf classname, name;
	ins_xtext message, detail, out, err, reason;
	ins_outcome outcome;
	double duration;
	int64_t start_ms;
	ins_buf props;           /* "key\0value\0" pairs */
	size_t nprops;
};

/* One TRX definition: a testId (def_key) and the number of its class. */
struct def {
	uint32_t key[4];
	uint32_t cls;
};

/*
 * The TRX join. A definition is 20 bytes: the testId as 128 bits (a GUID's
 * own, or two 64-bit hashes of an id that is no GUID) and the number of its
 * class, each class name kept once however many tests it holds. The first
 * TRX_MEM_DEFS definitions are held in memory, sorted by key: a report of
 * that many tests is joined there, and when its definitions come first its
 * results are stored as they are read. Further definitions are spilled to
 * TRX_PARTS partition files by a hash of their key. At the end of the
 * document the key of every spooled result the memory cannot name is added
 * to its partition; each partition in turn is loaded, sorted and looked up,
 * writing the class of each of its results, in their order, to a class file
 * of the partition; the spool is then read back and each result takes its
 * class from the memory or from the next entry of its partition's class
 * file. Memory stays near TRX_MEM_DEFS + tests / TRX_PARTS definitions,
 * whatever the report's size.
 */
#define TRX_MEM_DEFS 16384       /* a power of two: ins_xgrow's capacity */
#define TRX_PARTS 64
#define TRX_NO_CLASS UINT32_MAX  /* in a class file: no definition has the key */
#define TRX_A_RESULT UINT32_MAX  /* in a partition file: a result's key, not a definition */

struct trx_join {
	FILE *keys;              /* the key of every spooled result, in order */
	FILE *part[TRX_PARTS];   /* spilled definitions, then the keys of results */
	FILE *cls[TRX_PARTS];    /* the class of each result of the partition, in order */
	size_t spilled;
};

/* The class names of the definitions, each once. */
struct classes {
	ins_buf text;            /* the names, NUL-terminated, one after the other */
	uint32_t *off;           /* each name's offset in text */
	size_t n, aoff;
	uint32_t *slot;          /* open addressing: class number + 1, 0 = empty */
	size_t aslot;            /* a power of two, at most half full */
};

typedef struct dparser {
	enum dialect d;
	const char *display;
	const ins_ingest_sink *sink;
	ins_repeat rep;
	struct tcase c;
	int in_case;
	ins_xtext *text;         /* the field the current element's text goes to */
	int in_reason;           /* inside <reason>: its <message> is the skip's */
	int in_assertions;       /* inside NUnit 3's <assertions>, which repeat the failure */
	int rc;
	size_t results;
	/* TRX */
	int trx_depth;           /* nesting of UnitTestResult: > 1 inside InnerResults */
	int trx_has_inner;       /* the outer result holds rows */
	ins_buf test_id;
	struct def *defs;        /* the first TRX_MEM_DEFS definitions */
	size_t ndefs, adefs;
	int defs_sorted;
	struct classes classes;
	struct trx_join join;
	FILE *spool;             /* the results read before their definitions */
	size_t spooled;
	/* NUnit 2: the fixture a test case is in */
	ins_buf fixture;
	/* xUnit v1: the class of the tests */
	ins_buf xclass;
} dparser;

static const char *const dialect_name[] = {
	[D_TRX] = "TRX report", [D_NUNIT3] = "NUnit 3 report",
	[D_NUNIT2] = "NUnit 2 report", [D_XUNIT] = "xUnit.net report",
};

static void tcase_clear(struct tcase *c)
{
	ins_buf_clear(&c->classname);
	ins_buf_clear(&c->name);
	ins_xtext_clear(&c->message);
	ins_xtext_clear(&c->detail);
	ins_xtext_clear(&c->out);
	ins_xtext_clear(&c->err);
	ins_xtext_clear(&c->reason);
	ins_buf_clear(&c->props);
	c->nprops = 0;
	c->outcome = INS_OUTCOME_PASSED;
	c->duration = -1;
	c->start_ms = 0;
}

static void tcase_release(struct tcase *c)
{
	ins_buf_release(&c->classname);
	ins_buf_release(&c->name);
	ins_xtext_release(&c->message);
	ins_xtext_release(&c->detail);
	ins_xtext_release(&c->out);
	ins_xtext_release(&c->err);
	ins_xtext_release(&c->reason);
	ins_buf_release(&c->props);
}

static void add_prop(struct tcase *c, const char *key, const char *value)
{
	if (!key || !value || c->nprops >= MAX_PROPS)
		return;
	ins_buf_put(&c->props, key, strlen(key) + 1);
	ins_buf_put(&c->props, value, strlen(value) + 1);
	c->nprops++;
}

/* "1.25" seconds, or -1 (also beyond INS_INGEST_MAX_DURATION). */
static double seconds(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	v = strtod(s, &end);
	return end != s && isfinite(v) && v >= 0 && v <= INS_INGEST_MAX_DURATION ? v : -1;
}

/* TRX's "hh:mm:ss.fffffff" (days may lead: "d.hh:mm:ss"), or -1 (also beyond the maximum). */
static double trx_duration(const char *s)
{
	unsigned long d = 0, h, m;
	double sec;
	const char *p = s;
	char *end;

	if (!s || !*s)
		return -1;
	h = strtoul(p, &end, 10);
	if (*end == '.') {          /* days first */
		d = h;
		p = end + 1;
		h = strtoul(p, &end, 10);
	}
	if (*end != ':')
		return -1;
	m = strtoul(end + 1, &end, 10);
	if (*end != ':')
		return -1;
	sec = strtod(end + 1, &end);
	if (*end || !isfinite(sec) || sec < 0)
		return -1;
	sec += (double)d * 86400 + (double)h * 3600 + (double)m * 60;
	return sec <= INS_INGEST_MAX_DURATION ? sec : -1;
}

/* The test's name without its class in front ("Ns.C.M(1)" of Ns.C: "M(1)"). */
static const char *short_name(const char *name, const char *classname)
{
	size_t n = classname ? strlen(classname) : 0;

	if (n && !strncmp(name, classname, n) && name[n] == '.' && name[n + 1])
		return name + n + 1;
	return name;
}

/* A fully qualified "Ns.C.M(args)": the class part's length (up to the last '.' before any '('), or 0. */
static size_t class_part(const char *name)
{
	const char *paren = strchr(name, '('), *dot = NULL;

	for (const char *p = name; *p && (!paren || p < paren); p++)
		if (*p == '.')
			dot = p;
	return dot ? (size_t)(dot - name) : 0;
}

static int emit(dparser *p, struct tcase *c)
{
	ins_property props[MAX_PROPS];
	ins_result r = { 0 };
	ins_buf id = INS_BUF_INIT, first = INS_BUF_INIT;
	ins_repeat_entry *e;
	const char *name = c->name.len ? c->name.ptr : "(unnamed test)";
	const char *p0 = c->props.ptr;
	int rc;

	if (c->classname.len)
		ins_buf_printf(&id, "%s::%s", c->classname.ptr, short_name(name, c->classname.ptr));
	else
		ins_buf_puts(&id, name);
	e = ins_repeat_resolve(&p->rep, &id);
	ins_repeat_attempt(e, c->outcome);
	for (size_t i = 0; i < c->nprops; i++) {
		props[i].key = p0;
		p0 += strlen(p0) + 1;
		props[i].value = p0;
		p0 += strlen(p0) + 1;
	}
	r.nodeid = id.ptr;
	r.classname = c->classname.len ? c->classname.ptr : NULL;
	r.name = c->classname.len ? short_name(name, c->classname.ptr) : name;
	r.outcome = c->outcome;
	r.duration = c->duration;
	r.start_ms = c->start_ms;
	r.detail = ins_xtext_get(&c->detail);
	r.message = ins_xml_first_line(&first, ins_xtext_get(&c->message));
	if (!r.message && (c->outcome == INS_OUTCOME_SKIPPED || c->outcome == INS_OUTCOME_ERROR))
		r.message = ins_xml_first_line(&first, ins_xtext_get(&c->reason));
	if (!r.message && r.detail)
		r.message = ins_xml_first_line(&first, r.detail);
	/* a multi-line message keeps its whole text in the detail */
	if (ins_xtext_get(&c->message) && strchr(ins_xtext_get(&c->message), '\n') && !r.detail)
		r.detail = ins_xtext_get(&c->message);
	r.out = ins_xtext_get(&c->out);
	r.err = ins_xtext_get(&c->err);
	r.props = c->nprops ? props : NULL;
	r.nprops = c->nprops;
	r.flags |= ins_repeat_flags(&p->rep);
	rc = p->sink->on_result ? p->sink->on_result(p->sink->data, &r) : 0;
	p->results++;
	ins_buf_release(&id);
	ins_buf_release(&first);
	return rc;
}

/* ---- TRX ------------------------------------------------------------------ */

static ins_outcome trx_outcome(const char *o)
{
	static const struct { const char *name; ins_outcome o; } map[] = {
		{ "Passed", INS_OUTCOME_PASSED }, { "PassedButRunAborted", INS_OUTCOME_PASSED },
		{ "Completed", INS_OUTCOME_PASSED }, { "Warning", INS_OUTCOME_PASSED },
		{ "Failed", INS_OUTCOME_FAILED }, { "Error", INS_OUTCOME_ERROR },
		{ "Timeout", INS_OUTCOME_ERROR }, { "Aborted", INS_OUTCOME_ERROR },
		{ "NotRunnable", INS_OUTCOME_ERROR }, { "Disconnected", INS_OUTCOME_ERROR },
		{ "NotExecuted", INS_OUTCOME_SKIPPED }, { "Inconclusive", INS_OUTCOME_SKIPPED },
		{ "Pending", INS_OUTCOME_SKIPPED }, { "InProgress", INS_OUTCOME_SKIPPED },
	};

	for (size_t i = 0; o && i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(o, map[i].name))
			return map[i].o;
	return INS_OUTCOME_ERROR; /* an outcome insight does not know is never hidden */
}

static uint64_t str_hash(const char *s, size_t n, uint64_t h, uint64_t mul)
{
	for (size_t i = 0; i < n; i++) {
		h = (h ^ (unsigned char)s[i]) * mul;
		h ^= h >> 29;
	}
	return h;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/*
 * A testId as 128 bits: a GUID in VSTest's form (lower-case hex, 8-4-4-4-12)
 * is its own bytes; any other id, two independent 64-bit hashes of it.
 */
static void def_key(const char *id, uint32_t key[4])
{
	size_t n = strlen(id);
	unsigned char b[16];
	uint64_t h1, h2;
	int k = 0;

	if (n == 36) {
		for (size_t i = 0; i < n && k <= 32; i++) {
			int v;

			if (i == 8 || i == 13 || i == 18 || i == 23) {
				if (id[i] != '-')
					break;
				continue;
			}
			if ((v = hex_val(id[i])) < 0)
				break;
			if (k % 2 == 0)
				b[k / 2] = (unsigned char)(v << 4);
			else
				b[k / 2] |= (unsigned char)v;
			k++;
		}
	}
	if (k == 32) {
		memcpy(key, b, 16);
		return;
	}
	h1 = str_hash(id, n, 1469598103934665603ULL, 1099511628211ULL);
	h2 = str_hash(id, n, 0x9e3779b97f4a7c15ULL, 0xff51afd7ed558ccdULL);
	key[0] = (uint32_t)h1;
	key[1] = (uint32_t)(h1 >> 32);
	key[2] = (uint32_t)h2;
	key[3] = (uint32_t)(h2 >> 32);
}

/* The number of class `name` (its first n bytes), added when new. */
static uint32_t class_intern(struct classes *t, const char *name, size_t n)
{
	size_t mask, i;

	if ((t->n + 1) * 2 > t->aslot) {
		free(t->slot);
		t->aslot = t->aslot ? t->aslot * 2 : 256;
		t->slot = ins_xcalloc(t->aslot, sizeof(*t->slot));
		for (size_t c = 0; c < t->n; c++) {
			const char *s = t->text.ptr + t->off[c];

			mask = t->aslot - 1;
			for (i = str_hash(s, strlen(s), 1469598103934665603ULL, 1099511628211ULL) & mask;
			     t->slot[i]; i = (i + 1) & mask)
				;
			t->slot[i] = (uint32_t)c + 1;
		}
	}
	mask = t->aslot - 1;
	for (i = str_hash(name, n, 1469598103934665603ULL, 1099511628211ULL) & mask; t->slot[i];
	     i = (i + 1) & mask) {
		const char *s = t->text.ptr + t->off[t->slot[i] - 1];

		if (!strncmp(s, name, n) && !s[n])
			return t->slot[i] - 1;
	}
	t->off = ins_xgrow(t->off, &t->aoff, t->n + 1, sizeof(*t->off));
	t->off[t->n] = (uint32_t)t->text.len;
	ins_buf_put(&t->text, name, n);
	ins_buf_putc(&t->text, '\0');
	t->slot[i] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static void classes_release(struct classes *t)
{
	ins_buf_release(&t->text);
	free(t->off);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static int cmp_def(const void *a, const void *b)
{
	return memcmp(((const struct def *)a)->key, ((const struct def *)b)->key,
		      sizeof(((const struct def *)a)->key));
}

static void def_sift(struct def *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct def t;

		if (c >= n)
			return;
		if (c + 1 < n && cmp_def(&v[c + 1], &v[c]) > 0)
			c++;
		if (cmp_def(&v[i], &v[c]) >= 0)
			return;
		t = v[i];
		v[i] = v[c];
		v[c] = t;
		i = c;
	}
}

/* Sort in place: qsort() may take a copy of the whole array for a while. */
static void def_sort(struct def *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		def_sift(v, i, n);
	for (size_t end = n; end > 1; end--) {
		struct def t = v[0];

		v[0] = v[end - 1];
		v[end - 1] = t;
		def_sift(v, 0, end - 1);
	}
}

static int trx_io_error(dparser *p, const char *what)
{
	return ins_error_set(INS_EIO, "%s: cannot %s the temporary files of the results read "
			     "before their definitions", p->display, what);
}

/* A temporary file, made on first use. */
static FILE *trx_tmp(FILE **f)
{
	if (!*f)
		*f = tmpfile();
	return *f;
}

/* The class number of the definition `key` held in memory, or TRX_NO_CLASS. */
static uint32_t mem_class(dparser *p, const uint32_t key[4])
{
	struct def k, *d;

	if (!p->ndefs)
		return TRX_NO_CLASS;
	if (!p->defs_sorted) {
		def_sort(p->defs, p->ndefs);
		p->defs_sorted = 1;
	}
	memcpy(k.key, key, sizeof(k.key));
	d = bsearch(&k, p->defs, p->ndefs, sizeof(*p->defs), cmp_def);
	return d ? d->cls : TRX_NO_CLASS;
}

/* The name of class number cls, NULL for TRX_NO_CLASS. */
static const char *class_name(const dparser *p, uint32_t cls)
{
	return cls == TRX_NO_CLASS ? NULL : p->classes.text.ptr + p->classes.off[cls];
}

static unsigned part_of(const uint32_t key[4])
{
	uint64_t h = ((uint64_t)key[0] << 32 | key[1]) ^ ((uint64_t)key[2] << 32 | key[3]);

	return (unsigned)((h * 0x9e3779b97f4a7c15ULL) >> 58);   /* 64 = 2^6 partitions */
}

/* A definition read from the document: into memory, or its partition once memory is full. */
static int trx_define(dparser *p, const uint32_t key[4], uint32_t cls)
{
	struct def d;
	FILE *f;

	if (p->ndefs < TRX_MEM_DEFS) {
		p->defs = ins_xgrow(p->defs, &p->adefs, p->ndefs + 1, sizeof(*p->defs));
		memcpy(p->defs[p->ndefs].key, key, sizeof(d.key));
		p->defs[p->ndefs++].cls = cls;
		p->defs_sorted = 0;
		return 0;
	}
	memcpy(d.key, key, sizeof(d.key));
	d.cls = cls;
	if (!(f = trx_tmp(&p->join.part[part_of(key)])) || fwrite(&d, sizeof(d), 1, f) != 1)
		return trx_io_error(p, "write");
	p->join.spilled++;
	return 0;
}

/*
 * Join one partition: its spilled definitions (which come first in its file)
 * are loaded and sorted, and each result key after them gets its class, in
 * order, in the partition's class file.
 */
static int trx_join_part(dparser *p, FILE *in, FILE **out, struct def **v, size_t *av)
{
	struct def d, *hit;
	size_t n = 0;
	int sorted = 0;

	rewind(in);
	while (fread(&d, sizeof(d), 1, in) == 1) {
		uint32_t cls;

		if (d.cls != TRX_A_RESULT) {
			*v = ins_xgrow(*v, av, n + 1, sizeof(**v));
			(*v)[n++] = d;
			continue;
		}
		if (!sorted) {
			def_sort(*v, n);
			sorted = 1;
		}
		hit = n ? bsearch(&d, *v, n, sizeof(**v), cmp_def) : NULL;
		cls = hit ? hit->cls : TRX_NO_CLASS;
		if (!trx_tmp(out) || fwrite(&cls, sizeof(cls), 1, *out) != 1)
			return trx_io_error(p, "write");
	}
	if (ferror(in))
		return trx_io_error(p, "read");
	if (*out && (fflush(*out) || ferror(*out)))
		return trx_io_error(p, "write");
	if (*out)
		rewind(*out);
	return 0;
}

/* After the document: the classes of the spooled results the memory cannot name. */
static int trx_join(dparser *p)
{
	struct trx_join *j = &p->join;
	struct def d, *v = NULL;
	size_t av = 0;
	int rc = 0;

	if (!j->spilled || !j->keys)
		return 0;
	rewind(j->keys);
	while (fread(d.key, sizeof(d.key), 1, j->keys) == 1) {
		FILE *f;

		if (mem_class(p, d.key) != TRX_NO_CLASS)
			continue;
		d.cls = TRX_A_RESULT;
		if (!(f = trx_tmp(&j->part[part_of(d.key)])) || fwrite(&d, sizeof(d), 1, f) != 1)
			return trx_io_error(p, "write");
	}
	if (ferror(j->keys))
		return trx_io_error(p, "read");
	fclose(j->keys);
	j->keys = NULL;
	for (size_t i = 0; i < TRX_PARTS && rc == 0; i++) {
		if (!j->part[i])
			continue;
		rc = trx_join_part(p, j->part[i], &j->cls[i], &v, &av);
		fclose(j->part[i]);
		j->part[i] = NULL;
	}
	free(v);
	return rc;
}

/* The class of a spooled result, once the join is done. */
static const char *trx_class_of(dparser *p, const uint32_t key[4])
{
	uint32_t cls = mem_class(p, key);

	if (cls == TRX_NO_CLASS && p->join.spilled) {
		FILE *f = p->join.cls[part_of(key)];

		if (!f || fread(&cls, sizeof(cls), 1, f) != 1)
			cls = TRX_NO_CLASS;
	}
	return class_name(p, cls);
}

static void trx_join_release(struct trx_join *j)
{
	if (j->keys)
		fclose(j->keys);
	for (size_t i = 0; i < TRX_PARTS; i++) {
		if (j->part[i])
			fclose(j->part[i]);
		if (j->cls[i])
			fclose(j->cls[i]);
	}
	memset(j, 0, sizeof(*j));
}

/* Spool a result whose definition is not known yet: its fields, length-prefixed. */
static void spool_str(FILE *f, const char *s, size_t n)
{
	uint64_t len = s ? n : UINT64_MAX;

	fwrite(&len, sizeof(len), 1, f);
	if (s)
		fwrite(s, 1, n, f);
}

static int spool_read(FILE *f, ins_buf *b, int *null)
{
	uint64_t len;

	ins_buf_clear(b);
	if (fread(&len, sizeof(len), 1, f) != 1)
		return -1;
	*null = len == UINT64_MAX;
	if (*null)
		return 0;
	if (len > (uint64_t)INS_INGEST_MAX_TEXT * 2)
		return -1;
	ins_buf_grow(b, (size_t)len + 1);
	if (fread(b->ptr, 1, (size_t)len, f) != len)
		return -1;
	b->len = (size_t)len;
	b->ptr[len] = '\0';
	return 0;
}

static int trx_spool(dparser *p, struct tcase *c, const uint32_t key[4])
{
	ins_xtext *t[] = { &c->message, &c->detail, &c->out, &c->err, &c->reason };
	double meta[2] = { c->duration, (double)c->start_ms };

	if (!trx_tmp(&p->spool) || !trx_tmp(&p->join.keys))
		return trx_io_error(p, "make");
	fwrite(key, sizeof(uint32_t), 4, p->join.keys);
	fwrite(key, sizeof(uint32_t), 4, p->spool);
	spool_str(p->spool, c->name.ptr, c->name.len);
	fwrite(&c->outcome, sizeof(c->outcome), 1, p->spool);
	fwrite(meta, sizeof(meta), 1, p->spool);
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		spool_str(p->spool, t[i]->b.len ? t[i]->b.ptr : NULL, t[i]->b.len);
	if (ferror(p->spool) || ferror(p->join.keys))
		return trx_io_error(p, "write");
	p->spooled++;
	return 0;
}

/* Store a TRX result under its class: its definition's, else the one its name gives. */
static int trx_emit(dparser *p, struct tcase *c, const char *cls)
{
	if (cls)
		ins_buf_puts(&c->classname, cls);
	else if (c->name.len && class_part(c->name.ptr))  /* a result may have no testName */
		ins_buf_put(&c->classname, c->name.ptr, class_part(c->name.ptr));
	return emit(p, c);
}

static int trx_replay(dparser *p)
{
	struct tcase *c = &p->c;
	ins_xtext *t[] = { &c->message, &c->detail, &c->out, &c->err, &c->reason };
	ins_buf s = INS_BUF_INIT;
	uint32_t key[4];
	double meta[2];
	int null, rc;

	if (!p->spool)
		return 0;
	if ((rc = trx_join(p)))
		return rc;
	rewind(p->spool);
	for (size_t k = 0; k < p->spooled && rc == 0; k++) {
		tcase_clear(c);
		if (fread(key, sizeof(key), 1, p->spool) != 1 || spool_read(p->spool, &s, &null) < 0 ||
		    fread(&c->outcome, sizeof(c->outcome), 1, p->spool) != 1 ||
		    fread(meta, sizeof(meta), 1, p->spool) != 1) {
			rc = trx_io_error(p, "read");
			break;
		}
		ins_buf_puts(&c->name, s.ptr);
		c->duration = meta[0];
		c->start_ms = (int64_t)meta[1];
		for (size_t i = 0; i < sizeof(t) / sizeof(*t) && rc == 0; i++) {
			if (spool_read(p->spool, &s, &null) < 0)
				rc = trx_io_error(p, "read");
			else if (!null)
				ins_xtext_put(t[i], s.ptr, s.len);
		}
		if (rc == 0)
			rc = trx_emit(p, c, trx_class_of(p, key));
	}
	ins_buf_release(&s);
	return rc;
}

static void trx_start(ins_xml *x, dparser *p, const char *el, const char **atts)
{
	struct tcase *c = &p->c;

	if (!strcmp(el, "UnitTestResult")) {
		if (++p->trx_depth == 2)
			p->trx_has_inner = 1;
		/* an inner row replaces its parent as the test being read */
		tcase_clear(c);
		ins_buf_clear(&p->test_id);
		ins_buf_puts(&p->test_id, ins_xml_attr(atts, "testId") ? ins_xml_attr(atts, "testId") : "");
		ins_buf_puts(&c->name, ins_xml_attr(atts, "testName") ? ins_xml_attr(atts, "testName") : "");
		c->outcome = trx_outcome(ins_xml_attr(atts, "outcome"));
		if (c->outcome == INS_OUTCOME_ERROR && ins_xml_attr(atts, "outcome")) {
			ins_buf why = INS_BUF_INIT;

			ins_buf_printf(&why, "outcome %s", ins_xml_attr(atts, "outcome"));
			ins_xtext_set(&c->reason, why.ptr);
			ins_buf_release(&why);
		}
		c->duration = trx_duration(ins_xml_attr(atts, "duration"));
		c->start_ms = ins_xml_timestamp(ins_xml_attr(atts, "startTime"));
		if (c->outcome == INS_OUTCOME_SKIPPED && ins_xml_attr(atts, "outcome") &&
		    !strcmp(ins_xml_attr(atts, "outcome"), "Inconclusive"))
			ins_xtext_set(&c->reason, "inconclusive");
		p->in_case = 1;
	} else if (p->in_case && !strcmp(el, "Message")) {
		p->text = &c->message;
	} else if (p->in_case && !strcmp(el, "StackTrace")) {
		p->text = &c->detail;
	} else if (p->in_case && !strcmp(el, "StdOut")) {
		p->text = &c->out;
	} else if (p->in_case && !strcmp(el, "StdErr")) {
		p->text = &c->err;
	} else if (!strcmp(el, "UnitTest")) {
		ins_buf_clear(&p->test_id);
		ins_buf_puts(&p->test_id, ins_xml_attr(atts, "id") ? ins_xml_attr(atts, "id") : "");
	} else if (!strcmp(el, "TestMethod") && p->test_id.len && ins_xml_attr(atts, "className")) {
		const char *cls = ins_xml_attr(atts, "className");
		size_t n = strcspn(cls, ",");   /* "Ns.Class, Assembly, Version=..." */
		uint32_t key[4];
		int rc;

		def_key(p->test_id.ptr, key);
		if ((rc = trx_define(p, key, class_intern(&p->classes, cls, n))))
			ins_xml_stop(x, rc);
		ins_buf_clear(&p->test_id);
	}
}

static void trx_end(ins_xml *x, dparser *p, const char *el)
{
	struct tcase *c = &p->c;
	int rc = 0;

	if (!strcmp(el, "UnitTestResult")) {
		int depth = p->trx_depth--;

		if (depth == 1 && p->trx_has_inner) {
			/* the parent of data-driven rows: they were stored, it only sums them up */
			p->trx_has_inner = 0;
		} else {
			uint32_t key[4], cls;

			/*
			 * Stored now when its class is known (or it has no testId to be
			 * defined by) and nothing read before it waits in the spool:
			 * results are stored in the document's order.
			 */
			def_key(p->test_id.len ? p->test_id.ptr : "", key);
			cls = p->test_id.len && !p->spooled ? mem_class(p, key) : TRX_NO_CLASS;
			if (!p->spooled && (cls != TRX_NO_CLASS || !p->test_id.len))
				rc = trx_emit(p, c, class_name(p, cls));
			else
				rc = trx_spool(p, c, key);
		}
		p->in_case = p->trx_depth > 0;
		tcase_clear(c);
	}
	if (rc)
		ins_xml_stop(x, rc);
}

/* ---- NUnit 2 and 3 ------------------------------------------------------------ */

static void nunit3_outcome(struct tcase *c, const char *result, const char *label)
{
	if (!result || !strcmp(result, "Passed") || !strcmp(result, "Warning"))
		c->outcome = INS_OUTCOME_PASSED;
	else if (!strcmp(result, "Failed"))
		c->outcome = label && (!strcmp(label, "Error") || !strcmp(label, "Cancelled") ||
				       !strcmp(label, "Invalid")) ? INS_OUTCOME_ERROR :
			     INS_OUTCOME_FAILED;
	else if (!strcmp(result, "Skipped"))
		c->outcome = INS_OUTCOME_SKIPPED;
	else if (!strcmp(result, "Inconclusive")) {
		c->outcome = INS_OUTCOME_SKIPPED;
		ins_xtext_set(&c->reason, "inconclusive");
	} else {
		c->outcome = INS_OUTCOME_ERROR;
	}
	if (c->outcome == INS_OUTCOME_SKIPPED && label && !c->reason.b.len)
		ins_xtext_set(&c->reason, label);
}

static void nunit2_outcome(struct tcase *c, const char *result, const char *executed)
{
	if (result && (!strcmp(result, "Error") || !strcmp(result, "Cancelled") ||
		       !strcmp(result, "NotRunnable") || !strcmp(result, "Invalid")))
		c->outcome = INS_OUTCOME_ERROR;  /* a test that could not run is never hidden */
	else if (executed && !strcasecmp(executed, "False"))
		c->outcome = INS_OUTCOME_SKIPPED;
	else if (!result || !strcmp(result, "Success"))
		c->outcome = INS_OUTCOME_PASSED;
	else if (!strcmp(result, "Failure"))
		c->outcome = INS_OUTCOME_FAILED;
	else if (!strcmp(result, "Ignored") || !strcmp(result, "Skipped") ||
		 !strcmp(result, "Inconclusive"))
		c->outcome = INS_OUTCOME_SKIPPED;
	else
		c->outcome = INS_OUTCOME_ERROR; /* Error, Cancelled, NotRunnable, ... */
}

static void nunit_start(dparser *p, const char *el, const char **atts)
{
	struct tcase *c = &p->c;

	if (!strcmp(el, "test-suite") && p->d == D_NUNIT2 && ins_xml_attr(atts, "type") &&
	    !strcmp(ins_xml_attr(atts, "type"), "TestFixture")) {
		ins_buf_clear(&p->fixture);
		ins_buf_puts(&p->fixture, ins_xml_attr(atts, "name") ? ins_xml_attr(atts, "name") : "");
	} else if (!strcmp(el, "test-case")) {
		const char *name = ins_xml_attr(atts, "name");
		const char *cls = ins_xml_attr(atts, "classname");

		tcase_clear(c);
		p->in_case = 1;
		if (p->d == D_NUNIT3) {
			const char *full = ins_xml_attr(atts, "fullname");

			ins_buf_puts(&c->name, name ? name : full ? full : "");
			if (cls)
				ins_buf_puts(&c->classname, cls);
			nunit3_outcome(c, ins_xml_attr(atts, "result"), ins_xml_attr(atts, "label"));
			c->duration = seconds(ins_xml_attr(atts, "duration"));
			c->start_ms = ins_xml_timestamp(ins_xml_attr(atts, "start-time"));
		} else {
			/* NUnit 2 names a case in full: "Ns.Fixture.Method(args)" */
			size_t k = name ? class_part(name) : 0;

			ins_buf_puts(&c->name, name ? name : "");
			if (k)
				ins_buf_put(&c->classname, name, k);
			else if (p->fixture.len)
				ins_buf_puts(&c->classname, p->fixture.ptr);
			nunit2_outcome(c, ins_xml_attr(atts, "result"), ins_xml_attr(atts, "executed"));
			c->duration = seconds(ins_xml_attr(atts, "time"));
		}
	} else if (!p->in_case) {
		return;
	} else if (!strcmp(el, "reason")) {
		p->in_reason = 1;
	} else if (!strcmp(el, "assertions")) {
		p->in_assertions = 1;
	} else if (p->in_assertions) {
		return;
	} else if (!strcmp(el, "message")) {
		/* inside <failure> the failure's, inside <reason> the skip's (over the label) */
		if (p->in_reason)
			ins_xtext_clear(&c->reason);
		p->text = p->in_reason ? &c->reason : &c->message;
	} else if (!strcmp(el, "stack-trace")) {
		p->text = &c->detail;
	} else if (!strcmp(el, "output")) {
		p->text = &c->out;
	} else if (!strcmp(el, "property") && ins_xml_attr(atts, "name")) {
		add_prop(c, ins_xml_attr(atts, "name"), ins_xml_attr(atts, "value"));
	} else if (!strcmp(el, "category") && ins_xml_attr(atts, "name")) {
		add_prop(c, "Category", ins_xml_attr(atts, "name"));
	}
}

/* ---- xUnit.net ---------------------------------------------------------------- */

static void xunit_start(dparser *p, const char *el, const char **atts)
{
	struct tcase *c = &p->c;

	if (!strcmp(el, "class") && ins_xml_attr(atts, "name")) {
		ins_buf_clear(&p->xclass);     /* v1 */
		ins_buf_puts(&p->xclass, ins_xml_attr(atts, "name"));
	} else if (!strcmp(el, "test")) {
		const char *name = ins_xml_attr(atts, "name"), *type = ins_xml_attr(atts, "type");
		const char *result = ins_xml_attr(atts, "result");

		tcase_clear(c);
		p->in_case = 1;
		ins_buf_puts(&c->name, name ? name : ins_xml_attr(atts, "method") ?
			     ins_xml_attr(atts, "method") : "");
		if (type)
			ins_buf_puts(&c->classname, type);
		else if (p->xclass.len)
			ins_buf_puts(&c->classname, p->xclass.ptr);
		c->outcome = !result || !strcmp(result, "Pass") ? INS_OUTCOME_PASSED :
			     !strcmp(result, "Fail") ? INS_OUTCOME_FAILED :
			     !strcmp(result, "Skip") || !strcmp(result, "NotRun") ?
			     INS_OUTCOME_SKIPPED : INS_OUTCOME_ERROR;
		c->duration = seconds(ins_xml_attr(atts, "time"));
	} else if (!p->in_case) {
		return;
	} else if (!strcmp(el, "message")) {
		p->text = &c->message;
	} else if (!strcmp(el, "stack-trace")) {
		p->text = &c->detail;
	} else if (!strcmp(el, "reason")) {
		p->text = &c->reason;
	} else if (!strcmp(el, "output")) {
		p->text = &c->out;
	} else if (!strcmp(el, "trait")) {
		add_prop(c, ins_xml_attr(atts, "name"), ins_xml_attr(atts, "value"));
	}
}

/* ---- the driver's handlers ---------------------------------------------------- */

static void on_start(ins_xml *x, void *data, const char *el, const char **atts)
{
	dparser *p = data;

	p->text = NULL;
	if (p->d == D_TRX)
		trx_start(x, p, el, atts);
	else if (p->d == D_XUNIT)
		xunit_start(p, el, atts);
	else
		nunit_start(p, el, atts);
}

static void on_end(ins_xml *x, void *data, const char *el)
{
	dparser *p = data;
	int rc;

	p->text = NULL;
	if (p->d == D_TRX) {
		trx_end(x, p, el);
		return;
	}
	if (!strcmp(el, "reason"))
		p->in_reason = 0;
	else if (!strcmp(el, "assertions"))
		p->in_assertions = 0;
	if (strcmp(el, p->d == D_XUNIT ? "test" : "test-case") || !p->in_case)
		return;
	p->in_case = 0;
	if ((rc = emit(p, &p->c)))
		ins_xml_stop(x, rc);
	tcase_clear(&p->c);
}

static void on_text(ins_xml *x, void *data, const char *s, size_t len)
{
	dparser *p = data;

	(void)x;
	if (p->text)
		ins_xtext_put(p->text, s, len);
}

static int parse(ins_input *in, const ins_ingest_sink *sink, enum dialect d)
{
	dparser p;
	ins_xml_handlers h = { &p, on_start, on_end, on_text };
	uint64_t replaced = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	p.d = d;
	p.display = ins_input_display(in);
	p.sink = sink;
	ins_repeat_init(&p.rep, in);
	tcase_clear(&p.c);
	rc = ins_xml_run(in, dialect_name[d], &h, &replaced);
	if (rc == 0 && d == D_TRX)
		rc = trx_replay(&p);
	if (rc == 0 && replaced && sink->on_meta) {
		ins_buf w = INS_BUF_INIT;

		ins_xml_replaced_warning(&w, replaced);
		rc = sink->on_meta(sink->data, "warning", w.ptr);
		ins_buf_release(&w);
	}
	if (rc == 0 && sink->on_meta)
		rc = sink->on_meta(sink->data, "tool", d == D_TRX ? "vstest" : d == D_XUNIT ?
				   "xunit" : "nunit");
	tcase_release(&p.c);
	ins_repeat_release(&p.rep);
	ins_buf_release(&p.test_id);
	ins_buf_release(&p.fixture);
	ins_buf_release(&p.xclass);
	free(p.defs);
	classes_release(&p.classes);
	trx_join_release(&p.join);
	if (p.spool)
		fclose(p.spool);
	return rc;
}

int ins_ingest_trx_input(ins_input *in, const ins_ingest_sink *sink)
{
	return parse(in, sink, D_TRX);
}

int ins_ingest_nunit_input(ins_input *in, const ins_ingest_sink *sink)
{
	const char *head;
	ssize_t n = ins_input_peek(in, &head, 4096);

	if (n < 0)
		return (int)n;
	/* NUnit 2's root is <test-results>, NUnit 3's <test-run> */
	for (ssize_t i = 0; i + 13 < n; i++)
		if (head[i] == '<' && !memcmp(head + i + 1, "test-results", 12))
			return parse(in, sink, D_NUNIT2);
	return parse(in, sink, D_NUNIT3);
}

int ins_ingest_xunit_input(ins_input *in, const ins_ingest_sink *sink)
{
	return parse(in, sink, D_XUNIT);
}
