/*
 * notify.c - notification routes: reading them from the configuration,
 * the session they are evaluated against, and the dedup state kept in the
 * history (see insight/notify.h).
 */
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis_internal.h"
#include "insight/hash.h"
#include "insight/notify.h"
#include "store/store_internal.h"

static const char *const event_names[INS_NOTIFY_EVENT_COUNT] = {
	"new-failures", "regressions", "flaky-new", "fixed", "any-failure", "always",
};

static const char *const type_names[] = {
	"slack", "teams", "webhook", "email", "jira", "pushgateway",
};

/* The types insight sends to, as a bit each. */
#define TYPES_SUPPORTED ((1u << INS_NOTIFY_SLACK) | (1u << INS_NOTIFY_TEAMS) | \
			 (1u << INS_NOTIFY_WEBHOOK) | (1u << INS_NOTIFY_EMAIL) | \
			 (1u << INS_NOTIFY_PUSHGATEWAY) | (1u << INS_NOTIFY_JIRA))
#define TYPES_SUPPORTED_TEXT "slack, teams, webhook, email, pushgateway, jira"

const char *ins_notify_event_name(int bit)
{
	return bit >= 0 && bit < INS_NOTIFY_EVENT_COUNT ? event_names[bit] : "?";
}

const char *ins_notify_type_name(ins_notify_type t)
{
	return (size_t)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

void ins_notify_events_text(ins_buf *out, unsigned mask, const char *sep)
{
	int first = 1;

	for (int i = 0; i < INS_NOTIFY_EVENT_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!first)
			ins_buf_puts(out, sep);
		ins_buf_puts(out, event_names[i]);
		first = 0;
	}
}

/* ---- routes ---- */

/* The keys of a route, and the types each belongs to (0: every type). */
#define T(x) (1u << INS_NOTIFY_##x)
static const struct { const char *name; unsigned types; } route_keys[] = {
	{ "type", 0 }, { "on", 0 }, { "sut", 0 }, { "branch", 0 }, { "ci-only", 0 },
	{ "min-interval", 0 },
	{ "url", T(SLACK) | T(TEAMS) | T(WEBHOOK) | T(JIRA) | T(PUSHGATEWAY) },
	{ "url-env", T(SLACK) | T(TEAMS) | T(WEBHOOK) | T(PUSHGATEWAY) },
	{ "token", T(SLACK) | T(JIRA) }, { "token-env", T(SLACK) | T(JIRA) },
	{ "channel", T(SLACK) },
	{ "secret", T(WEBHOOK) }, { "secret-env", T(WEBHOOK) },
	{ "smtp-url", T(EMAIL) }, { "from", T(EMAIL) }, { "to", T(EMAIL) },
	{ "user", T(EMAIL) | T(JIRA) }, { "password", T(EMAIL) }, { "password-env", T(EMAIL) },
	{ "starttls", T(EMAIL) },
	{ "project", T(JIRA) }, { "issue-type", T(JIRA) }, { "api", T(JIRA) },
	{ "on-fix", T(JIRA) }, { "fix-transition", T(JIRA) },
	{ "job", T(PUSHGATEWAY) },
};
#undef T

/* A route's keys as read, before they are checked. */
struct raw_route {
	char *name;
	struct { char *key, *value, *origin; } *kv;
	size_t n, alloc;
};

struct loader {
	struct raw_route *v;
	size_t n, alloc;
};

static struct raw_route *raw_for(struct loader *l, const char *name, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) == len && !memcmp(l->v[i].name, name, len))
			return &l->v[i];
	l->v = ins_xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(*l->v));
	l->v[l->n].name = ins_xstrndup(name, len);
	return &l->v[l->n++];
}

static int collect(const ins_config_entry *e, void *data)
{
	struct loader *l = data;
	struct raw_route *r;
	const char *sub, *key;

	if (strncmp(e->name, "notify.", 7))
		return 0;
	sub = e->name + 7;
	key = strrchr(sub, '.');
	if (!key || key == sub)
		return 0; /* notify.KEY: not a route */
	r = raw_for(l, sub, (size_t)(key - sub));
	r->kv = ins_xgrow(r->kv, &r->alloc, r->n + 1, sizeof(*r->kv));
	r->kv[r->n].key = ins_xstrdup(key + 1);
	r->kv[r->n].value = ins_xstrdup(e->value);
	r->kv[r->n].origin = ins_xstrdup(e->origin);
	r->n++;
	return 0;
}

/* The last value of `key` in `r`, or NULL; *origin (may be NULL) where it was set. */
static const char *raw_get(const struct raw_route *r, const char *key, const char **origin)
{
	for (size_t i = r->n; i-- > 0;)
		if (!strcmp(r->kv[i].key, key)) {
			if (origin)
				*origin = r->kv[i].origin;
			return r->kv[i].value;
		}
	return NULL;
}

static int parse_events(unsigned *out, const char *route, const char *list, const char *origin)
{
	const char *p = list;

	*out = 0;
	for (;;) {
		size_t n;
		int found = -1;

		p += strspn(p, " ,\t");
		if (!*p)
			break;
		n = strcspn(p, " ,\t");
		for (int i = 0; i < INS_NOTIFY_EVENT_COUNT; i++)
			if (strlen(event_names[i]) == n && !strncmp(event_names[i], p, n))
				found = i;
		if (found < 0)
			return ins_error_set(INS_EUSAGE, "notify.%s.on in %s: '%.*s' is not an event "
					     "(new-failures, regressions, flaky-new, fixed, any-failure, "
					     "always)", route, origin, (int)n, p);
		*out |= 1u << found;
		p += n;
	}
	if (!*out)
		return ins_error_set(INS_EUSAGE, "notify.%s.on in %s: no event given", route, origin);
	return 0;
}

