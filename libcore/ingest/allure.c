/*
 * allure.c - Allure 2 results: a directory of {uuid}-result.json files,
 * as every Allure adapter writes them (allure-pytest, allure-junit5,
 * allure-mocha, allure-jest, ...).
 *
 * Each result file is one run of one test: {uuid, historyId, testCaseId,
 * name, fullName, status, statusDetails {message, trace, flaky, ...},
 * stage, start, stop (epoch ms), labels [{name, value}], parameters
 * [{name, value, excluded, mode}], links, steps, attachments}.
 * Containers ({uuid}-container.json), attachments, categories.json,
 * executor.json and environment.properties hold no results and are not
 * read.
 *
 * Outcomes: passed -> passed, failed (an assertion) -> failed, broken (any
 * other exception) -> error, skipped -> skipped (xfailed when allure-pytest
 * says "XFAIL" in its message), unknown -> error (a test that never
 * finished is not hidden among the skips).
 *
 * Identity: fullName (else name), followed by the values of the parameters
 * that are not "excluded" as "[v1-v2]" (a masked or hidden parameter gives
 * its name, never its value). Several results with one historyId are
 * attempts of one test, as Allure shows them: they are handed on in the
 * order of their stop times, so the latest is the final outcome; and the
 * repeat rule decides as everywhere (repeat.h): after a failure they are
 * retries, after a pass (a directory that was not emptied between two
 * runs) the next one is a test of its own, "id[#2]".
 *
 * Labels become properties "label.<name>" (severity, feature, story, epic,
 * owner, tag, suite, ...; the adapters' internal ones, starting with "_",
 * are left out); parameters "param.<name>"; links "link.<type>".
 *
 * Memory: the directory is read twice. The first pass keeps, per result
 * file, its historyId's hash and its times (a few dozen bytes); the second
 * reads the files again one at a time, in the order above, and hands each
 * on. A file is read through insight's input layer (gzip, UTF-16) and is
 * at most 64 MiB.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/hash.h"
#include "insight/ingest.h"
#include "ingest/jsonin.h"
#include "ingest/repeat.h"

#define MAX_FILE (64u << 20)

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

static int is_result_name(const char *name)
{
	return has_suffix(name, "-result.json") || has_suffix(name, "-result.json.gz");
}

/* Read and parse one result file. Returns 0 with *doc set, or an error. */
static int read_doc(ins_input *in, cJSON **doc)
{
	ins_buf text = INS_BUF_INIT;
	const char *why;
	size_t off;
	int ret;

	*doc = NULL;
	if ((ret = ins_jsonin_read_input(&text, in, MAX_FILE)) < 0)
		goto done;
	if (ins_jsonin_check(text.ptr, text.len, &why, &off) < 0) {
		ret = ins_error_set(INS_EINVALID, "%s: %s at byte %zu", ins_input_display(in), why,
				    off);
		goto done;
	}
	ins_jsonin_fix_surrogates(text.ptr, text.len);
	*doc = cJSON_ParseWithLength(text.ptr, text.len);
	if (!*doc || !cJSON_IsObject(*doc)) {
		cJSON_Delete(*doc);
		*doc = NULL;
		ret = ins_error_set(INS_EINVALID, "%s: invalid JSON; not an Allure result",
				    ins_input_display(in));
	}
done:
	ins_buf_release(&text);
	return ret;
}

typedef struct aparser {
	const char *display;
	const ins_ingest_sink *sink;
	ins_repeat rep;
	ins_buf id, msg, detail, classname, name;
	ins_buf pstore;       /* property keys and values, "k\0v\0" */
	ins_property *props;
	size_t nprops, aprops;
	size_t *poff;
	size_t apoff;
	size_t results;
	ins_outcome last;     /* the outcome of the result handed on last */
} aparser;

