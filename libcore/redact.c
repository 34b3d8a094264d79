/*
 * redact.c - hiding the values of secret-looking environment variables in
 * captured text; see insight/redact.h.
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "insight/redact.h"

struct ins_redactor {
	char **values;   /* longest first, each once */
	size_t *lens;
	size_t n, alloc;
	unsigned char first[256]; /* the bytes a value starts with */
};

/* Whether `hay` contains `needle` (upper case), ignoring case. */
static int contains_upper(const char *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);

	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t k = 0;
		while (k < nlen && toupper((unsigned char)hay[i + k]) == needle[k])
			k++;
		if (k == nlen)
			return 1;
	}
	return 0;
}

/* Whether `name` (`len` bytes) is in the user's list of names and patterns. */
static int in_extra(const char *name, size_t len, const char *extra)
{
	char *n = strndup(name, len);
	const char *p = extra;
	int hit = 0;

	if (!n)
		return 0;
	while (p && *p && !hit) {
		size_t w;
		char *word;

		p += strspn(p, ",: \t\n");
		w = strcspn(p, ",: \t\n");
		if (!w)
			break;
		word = strndup(p, w);
		if (word && (!strcasecmp(word, n) || fnmatch(word, n, FNM_CASEFOLD) == 0))
			hit = 1;
		free(word);
		p += w;
	}
	free(n);
	return hit;
}

static int name_is_secret(const char *name, size_t len, const char *extra)
{
	if (contains_upper(name, len, "TOKEN") || contains_upper(name, len, "SECRET") ||
	    contains_upper(name, len, "PASSWORD"))
		return 1;
	if (len > 4 && !strncasecmp(name + len - 4, "_KEY", 4))
		return 1;
	return extra && in_extra(name, len, extra);
}

int ins_redact_name_is_secret(const char *name, const char *extra)
{
	return name && name_is_secret(name, strlen(name), extra);
}

static void add_value(ins_redactor *r, const char *v)
{
	size_t len = strlen(v), at;

	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->values[i], v))
			return;
	r->values = ins_xgrow(r->values, &r->alloc, r->n + 1, sizeof(*r->values));
	/* Longer values first, so that a value holding another is hidden whole. */
	at = r->n;
	while (at > 0 && strlen(r->values[at - 1]) < len) {
		r->values[at] = r->values[at - 1];
		at--;
	}
	r->values[at] = ins_xstrdup(v);
	r->n++;
}

ins_redactor *ins_redactor_new(char *const *env, const char *extra)
{
	ins_redactor *r = ins_xcalloc(1, sizeof(*r));

	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i] || strlen(eq + 1) < INS_REDACT_MIN)
			continue;
		if (name_is_secret(env[i], (size_t)(eq - env[i]), extra))
			add_value(r, eq + 1);
	}
	if (!r->n) {
		free(r);
		return NULL;
	}
	r->lens = ins_xcalloc(r->n, sizeof(*r->lens));
	for (size_t i = 0; i < r->n; i++) {
		r->lens[i] = strlen(r->values[i]);
		r->first[(unsigned char)r->values[i][0]] = 1;
	}
	return r;
}

void ins_redactor_free(ins_redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->values[i]);
	free(r->values);
	free(r->lens);
	free(r);
}

size_t ins_redactor_count(const ins_redactor *r)
{
	return r ? r->n : 0;
}

size_t ins_redact(const ins_redactor *r, const char *text, size_t len, ins_buf *out)
{
	size_t hits = 0, from = 0, i = 0;

	if (!r) {
		ins_buf_put(out, text, len);
		return 0;
	}
	while (i < len) {
		size_t hit = 0;

		/* Most bytes start no value. */
		if (!r->first[(unsigned char)text[i]]) {
			i++;
			continue;
		}
		for (size_t k = 0; k < r->n; k++) {
			if (r->lens[k] <= len - i && !memcmp(text + i, r->values[k], r->lens[k])) {
				hit = r->lens[k];
				break;
			}
		}
		if (!hit) {
			i++;
			continue;
		}
		ins_buf_put(out, text + from, i - from);
		ins_buf_puts(out, INS_REDACT_MASK);
		i += hit;
		from = i;
		hits++;
	}
	ins_buf_put(out, text + from, len - from);
	return hits;
}

const char *ins_redact_str(const ins_redactor *r, const char *text, ins_buf *tmp)
{
	if (!text || !r)
		return text;
	ins_buf_clear(tmp);
	if (!ins_redact(r, text, strlen(text), tmp))
		return text;
	return tmp->ptr;
}