static int check_route(ins_notify_route *out, const struct raw_route *r)
{
	const char *type = raw_get(r, "type", NULL), *v, *origin = NULL;
	int t = -1;

	memset(out, 0, sizeof(*out));
	out->name = ins_xstrdup(r->name);
	if (!type)
		return ins_error_set(INS_EUSAGE, "notify.%s.type is not set (one of %s)", r->name,
				     TYPES_SUPPORTED_TEXT);
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(type, type_names[i]) && (TYPES_SUPPORTED & (1u << i)))
			t = (int)i;
	if (t < 0) {
		raw_get(r, "type", &origin);
		return ins_error_set(INS_EUSAGE, "notify.%s.type in %s: '%s' is not a route type "
				     "(%s)", r->name, origin, type, TYPES_SUPPORTED_TEXT);
	}
	out->type = (ins_notify_type)t;
	for (size_t i = 0; i < r->n; i++) {
		size_t k;

		for (k = 0; k < sizeof(route_keys) / sizeof(route_keys[0]); k++)
			if (!strcmp(route_keys[k].name, r->kv[i].key))
				break;
		if (k == sizeof(route_keys) / sizeof(route_keys[0]))
			return ins_error_set(INS_EUSAGE, "notify.%s.%s in %s: not a key of a notify "
					     "route", r->name, r->kv[i].key, r->kv[i].origin);
		if (route_keys[k].types && !(route_keys[k].types & (1u << t)))
			return ins_error_set(INS_EUSAGE, "notify.%s.%s in %s: not a key of a %s route",
					     r->name, r->kv[i].key, r->kv[i].origin, type);
	}
	if ((v = raw_get(r, "on", &origin))) {
		if (parse_events(&out->on, r->name, v, origin) < 0)
			return INS_EUSAGE;
	} else {
		out->on = out->type == INS_NOTIFY_PUSHGATEWAY ? INS_NOTIFY_ALWAYS :
			  out->type == INS_NOTIFY_JIRA ? INS_NOTIFY_NEW_FAILURES :
			  INS_NOTIFY_NEW_FAILURES | INS_NOTIFY_FIXED;
	}
	if ((v = raw_get(r, "sut", NULL)) && *v)
		out->sut = ins_xstrdup(v);
	if ((v = raw_get(r, "branch", NULL)) && *v)
		out->branch = ins_xstrdup(v);
	if ((v = raw_get(r, "ci-only", &origin)) && ins_config_parse_bool(v, &out->ci_only) < 0)
		return ins_error_set(INS_EUSAGE, "notify.%s.ci-only in %s: '%s' is not a boolean",
				     r->name, origin, v);
	if ((v = raw_get(r, "min-interval", &origin)) &&
	    (ins_config_parse_duration(v, &out->min_interval_ms) < 0 || out->min_interval_ms < 0))
		return ins_error_set(INS_EUSAGE, "notify.%s.min-interval in %s: '%s' is not a "
				     "duration (e.g. 10m)", r->name, origin, v);
	switch (out->type) {
	case INS_NOTIFY_SLACK:
		if (raw_get(r, "token", NULL) || raw_get(r, "token-env", NULL)) {
			/* a bot token: chat.postMessage to a channel (url: the API's base) */
			if (!raw_get(r, "channel", NULL))
				return ins_error_set(INS_EUSAGE, "notify.%s: a slack route with a bot "
						     "token needs channel", r->name);
			if (raw_get(r, "url-env", NULL))
				return ins_error_set(INS_EUSAGE, "notify.%s: give either url-env (an "
						     "incoming webhook) or token-env and channel (a bot)",
						     r->name);
			break;
		}
		if (!raw_get(r, "url", NULL) && !raw_get(r, "url-env", NULL))
			return ins_error_set(INS_EUSAGE, "notify.%s: a slack route needs url-env (the "
					     "variable holding the incoming webhook's URL) or url, or "
					     "token-env and channel", r->name);
		if (raw_get(r, "channel", NULL))
			return ins_error_set(INS_EUSAGE, "notify.%s: channel goes with a bot token "
					     "(token-env); an incoming webhook posts to its own channel",
					     r->name);
		break;
	case INS_NOTIFY_WEBHOOK:
	case INS_NOTIFY_TEAMS:
	case INS_NOTIFY_PUSHGATEWAY:
		if (!raw_get(r, "url", NULL) && !raw_get(r, "url-env", NULL))
			return ins_error_set(INS_EUSAGE, "notify.%s: a %s route needs url or url-env",
					     r->name, type);
		if ((v = raw_get(r, "job", &origin)) && !*v)
			return ins_error_set(INS_EUSAGE, "notify.%s.job in %s: empty", r->name, origin);
		break;
	case INS_NOTIFY_JIRA:
		if (!raw_get(r, "url", NULL) || !raw_get(r, "project", NULL) ||
		    (!raw_get(r, "token", NULL) && !raw_get(r, "token-env", NULL)))
			return ins_error_set(INS_EUSAGE, "notify.%s: a jira route needs url, project and "
					     "token-env (or token)", r->name);
		if ((v = raw_get(r, "api", &origin)) && strcmp(v, "2") && strcmp(v, "3"))
			return ins_error_set(INS_EUSAGE, "notify.%s.api in %s: '%s' is not 2 or 3",
					     r->name, origin, v);
		if (out->on & ~(unsigned)(INS_NOTIFY_NEW_FAILURES | INS_NOTIFY_FIXED))
			return ins_error_set(INS_EUSAGE, "notify.%s.on: a jira route files new failures "
					     "and tells their issues about fixes (on = new-failures, "
					     "fixed)", r->name);
		if ((v = raw_get(r, "on-fix", &origin)) && strcmp(v, "comment") &&
		    strcmp(v, "transition") && strcmp(v, "none"))
			return ins_error_set(INS_EUSAGE, "notify.%s.on-fix in %s: '%s' is not comment, "
					     "transition or none", r->name, origin, v);
		if (v && !strcmp(v, "transition") && !raw_get(r, "fix-transition", NULL))
			return ins_error_set(INS_EUSAGE, "notify.%s: on-fix = transition needs "
					     "fix-transition (the name of the transition, e.g. Done)",
					     r->name);
		if ((v = raw_get(r, "fix-transition", &origin)) && !*v)
			return ins_error_set(INS_EUSAGE, "notify.%s.fix-transition in %s: empty",
					     r->name, origin);
		if ((v = raw_get(r, "on-fix", NULL)) && !strcmp(v, "none") &&
		    (out->on & INS_NOTIFY_FIXED))
			return ins_error_set(INS_EUSAGE, "notify.%s: on = fixed with on-fix = none "
					     "does nothing; drop one of them", r->name);
		break;
	case INS_NOTIFY_EMAIL:
		if (!raw_get(r, "smtp-url", NULL) || !raw_get(r, "from", NULL) ||
		    !raw_get(r, "to", NULL))
			return ins_error_set(INS_EUSAGE, "notify.%s: an email route needs smtp-url, from "
					     "and to", r->name);
		if ((v = raw_get(r, "smtp-url", &origin)) && strncmp(v, "smtp://", 7) &&
		    strncmp(v, "smtps://", 8))
			return ins_error_set(INS_EUSAGE, "notify.%s.smtp-url in %s: '%s' is not an "
					     "smtp:// or smtps:// URL", r->name, origin, v);
		if ((v = raw_get(r, "starttls", &origin)) && strcmp(v, "required") && strcmp(v, "off"))
			return ins_error_set(INS_EUSAGE, "notify.%s.starttls in %s: '%s' is not required "
					     "or off", r->name, origin, v);
		for (size_t i = 0; i < r->n; i++)
			if ((!strcmp(r->kv[i].key, "from") || !strcmp(r->kv[i].key, "to")) &&
			    strpbrk(r->kv[i].value, "\r\n"))
				return ins_error_set(INS_EUSAGE, "notify.%s.%s in %s: a line break in an "
						     "address", r->name, r->kv[i].key, r->kv[i].origin);
		break;
	default:
		break;
	}
	return 0;
}