static void prop_add(aparser *a, const char *prefix, const char *key, const char *value)
{
	a->poff = ins_xgrow(a->poff, &a->apoff, 2 * (a->nprops + 1), sizeof(*a->poff));
	a->poff[2 * a->nprops] = a->pstore.len;
	ins_buf_printf(&a->pstore, "%s%s", prefix, key);
	ins_buf_putc(&a->pstore, '\0');
	a->poff[2 * a->nprops + 1] = a->pstore.len;
	ins_buf_puts(&a->pstore, value);
	ins_buf_putc(&a->pstore, '\0');
	a->nprops++;
}

static int map_status(const char *status, const char *message, ins_outcome *o)
{
	if (!status)
		return -1;
	if (!strcmp(status, "passed"))
		*o = INS_OUTCOME_PASSED;
	else if (!strcmp(status, "failed"))
		*o = INS_OUTCOME_FAILED;
	else if (!strcmp(status, "broken"))
		*o = INS_OUTCOME_ERROR;
	else if (!strcmp(status, "skipped"))
		*o = message && !strncmp(message, "XFAIL", 5) ? INS_OUTCOME_XFAILED :
							      INS_OUTCOME_SKIPPED;
	else if (!strcmp(status, "unknown"))
		*o = INS_OUTCOME_ERROR;  /* the test never finished: not hidden among skips */
	else
		return -1;
	return 0;
}

/* The node id of a result: fullName (or name) and its parameters. */
static int result_id(aparser *a, const cJSON *doc, const char *display)
{
	const char *full = ins_jsonin_str(doc, "fullName"), *name = ins_jsonin_str(doc, "name");
	const cJSON *p;
	int first = 1;

	ins_buf_clear(&a->id);
	if (!(full && *full) && !(name && *name))
		return ins_error_set(INS_EINVALID, "%s: an Allure result without \"fullName\" or "
				     "\"name\"", display);
	ins_buf_puts(&a->id, full && *full ? full : name);
	cJSON_ArrayForEach(p, get(doc, "parameters")) {
		const char *pn = ins_jsonin_str(p, "name"), *mode = ins_jsonin_str(p, "mode");
		ins_buf v = INS_BUF_INIT;

		if (cJSON_IsTrue(get(p, "excluded")))
			continue;
		ins_buf_puts(&a->id, first ? "[" : "-");
		first = 0;
		if (mode && (!strcmp(mode, "masked") || !strcmp(mode, "hidden")))
			ins_buf_puts(&a->id, pn ? pn : "?");
		else
			ins_jsonin_text(&v, get(p, "value"));
		ins_buf_put(&a->id, v.ptr, v.len);
		ins_buf_release(&v);
	}
	if (!first)
		ins_buf_putc(&a->id, ']');
	return 0;
}

static int64_t epoch_ms(const cJSON *doc, const char *key)
{
	double v;

	if (ins_jsonin_num(doc, key, &v))
		return 0;
	return ins_jsonin_epoch_s_to_ms(v / 1000.0);
}

