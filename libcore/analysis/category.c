/*
 * category.c - failure categories from the configuration (see category.h).
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/category.h"
#include "insight/errors.h"

struct rule {
	char *name;
	regex_t message, type;
	int has_message, has_type;
	unsigned outcomes;      /* bits of ins_outcome; 0: any */
};

struct ins_categories {
	struct rule *v;
	size_t n, alloc;
	char *fallback;
};

#define DEFAULT_CATEGORY "product"

void ins_categories_free(ins_categories *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		if (c->v[i].has_message)
			regfree(&c->v[i].message);
		if (c->v[i].has_type)
			regfree(&c->v[i].type);
	}
	free(c->v);
	free(c->fallback);
	free(c);
}

/* The rule named `name[0..len)`, added at the end when it is new. */
static struct rule *rule_for(ins_categories *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i].name) == len && !memcmp(c->v[i].name, name, len))
			return &c->v[i];
	c->v = ins_xgrow(c->v, &c->alloc, c->n + 1, sizeof(*c->v));
	memset(&c->v[c->n], 0, sizeof(*c->v));
	c->v[c->n].name = ins_xstrndup(name, len);
	return &c->v[c->n++];
}

static int set_regex(regex_t *rx, int *has, const ins_config_entry *e)
{
	int err;

	if (*has)
		regfree(rx);
	*has = 0;
	if ((err = regcomp(rx, e->value, REG_EXTENDED | REG_NOSUB)) != 0) {
		char why[200];

		regerror(err, rx, why, sizeof(why));
		return ins_error_set(INS_EUSAGE, "%s in %s: '%s' is not a regular expression (%s)",
				     e->name, e->origin, e->value, why);
	}
	*has = 1;
	return 0;
}

static int set_outcomes(unsigned *mask, const ins_config_entry *e)
{
	const char *p = e->value;

	*mask = 0;
	while (*p) {
		size_t n;

		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (!n)
			break;
		if (n == 6 && !strncmp(p, "failed", 6))
			*mask |= 1u << INS_OUTCOME_FAILED;
		else if (n == 5 && !strncmp(p, "error", 5))
			*mask |= 1u << INS_OUTCOME_ERROR;
		else
			return ins_error_set(INS_EUSAGE, "%s in %s: '%.*s' is not an outcome of a "
					     "failure (failed, error)", e->name, e->origin, (int)n, p);
		p += n;
	}
	return 0;
}

static int add_entry(const ins_config_entry *e, void *data)
{
	ins_categories *c = data;
	const char *sub, *key;
	struct rule *r;

	if (strncmp(e->name, "category.", 9))
		return 0;
	sub = e->name + 9;
	key = strrchr(sub, '.');
	if (!key || key == sub)
		return 0;
	r = rule_for(c, sub, (size_t)(key - sub));
	key++;
	if (!strcmp(key, "match-message"))
		return set_regex(&r->message, &r->has_message, e);
	if (!strcmp(key, "match-type"))
		return set_regex(&r->type, &r->has_type, e);
	if (!strcmp(key, "outcomes"))
		return set_outcomes(&r->outcomes, e);
	return 0;
}

int ins_categories_load(ins_categories **out, const ins_config *cfg)
{
	ins_categories *c = ins_xcalloc(1, sizeof(*c));
	const char *fallback = NULL;
	int rc = 0;

	*out = NULL;
	if (cfg) {
		rc = ins_config_foreach(cfg, INS_CONFIG_DEFAULT, add_entry, c);
		if (rc == 0 && ins_config_get_string(cfg, "analytics.default-category", &fallback) < 0)
			fallback = NULL;
	}
	if (rc < 0) {
		ins_categories_free(c);
		return rc;
	}
	c->fallback = ins_xstrdup(fallback && *fallback ? fallback : DEFAULT_CATEGORY);
	*out = c;
	return 0;
}

size_t ins_categories_type(const char *message)
{
	size_t n = 0;

	if (!message)
		return 0;
	/* a dotted name of identifier characters, then ": " or the end of the line */
	while (isalnum((unsigned char)message[n]) || message[n] == '_' || message[n] == '.' ||
	       message[n] == '$')
		n++;
	if (!n || message[0] == '.' || isdigit((unsigned char)message[0]))
		return 0;
	if (message[n] == ':' || message[n] == '\0' || message[n] == '\n')
		return n;
	return 0;
}

size_t ins_categories_count(const ins_categories *c)
{
	return c ? c->n + 1 : 1;
}

const char *ins_categories_name(const ins_categories *c, size_t i)
{
	if (!c)
		return DEFAULT_CATEGORY;
	return i < c->n ? c->v[i].name : c->fallback;
}

size_t ins_categories_find(const ins_categories *c, const char *message, ins_outcome outcome)
{
	char *type = NULL;
	size_t i;

	if (!c)
		return 0;
	for (i = 0; i < c->n; i++) {
		const struct rule *r = &c->v[i];

		if (!r->has_message && !r->has_type && !r->outcomes)
			continue;
		if (r->outcomes && !(r->outcomes & (1u << outcome)))
			continue;
		if (r->has_message && regexec(&r->message, message ? message : "", 0, NULL, 0))
			continue;
		if (r->has_type) {
			if (!type)
				type = ins_xstrndup(message ? message : "", ins_categories_type(message));
			if (regexec(&r->type, type, 0, NULL, 0))
				continue;
		}
		break;
	}
	free(type);
	return i;
}

const char *ins_categories_match(const ins_categories *c, const char *message, ins_outcome outcome)
{
	return ins_categories_name(c, ins_categories_find(c, message, outcome));
}