static void route_release(ins_notify_route *r)
{
	free(r->name);
	free(r->sut);
	free(r->branch);
}

void ins_notify_routes_free(ins_notify_routes *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		route_release(&r->v[i]);
	free(r->v);
	free(r);
}

int ins_notify_routes_load(ins_notify_routes **out, const ins_config *cfg)
{
	struct loader l = { 0 };
	ins_notify_routes *routes = ins_xcalloc(1, sizeof(*routes));
	int rc = 0;

	*out = NULL;
	if (cfg && (rc = ins_config_foreach(cfg, INS_CONFIG_DEFAULT, collect, &l)) < 0)
		goto done;
	routes->v = ins_xcalloc(l.n ? l.n : 1, sizeof(*routes->v));
	for (size_t i = 0; i < l.n; i++) {
		rc = check_route(&routes->v[i], &l.v[i]);
		routes->n = i + 1;
		if (rc < 0)
			goto done;
	}
done:
	for (size_t i = 0; i < l.n; i++) {
		for (size_t k = 0; k < l.v[i].n; k++) {
			free(l.v[i].kv[k].key);
			free(l.v[i].kv[k].value);
			free(l.v[i].kv[k].origin);
		}
		free(l.v[i].kv);
		free(l.v[i].name);
	}
	free(l.v);
	if (rc < 0) {
		ins_notify_routes_free(routes);
		return rc;
	}
	*out = routes;
	return 0;
}

/* ---- the session ---- */

static void items_add(ins_notify_items *it, const char *nodeid, const char *message,
		      const char *key, const char *fingerprint)
{
	ins_notify_item *x;

	it->v = ins_xgrow(it->v, &it->alloc, it->n + 1, sizeof(*it->v));
	x = &it->v[it->n++];
	x->nodeid = ins_xstrdup(nodeid);
	x->message = ins_xstrdup(message);
	snprintf(x->key, sizeof(x->key), "%s", key ? key : "");
	snprintf(x->fingerprint, sizeof(x->fingerprint), "%s", fingerprint ? fingerprint : x->key);
	x->jira = NULL;
	x->njira = 0;
}