/* Hand one result on. `flaky`: an earlier attempt of the same test failed. */
static int on_result(aparser *a, const cJSON *doc, const char *display, int flaky)
{
	const cJSON *details = get(doc, "statusDetails"), *l;
	const char *status = ins_jsonin_str(doc, "status");
	const char *message = ins_jsonin_str(details, "message");
	const char *trace = ins_jsonin_str(details, "trace");
	ins_repeat_entry *e;
	ins_result r;
	ins_outcome o;
	int64_t start = epoch_ms(doc, "start"), stop = epoch_ms(doc, "stop");
	int ret;

	if ((ret = result_id(a, doc, display)))
		return ret;
	if (map_status(status, message, &o))
		return ins_error_set(INS_EINVALID, "%s: '%s': status is not one of passed, failed, "
				     "broken, skipped or unknown", display, a->id.ptr);
	e = ins_repeat_resolve(&a->rep, &a->id);
	ins_repeat_attempt(e, o);

	a->nprops = 0;
	ins_buf_clear(&a->pstore);
	ins_buf_clear(&a->classname);
	cJSON_ArrayForEach(l, get(doc, "labels")) {
		const char *ln = ins_jsonin_str(l, "name"), *lv = ins_jsonin_str(l, "value");

		if (!ln || !lv || !*ln || *ln == '_')
			continue;
		prop_add(a, "label.", ln, lv);
		if (!strcmp(ln, "testClass") || (!a->classname.len && !strcmp(ln, "suite")))
			ins_buf_set(&a->classname, lv);
	}
	cJSON_ArrayForEach(l, get(doc, "parameters")) {
		const char *pn = ins_jsonin_str(l, "name"), *mode = ins_jsonin_str(l, "mode");
		ins_buf v = INS_BUF_INIT;

		if (!pn || !*pn)
			continue;
		if (mode && (!strcmp(mode, "masked") || !strcmp(mode, "hidden")))
			ins_buf_puts(&v, "(masked)");
		else
			ins_jsonin_text(&v, get(l, "value"));
		prop_add(a, "param.", pn, v.ptr);
		ins_buf_release(&v);
	}
	cJSON_ArrayForEach(l, get(doc, "links")) {
		const char *url = ins_jsonin_str(l, "url"), *type = ins_jsonin_str(l, "type");

		if (url)
			prop_add(a, "link.", type && *type ? type : "link", url);
	}
	a->props = ins_xgrow(a->props, &a->aprops, a->nprops + 1, sizeof(*a->props));
	for (size_t i = 0; i < a->nprops; i++) {
		a->props[i].key = a->pstore.ptr + a->poff[2 * i];
		a->props[i].value = a->pstore.ptr + a->poff[2 * i + 1];
	}

	ins_buf_clear(&a->msg);
	ins_buf_clear(&a->detail);
	if (message) {
		const char *nl = strchr(message, '\n');

		ins_buf_put(&a->msg, message, nl ? (size_t)(nl - message) : strlen(message));
		ins_buf_rtrim(&a->msg);
	}
	if (message && (strchr(message, '\n') || !trace))
		ins_buf_puts(&a->detail, message);
	if (trace && *trace) {
		if (a->detail.len)
			ins_buf_puts(&a->detail, "\n\n");
		ins_buf_puts(&a->detail, trace);
	}
	ins_jsonin_cap(&a->msg);
	ins_jsonin_cap(&a->detail);

	ins_buf_set(&a->name, ins_jsonin_str(doc, "name") ? ins_jsonin_str(doc, "name") : a->id.ptr);
	memset(&r, 0, sizeof(r));
	r.nodeid = a->id.ptr;
	r.classname = a->classname.len ? a->classname.ptr : NULL;
	r.name = a->name.ptr;
	r.outcome = o;
	r.start_ms = start;
	r.duration = -1.0;
	if (start && stop && stop >= start && (stop - start) / 1000.0 <= INS_INGEST_MAX_DURATION)
		r.duration = (double)(stop - start) / 1000.0;
	if (flaky && o == INS_OUTCOME_PASSED && e)
		r.flags |= INS_RESULT_FLAKY;
	r.message = a->msg.len ? a->msg.ptr : NULL;
	r.detail = a->detail.len && o != INS_OUTCOME_PASSED ? a->detail.ptr : NULL;
	r.props = a->props;
	r.nprops = a->nprops;
	a->results++;
	a->last = o;
	r.flags |= ins_repeat_flags(&a->rep);
	return a->sink->on_result ? a->sink->on_result(a->sink->data, &r) : 0;
}

static void aparser_release(aparser *a)
{
	ins_repeat_release(&a->rep);
	ins_buf_release(&a->id);
	ins_buf_release(&a->msg);
	ins_buf_release(&a->detail);
	ins_buf_release(&a->classname);
	ins_buf_release(&a->name);
	ins_buf_release(&a->pstore);
	free(a->props);
	free(a->poff);
}

static int meta(aparser *a, const char *key, const char *value)
{
	return a->sink->on_meta ? a->sink->on_meta(a->sink->data, key, value) : 0;
}

int ins_ingest_allure_input(ins_input *in, const ins_ingest_sink *sink)
{
	aparser a;
	cJSON *doc = NULL;
	int ret;

	memset(&a, 0, sizeof(a));
	a.display = ins_input_display(in);
	a.sink = sink;
	ins_repeat_init(&a.rep, in);
	if ((ret = read_doc(in, &doc)) == 0 && (ret = on_result(&a, doc, a.display, 0)) == 0)
		ret = meta(&a, "tool", "allure");
	cJSON_Delete(doc);
	aparser_release(&a);
	return ret;
}

/* ---- a directory ---- */

typedef struct entry {
	char *name;
	uint64_t g1, g2;       /* the hash of its historyId (or node id) */
	int64_t start, stop;
	int64_t group_start;   /* the earliest start of its group */
	int failed;            /* handed on, and failed or errored */
} entry;

static int cmp_name(const void *x, const void *y)
{
	return strcmp(((const entry *)x)->name, ((const entry *)y)->name);
}

static int cmp_group(const void *x, const void *y)
{
	const entry *a = x, *b = y;

	if (a->g1 != b->g1)
		return a->g1 < b->g1 ? -1 : 1;
	if (a->g2 != b->g2)
		return a->g2 < b->g2 ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Report order: groups by their first start, then each group's attempts by stop. */
static int cmp_order(const void *x, const void *y)
{
	const entry *a = x, *b = y;

	if (a->group_start != b->group_start)
		return a->group_start < b->group_start ? -1 : 1;
	if (a->g1 != b->g1 || a->g2 != b->g2)
		return cmp_group(x, y);
	if (a->stop != b->stop)
		return a->stop < b->stop ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void key_hash(const char *s, uint64_t *h1, uint64_t *h2)
{
	uint64_t a = 1469598103934665603ULL, b = 0x9e3779b97f4a7c15ULL;

	for (; *s; s++) {
		a = (a ^ (unsigned char)*s) * 1099511628211ULL;
		b = (b + (unsigned char)*s) * 0xff51afd7ed558ccdULL;
		b ^= b >> 29;
	}
	*h1 = a;
	*h2 = b;
}

static void path_join(ins_buf *b, const char *dir, const char *name)
{
	ins_buf_set(b, dir);
	if (b->len && b->ptr[b->len - 1] != '/')
		ins_buf_putc(b, '/');
	ins_buf_puts(b, name);
}

/*
 * Open result file `name` of directory `dir`: its path into `path`, and
 * the name messages show it by (under `display`) into `shown`. Both passes
 * over the directory open each file this way.
 */
static int open_result(ins_input **in, ins_buf *path, ins_buf *shown, const char *dir,
		       const char *display, const char *name)
{
	path_join(path, dir, name);
	ins_buf_clear(shown);
	ins_buf_printf(shown, "%s/%s", display, name);
	return ins_input_open(in, path->ptr, shown->ptr);
}

int ins_allure_dir_is(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)))
		found = is_result_name(de->d_name);
	closedir(d);
	return found;
}

int ins_ingest_allure_dir(const char *dir, const char *display, const ins_ingest_sink *sink,
			  char hash[65])
{
	return ins_ingest_allure_dir_leaving_repeats(dir, display, sink, hash, 0);
}