/* Append a copy of `x`, its Jira issues with it. */
static void items_copy(ins_notify_items *it, const ins_notify_item *x)
{
	ins_notify_item *y;

	items_add(it, x->nodeid, x->message, x->key, x->fingerprint);
	y = &it->v[it->n - 1];
	if (!x->njira)
		return;
	y->jira = ins_xcalloc(x->njira, sizeof(*y->jira));
	for (size_t i = 0; i < x->njira; i++) {
		y->jira[i].key = ins_xstrdup(x->jira[i].key);
		y->jira[i].url = x->jira[i].url ? ins_xstrdup(x->jira[i].url) : NULL;
	}
	y->njira = x->njira;
}

static void jira_release(ins_notify_item *x)
{
	for (size_t i = 0; i < x->njira; i++) {
		free(x->jira[i].key);
		free(x->jira[i].url);
	}
	free(x->jira);
	x->jira = NULL;
	x->njira = 0;
}

static void items_release(ins_notify_items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].nodeid);
		free(it->v[i].message);
		jira_release(&it->v[i]);
	}
	free(it->v);
	memset(it, 0, sizeof(*it));
}

void ins_notify_session_free(ins_notify_session *s)
{
	if (!s)
		return;
	free(s->sut);
	free(s->branch);
	free(s->commit);
	free(s->subject);
	free(s->ci_provider);
	free(s->build_url);
	free(s->pr);
	free(s->repo);
	free(s->report_url);
	ins_doc_free(s->cmp);
	items_release(&s->new_failures);
	items_release(&s->fixed);
	items_release(&s->flaky);
	ins_buf_release(&s->counts);
	free(s);
}

static char *col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t && *t ? ins_xstrdup((const char *)t) : NULL;
}

static int64_t cell_int(const ins_table *t, size_t r, const char *col)
{
	int c = ins_table_col_index(t, col);
	return c < 0 ? 0 : ins_table_cell(t, r, (size_t)c)->i;
}

/* The first line of `msg`, at most 200 bytes (not cutting a UTF-8 sequence). */
static char *first_line(const char *msg)
{
	size_t n;

	if (!msg || !*msg)
		return NULL;
	n = strcspn(msg, "\r\n");
	if (n > 200) {
		n = 200;
		while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
	}
	return ins_xstrndup(msg, n);
}

/* The key of a test as such: a hash of its node id. */
static void test_key(const char *nodeid, char out[65])
{
	ins_buf b = INS_BUF_INIT;

	ins_buf_printf(&b, "test\n%s", nodeid);
	ins_sha256_hex(out, b.ptr, b.len);
	ins_buf_release(&b);
}

/*
 * The key of a failure: the hash of its fingerprint in session `uid` (the
 * final failing attempt's, else the last failing one's), or a hash of the
 * node id for a failure without one.
 */
static int failure_key(sqlite3_stmt *st, const char *uid, const char *nodeid, char out[65])
{
	int rc;

	sqlite3_reset(st);
	ins_store__bind_text(st, 1, uid);
	ins_store__bind_text(st, 2, nodeid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
		return 0;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return INS_ESTORE;
	test_key(nodeid, out);
	return 0;
}

static int fill_items(ins_notify_session *s, ins_store *store, const char *table,
		      ins_notify_items *it, const char *key_uid, int flaky_only)
{
	const ins_table *t = ins_doc_find_table(s->cmp, table);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!t || !t->nrows)
		return 0;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT f.hash FROM session s JOIN test t ON t.nodeid = ?2 "
		"JOIN result r ON r.session_id = s.id AND r.test_id = t.id "
		"JOIN fingerprint f ON f.id = r.fingerprint_id "
		"WHERE s.uid = ?1 AND r.outcome IN (1, 2) "
		"ORDER BY r.final DESC, r.attempt DESC LIMIT 1")) < 0)
		return rc;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *nodeid = ins_table_cell_text(t, i, "nodeid");
		const char *target = ins_table_cell_text(t, i, "target");
		char key[65], fp[65], *msg;

		if (!nodeid)
			continue;
		if (flaky_only && !(cell_int(t, i, "target_in_run") > 0 ||
				    (target && !strcmp(target, "flaky"))))
			continue;
		if (failure_key(st, key_uid, nodeid, fp) < 0) {
			rc = ins_store__error(store, "reading fingerprints");
			break;
		}
		/* a flaky test is announced once, whatever its failing attempt's fingerprint */
		if (flaky_only)
			test_key(nodeid, key);
		msg = first_line(ins_table_cell_text(t, i, "message"));
		items_add(it, nodeid, msg, flaky_only ? key : fp, fp);
		free(msg);
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The Jira issues of each test of `it`: those jira routes filed or found
 * for its fingerprint (the hash a failure's key is, as they record it),
 * distinct keys newest first, each with its own page. `st` is NULL when no
 * route ever recorded an issue.
 */
static int fill_jira(ins_store *store, sqlite3_stmt *st, ins_notify_items *it)
{
	int rc = SQLITE_DONE;

	for (size_t i = 0; st && i < it->n; i++) {
		ins_notify_item *x = &it->v[i];
		size_t alloc = 0;

		sqlite3_reset(st);
		ins_store__bind_text(st, 1, x->fingerprint);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *k = ins_store__col_text(st, 0);
			size_t j;

			for (j = 0; j < x->njira && strcmp(x->jira[j].key, k); j++)
				;
			if (j < x->njira || !*k)
				continue;
			x->jira = ins_xgrow(x->jira, &alloc, x->njira + 1, sizeof(*x->jira));
			x->jira[x->njira].key = ins_xstrdup(k);
			x->jira[x->njira].url = col_dup(st, 1);
			x->njira++;
		}
		if (rc != SQLITE_DONE)
			return ins_store__error(store, "reading Jira issues");
	}
	return 0;
}