int ins_ingest_allure_dir_leaving_repeats(const char *dir, const char *display,
					  const ins_ingest_sink *sink, char hash[65], int leave)
{
	aparser a;
	entry *v = NULL;
	size_t n = 0, alloc = 0;
	ins_buf path = INS_BUF_INIT, shown = INS_BUF_INIT;
	ins_sha256 all;
	uint8_t digest[INS_SHA256_LEN];
	int64_t first = 0, last = 0;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	memset(&a, 0, sizeof(a));
	a.display = display ? display : dir;
	a.sink = sink;
	a.rep.leave = leave;
	if (!(d = opendir(dir)))
		return ins_error_set(errno == ENOENT ? INS_ENOTFOUND : INS_EIO,
				     "cannot read directory '%s': %s", a.display, strerror(errno));
	while ((de = readdir(d))) {
		if (!is_result_name(de->d_name))
			continue;
		v = ins_xgrow(v, &alloc, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(*v));
		v[n++].name = ins_xstrdup(de->d_name);
	}
	closedir(d);
	if (!n) {
		ret = ins_error_set(INS_EINVALID, "%s: no Allure results (*-result.json) in this "
				    "directory", a.display);
		goto done;
	}
	qsort(v, n, sizeof(*v), cmp_name);

	/* first pass: what groups the files, and the directory's digest */
	ins_sha256_init(&all);
	for (size_t i = 0; i < n; i++) {
		ins_input *in;
		cJSON *doc = NULL;
		char fh[65];
		const char *hid;

		if ((ret = open_result(&in, &path, &shown, dir, a.display, v[i].name)) < 0)
			goto done;
		ret = read_doc(in, &doc);
		if (!ret)
			ret = ins_input_finish(in, fh);
		ins_input_close(in);
		if (!ret && (hid = ins_jsonin_str(doc, "historyId")) && *hid) {
			key_hash(hid, &v[i].g1, &v[i].g2);
		} else if (!ret && !(ret = result_id(&a, doc, shown.ptr))) {
			key_hash(a.id.ptr, &v[i].g1, &v[i].g2);
			v[i].g2 ^= 1; /* never the same as a historyId's */
		}
		if (ret) {
			cJSON_Delete(doc);
			goto done;
		}
		v[i].start = epoch_ms(doc, "start");
		v[i].stop = epoch_ms(doc, "stop");
		if (v[i].start && (!first || v[i].start < first))
			first = v[i].start;
		if (v[i].stop > last)
			last = v[i].stop;
		cJSON_Delete(doc);
		ins_sha256_update(&all, v[i].name, strlen(v[i].name) + 1);
		ins_sha256_update(&all, fh, 64);
	}
	ins_sha256_final(&all, digest);
	ins_sha256_to_hex(hash, digest);

	/* each group starts when its first attempt did */
	qsort(v, n, sizeof(*v), cmp_group);
	for (size_t i = 0, j; i < n; i = j) {
		int64_t g = INT64_MAX;

		for (j = i; j < n && v[j].g1 == v[i].g1 && v[j].g2 == v[i].g2; j++)
			if (v[j].start && v[j].start < g)
				g = v[j].start;
		for (size_t k = i; k < j; k++)
			v[k].group_start = g;
	}
	qsort(v, n, sizeof(*v), cmp_order);

	/* second pass: hand the results on in that order */
	for (size_t i = 0; i < n; i++) {
		ins_input *in;
		cJSON *doc = NULL;
		int flaky = 0;

		if ((ret = open_result(&in, &path, &shown, dir, a.display, v[i].name)) < 0)
			goto done;
		ret = read_doc(in, &doc);
		ins_input_close(in);
		/* an earlier attempt of the same group that failed */
		for (size_t k = i; k > 0 && v[k - 1].g1 == v[i].g1 && v[k - 1].g2 == v[i].g2; k--)
			flaky |= v[k - 1].failed;
		if (!ret && !(ret = on_result(&a, doc, shown.ptr, flaky)))
			v[i].failed = ins_outcome_is_failure(a.last);
		cJSON_Delete(doc);
		if (ret)
			goto done;
	}
	if ((ret = meta(&a, "tool", "allure")))
		goto done;
	if (first && last >= first) {
		ins_buf t = INS_BUF_INIT;

		ins_buf_printf(&t, "%lld", (long long)first);
		ret = meta(&a, "started_ms", t.ptr);
		ins_buf_clear(&t);
		ins_buf_printf(&t, "%lld", (long long)last);
		if (!ret)
			ret = meta(&a, "finished_ms", t.ptr);
		ins_buf_release(&t);
	}
done:
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	ins_buf_release(&path);
	ins_buf_release(&shown);
	aparser_release(&a);
	return ret;
}