static int session_jira(ins_notify_session *s, ins_store *store)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = ins__jira_prepare(store, "SELECT issue_key, url FROM notify_issue "
				    "WHERE fingerprint = ?1 ORDER BY updated_ms DESC, issue_key",
				    &st)) < 0)
		return rc;
	if ((rc = fill_jira(store, st, &s->new_failures)) == 0 &&
	    (rc = fill_jira(store, st, &s->fixed)) == 0)
		rc = fill_jira(store, st, &s->flaky);
	sqlite3_finalize(st);
	return rc;
}

int ins_notify_session_load(ins_notify_session **out, ins_store *store, const char *ref,
			    const char *sut, const ins_compare_opts *opts)
{
	ins_notify_session *s = ins_xcalloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	ins_compare_opts o = *opts;
	ins_buf verdict = INS_BUF_INIT;
	int64_t rowid = 0, sut_id = 0;
	int rc;

	*out = NULL;
	if ((rc = ins_store_session_resolve(store, ref, sut, s->uid, &rowid)) < 0)
		goto done;
	if ((rc = ins_store__prepare(store, &st,
		"SELECT u.name, s.sut_id, s.started_ms, coalesce(s.ci_commit, s.git_commit), "
		"s.git_subject, coalesce(nullif(s.ci_branch, ''), s.git_branch), s.ci_provider, "
		"s.ci_build_url, s.ci_pr, s.ci_repo FROM session s JOIN sut u ON u.id = s.sut_id "
		"WHERE s.id = ?")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = ins_store__error(store, "reading the session");
		goto done;
	}
	s->sut = col_dup(st, 0);
	sut_id = sqlite3_column_int64(st, 1);
	s->started_ms = sqlite3_column_int64(st, 2);
	s->commit = col_dup(st, 3);
	s->subject = col_dup(st, 4);
	s->branch = col_dup(st, 5);
	s->ci_provider = col_dup(st, 6);
	s->build_url = col_dup(st, 7);
	s->pr = col_dup(st, 8);
	s->repo = col_dup(st, 9);
	sqlite3_finalize(st);
	st = NULL;

	/* the SUT's previous session on the same branch (any branch without one) */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT uid FROM session WHERE sut_id = ?1 AND id <> ?2 "
		"AND (started_ms < ?3 OR (started_ms = ?3 AND id < ?2)) "
		"AND (?4 IS NULL OR coalesce(nullif(ci_branch, ''), git_branch) = ?4) "
		"ORDER BY started_ms DESC, id DESC LIMIT 1")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, sut_id);
	sqlite3_bind_int64(st, 2, rowid);
	sqlite3_bind_int64(st, 3, s->started_ms);
	ins_store__bind_text(st, 4, s->branch);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(s->base_uid, sizeof(s->base_uid), "%s", ins_store__col_text(st, 0));
	} else if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "finding the previous session");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;

	o.sel.sut = s->sut;
	o.base_mode = INS_SEL_SESSION;
	o.target_mode = INS_SEL_SESSION;
	o.limit = 0;
	if ((rc = ins_compare_refs(&s->cmp, &s->res, store, s->base_uid[0] ? s->base_uid : s->uid,
				   s->uid, &o)) < 0)
		goto done;
	ins_compare_headline(&verdict, &s->counts, &s->res, 0);
	if (s->base_uid[0]) {
		if ((rc = fill_items(s, store, "new_failures", &s->new_failures, s->uid, 0)) < 0 ||
		    (rc = fill_items(s, store, "fixed", &s->fixed, s->base_uid, 0)) < 0)
			goto done;
	} else if ((rc = fill_items(s, store, "still_failing", &s->new_failures, s->uid, 0)) < 0) {
		goto done;
	}
	if ((rc = fill_items(s, store, "flaky", &s->flaky, s->uid, 1)) < 0)
		goto done;
	rc = session_jira(s, store);
done:
	sqlite3_finalize(st);
	ins_buf_release(&verdict);
	if (rc < 0) {
		ins_notify_session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ---- evaluation ---- */

void ins_notify_plan_release(ins_notify_plan *p)
{
	items_release(&p->new_failures);
	items_release(&p->fixed);
	items_release(&p->flaky);
	ins_buf_release(&p->explain);
	memset(p, 0, sizeof(*p));
}

static int glob_match(const char *pattern, const char *s)
{
	return !pattern || (s && fnmatch(pattern, s, 0) == 0);
}

/* The state of `key` on the route and branch, into `state` ("" when none). */
static int seen_state(sqlite3_stmt *st, const char *route, const char *branch, const char *kind,
		      const char *key, char state[16])
{
	int rc;

	sqlite3_reset(st);
	ins_store__bind_text(st, 1, route);
	ins_store__bind_text(st, 2, branch);
	ins_store__bind_text(st, 3, kind);
	ins_store__bind_text(st, 4, key);
	state[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(state, 16, "%s", ins_store__col_text(st, 0));
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : INS_ESTORE;
}

/* Names of the first items of `it` for an explanation: " (a, b, c and 2 more)". */
static void explain_names(ins_buf *b, const ins_notify_items *it)
{
	size_t shown = it->n < 3 ? it->n : 3;

	if (!it->n)
		return;
	ins_buf_puts(b, " (");
	for (size_t i = 0; i < shown; i++)
		ins_buf_printf(b, "%s%s", i ? ", " : "", it->v[i].nodeid);
	if (it->n > shown)
		ins_buf_printf(b, " and %zu more", it->n - shown);
	ins_buf_puts(b, ")");
}

/*
 * One deduplicated event: the items of `all` not announced before (every
 * one with `force`) into `keep`. `dup_state` is the state that means
 * "announced".
 */
static int dedup(sqlite3_stmt *st, const ins_notify_route *route,
		 const char *branch, const char *kind, const char *dup_state,
		 const ins_notify_items *all, ins_notify_items *keep, size_t *dups, int force)
{
	char state[16];
	int rc;

	*dups = 0;
	for (size_t i = 0; i < all->n; i++) {
		if ((rc = seen_state(st, route->name, branch, kind, all->v[i].key, state)) < 0)
			return rc;
		if (!strcmp(state, dup_state) && !force) {
			(*dups)++;
			continue;
		}
		items_copy(keep, &all->v[i]);
	}
	return 0;
}

static void explain_dedup(ins_buf *b, const char *event, const char *what,
			  const ins_notify_items *keep, size_t dups, int force)
{
	ins_buf_printf(b, "  %s: ", event);
	if (!keep->n && !dups)
		ins_buf_printf(b, "none\n");
	else {
		ins_buf_printf(b, "%zu to announce", keep->n);
		explain_names(b, keep);
		if (dups)
			ins_buf_printf(b, "; %zu %s before on this route and branch", dups, what);
		if (force && keep->n)
			ins_buf_puts(b, " (--force)");
		ins_buf_putc(b, '\n');
	}
}

static void human_ms(ins_buf *b, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s >= 3600 && s % 3600 == 0)
		ins_buf_printf(b, "%lldh", (long long)(s / 3600));
	else if (s >= 60 && s % 60 == 0)
		ins_buf_printf(b, "%lldm", (long long)(s / 60));
	else if (s >= 60)
		ins_buf_printf(b, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
	else
		ins_buf_printf(b, "%llds", (long long)s);
}

int ins_notify_evaluate(ins_notify_plan *p, ins_store *store, const ins_notify_route *route,
			const ins_notify_session *s, int force, int in_ci, int64_t now_ms)
{
	const char *branch = s->branch ? s->branch : "";
	sqlite3_stmt *st = NULL;
	unsigned other = 0;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	ins_buf_init(&p->explain);
	if (!glob_match(route->sut, s->sut)) {
		ins_buf_printf(&p->explain, "  SUT '%s' does not match '%s'\n", s->sut, route->sut);
		return 0;
	}
	if (!glob_match(route->branch, s->branch)) {
		if (s->branch)
			ins_buf_printf(&p->explain, "  branch '%s' does not match '%s'\n", s->branch,
				       route->branch);
		else
			ins_buf_printf(&p->explain, "  the session has no branch; the route wants "
				       "'%s'\n", route->branch);
		return 0;
	}
	if (route->ci_only && !s->ci_provider && !in_ci) {
		ins_buf_puts(&p->explain, "  ci-only: the session was not recorded in CI\n");
		return 0;
	}
	if ((rc = ins_store__prepare(store, &st, "SELECT state FROM notify_seen WHERE route = ?1 "
				     "AND branch = ?2 AND kind = ?3 AND key = ?4")) < 0)
		return rc;
	if (route->on & INS_NOTIFY_NEW_FAILURES) {
		if ((rc = dedup(st, route, branch, "failure", "failing", &s->new_failures,
				&p->new_failures, &p->dup_new, force)) < 0)
			goto fail;
		explain_dedup(&p->explain, "new-failures", "announced", &p->new_failures, p->dup_new,
			      force);
		if (p->new_failures.n)
			p->events |= INS_NOTIFY_NEW_FAILURES;
	}
	if (route->on & INS_NOTIFY_FIXED) {
		if ((rc = dedup(st, route, branch, "failure", "fixed", &s->fixed, &p->fixed,
				&p->dup_fixed, force)) < 0)
			goto fail;
		explain_dedup(&p->explain, "fixed", "announced", &p->fixed, p->dup_fixed, force);
		if (p->fixed.n)
			p->events |= INS_NOTIFY_FIXED;
	}
	if (route->on & INS_NOTIFY_FLAKY_NEW) {
		if ((rc = dedup(st, route, branch, "flaky", "flaky", &s->flaky, &p->flaky,
				&p->dup_flaky, force)) < 0)
			goto fail;
		explain_dedup(&p->explain, "flaky-new", "announced as flaky", &p->flaky,
			      p->dup_flaky, force);
		if (p->flaky.n)
			p->events |= INS_NOTIFY_FLAKY_NEW;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (route->on & INS_NOTIFY_REGRESSIONS) {
		ins_buf_printf(&p->explain, "  regressions: %zu %s\n", s->res.slower,
			       s->res.slower == 1 ? "test slower" : "tests slower");
		if (s->res.slower)
			other |= INS_NOTIFY_REGRESSIONS;
	}
	if (route->on & INS_NOTIFY_ANY_FAILURE) {
		ins_buf_printf(&p->explain, "  any-failure: %zu failing\n", s->res.target_failing);
		if (s->res.target_failing)
			other |= INS_NOTIFY_ANY_FAILURE;
	}
	if (route->on & INS_NOTIFY_ALWAYS) {
		ins_buf_puts(&p->explain, "  always\n");
		other |= INS_NOTIFY_ALWAYS;
	}
	if (other) {
		int64_t sent = 0, last = -1;
		ins_buf names = INS_BUF_INIT;

		ins_notify_events_text(&names, other, ", ");
		if ((rc = ins_store__prepare(store, &st, "SELECT count(*) FROM notify_sent "
					     "WHERE route = ?1 AND session_uid = ?2")) < 0)
			goto fail;
		ins_store__bind_text(st, 1, route->name);
		ins_store__bind_text(st, 2, s->uid);
		if (sqlite3_step(st) == SQLITE_ROW)
			sent = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if ((rc = ins_store__prepare(store, &st, "SELECT max(sent_ms) FROM notify_sent "
					     "WHERE route = ?1 AND branch = ?2")) < 0)
			goto fail;
		ins_store__bind_text(st, 1, route->name);
		ins_store__bind_text(st, 2, branch);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			last = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (sent && !force) {
			ins_buf_printf(&p->explain, "  %s: held back: a message was sent for this "
				       "session already\n", names.ptr);
		} else if (route->min_interval_ms && last >= 0 && now_ms - last < route->min_interval_ms &&
			   !force) {
			ins_buf_printf(&p->explain, "  %s: held back: min-interval ", names.ptr);
			human_ms(&p->explain, route->min_interval_ms);
			ins_buf_puts(&p->explain, ", the last message went ");
			human_ms(&p->explain, now_ms - last > 0 ? now_ms - last : 0);
			ins_buf_puts(&p->explain, " ago\n");
		} else {
			p->events |= other;
		}
		ins_buf_release(&names);
	}
	p->fires = p->events != 0;
	return 0;
fail:
	sqlite3_finalize(st);
	return rc;
}

/* ---- recording ---- */

static int upsert(sqlite3_stmt *st, const char *route, const char *branch, const char *kind,
		  const ins_notify_item *x, const char *state, const char *uid, int64_t now_ms)
{
	sqlite3_reset(st);
	ins_store__bind_text(st, 1, route);
	ins_store__bind_text(st, 2, branch);
	ins_store__bind_text(st, 3, kind);
	ins_store__bind_text(st, 4, x->key);
	ins_store__bind_text(st, 5, state);
	ins_store__bind_text(st, 6, x->nodeid);
	ins_store__bind_text(st, 7, uid);
	sqlite3_bind_int64(st, 8, now_ms);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : INS_ESTORE;
}

int ins_notify_record(ins_store *store, const ins_notify_route *route, const ins_notify_session *s,
		      const ins_notify_plan *plan, const char *delivery_id, int64_t now_ms)
{
	const char *branch = s->branch ? s->branch : "";
	sqlite3_stmt *up = NULL, *fix = NULL, *sent = NULL;
	ins_buf events = INS_BUF_INIT;
	int rc;

	if ((rc = ins_store__exec(store, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = ins_store__prepare(store, &up,
		"INSERT INTO notify_seen (route, branch, kind, key, state, nodeid, session_uid, "
		"updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		"ON CONFLICT (route, branch, kind, key) DO UPDATE SET state = excluded.state, "
		"nodeid = excluded.nodeid, session_uid = excluded.session_uid, "
		"updated_ms = excluded.updated_ms")) < 0)
		goto fail;
	/* a fix the route does not announce still ends the failure's announcement */
	if ((rc = ins_store__prepare(store, &fix,
		"UPDATE notify_seen SET state = 'fixed', session_uid = ?4, updated_ms = ?5 "
		"WHERE route = ?1 AND branch = ?2 AND kind = 'failure' AND key = ?3 "
		"AND state = 'failing'")) < 0)
		goto fail;
	for (size_t i = 0; i < s->fixed.n; i++) {
		sqlite3_reset(fix);
		ins_store__bind_text(fix, 1, route->name);
		ins_store__bind_text(fix, 2, branch);
		ins_store__bind_text(fix, 3, s->fixed.v[i].key);
		ins_store__bind_text(fix, 4, s->uid);
		sqlite3_bind_int64(fix, 5, now_ms);
		if (sqlite3_step(fix) != SQLITE_DONE) {
			rc = ins_store__error(store, "recording a fix");
			goto fail;
		}
	}
	if (delivery_id) {
		for (size_t i = 0; i < plan->new_failures.n; i++)
			if (upsert(up, route->name, branch, "failure", &plan->new_failures.v[i],
				   "failing", s->uid, now_ms) < 0)
				goto store_fail;
		for (size_t i = 0; i < plan->fixed.n; i++)
			if (upsert(up, route->name, branch, "failure", &plan->fixed.v[i], "fixed",
				   s->uid, now_ms) < 0)
				goto store_fail;
		for (size_t i = 0; i < plan->flaky.n; i++)
			if (upsert(up, route->name, branch, "flaky", &plan->flaky.v[i], "flaky",
				   s->uid, now_ms) < 0)
				goto store_fail;
		if ((rc = ins_store__prepare(store, &sent,
			"INSERT INTO notify_sent (route, branch, session_uid, events, delivery, "
			"sent_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) < 0)
			goto fail;
		ins_notify_events_text(&events, plan->events, ",");
		ins_store__bind_text(sent, 1, route->name);
		ins_store__bind_text(sent, 2, branch);
		ins_store__bind_text(sent, 3, s->uid);
		ins_store__bind_text(sent, 4, events.ptr);
		ins_store__bind_text(sent, 5, delivery_id);
		sqlite3_bind_int64(sent, 6, now_ms);
		if (sqlite3_step(sent) != SQLITE_DONE)
			goto store_fail;
	}
	sqlite3_finalize(up);
	sqlite3_finalize(fix);
	sqlite3_finalize(sent);
	ins_buf_release(&events);
	return ins_store__exec(store, "COMMIT");
store_fail:
	rc = ins_store__error(store, "recording what notify sent");
fail:
	sqlite3_finalize(up);
	sqlite3_finalize(fix);
	sqlite3_finalize(sent);
	ins_buf_release(&events);
	ins_store__exec(store, "ROLLBACK");
	return rc;
}

/*
 * Slack threads: the message that opened a commit's thread on a route, as a
 * notify_seen row of kind 'thread' keyed by the commit, its state the
 * message's timestamp (Slack's id of a message).
 */
int ins_notify_thread_get(ins_store *store, const ins_notify_route *route,
			  const ins_notify_session *s, ins_buf *ts)
{
	sqlite3_stmt *st = NULL;
	int rc;

	ins_buf_clear(ts);
	if (!s->commit)
		return 0;
	if ((rc = ins_store__prepare(store, &st, "SELECT state FROM notify_seen WHERE route = ?1 "
				     "AND branch = ?2 AND kind = 'thread' AND key = ?3")) < 0)
		return rc;
	ins_store__bind_text(st, 1, route->name);
	ins_store__bind_text(st, 2, s->branch ? s->branch : "");
	ins_store__bind_text(st, 3, s->commit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ins_buf_puts(ts, ins_store__col_text(st, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ins_store__error(store, "reading a thread");
	sqlite3_finalize(st);
	return rc;
}

int ins_notify_thread_set(ins_store *store, const ins_notify_route *route,
			  const ins_notify_session *s, const char *ts, int64_t now_ms)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!s->commit)
		return 0;
	if ((rc = ins_store__prepare(store, &st,
		"INSERT INTO notify_seen (route, branch, kind, key, state, nodeid, session_uid, "
		"updated_ms) VALUES (?1, ?2, 'thread', ?3, ?4, NULL, ?5, ?6) "
		"ON CONFLICT (route, branch, kind, key) DO NOTHING")) < 0)
		return rc;
	ins_store__bind_text(st, 1, route->name);
	ins_store__bind_text(st, 2, s->branch ? s->branch : "");
	ins_store__bind_text(st, 3, s->commit);
	ins_store__bind_text(st, 4, ts);
	ins_store__bind_text(st, 5, s->uid);
	sqlite3_bind_int64(st, 6, now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ins_store__error(store, "recording a thread");
	sqlite3_finalize(st);
	return rc;
}

int ins_notify_issue_get(ins_store *store, const ins_notify_route *route, const char *key,
			 ins_buf *issue_key)
{
	sqlite3_stmt *st = NULL;
	int rc;

	ins_buf_clear(issue_key);
	if ((rc = ins_store__prepare(store, &st, "SELECT issue_key FROM notify_issue "
				     "WHERE route = ?1 AND fingerprint = ?2")) < 0)
		return rc;
	ins_store__bind_text(st, 1, route->name);
	ins_store__bind_text(st, 2, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ins_buf_puts(issue_key, ins_store__col_text(st, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	     ins_store__error(store, "reading a Jira issue");
	sqlite3_finalize(st);
	return rc;
}

int ins_notify_issue_set(ins_store *store, const ins_notify_route *route, const char *key,
			 const char *issue_key, const char *url, const char *state,
			 const char *session_uid, int64_t now_ms)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"INSERT INTO notify_issue (route, fingerprint, issue_key, url, state, session_uid, "
		"updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		"ON CONFLICT (route, fingerprint) DO UPDATE SET issue_key = excluded.issue_key, "
		"url = coalesce(excluded.url, url), state = excluded.state, "
		"session_uid = excluded.session_uid, updated_ms = excluded.updated_ms")) < 0)
		return rc;
	ins_store__bind_text(st, 1, route->name);
	ins_store__bind_text(st, 2, key);
	ins_store__bind_text(st, 3, issue_key);
	ins_store__bind_text(st, 4, url);
	ins_store__bind_text(st, 5, state);
	ins_store__bind_text(st, 6, session_uid);
	sqlite3_bind_int64(st, 7, now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ins_store__error(store, "recording a Jira issue");
	sqlite3_finalize(st);
	return rc;
}

void ins_notify_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n;
		while (got < sizeof(b) && (n = read(fd, b + got, sizeof(b) - got)) > 0)
			got += (size_t)n;
		close(fd);
	}
	if (got < sizeof(b)) {
		unsigned long x = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
		for (size_t i = 0; i < sizeof(b); i++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			b[i] = (unsigned char)(x >> 33);
		}
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}
