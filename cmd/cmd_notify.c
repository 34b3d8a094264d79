/*
 * cmd_notify.c - `insight notify`: tell people and systems about a session,
 * through the routes of the configuration ([notify "NAME"] sections).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "format.h"
#include "insight/ci.h"
#include "insight/config.h"
#include "insight/hash.h"
#include "insight/metrics.h"
#include "insight/net.h"
#include "insight/notify.h"
#include "insight/secret.h"
#include "insight/timeutil.h"

/* Tests named in a message, per list. */
#define NOTIFY_NAMES_MAX 10
/* Slack's limits (integrations.md B.7). */
#define SLACK_HEADER_MAX 150
#define SLACK_SECTION_MAX 3000

struct notify_run {
	ins_ctx *ctx;
	const ins_config *cfg;
	ins_net *net;
	ins_delivery *d;
	const ins_notify_session *s;
	ins_store *store;
	size_t issues;           /* Jira issues the jira routes recorded in this run */
};

/* Append at most `max` bytes of `s`, not cutting a UTF-8 sequence; "…" when cut. */
static void put_cut(ins_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max) {
		ins_buf_puts(b, s);
		return;
	}
	n = max > 3 ? max - 3 : 0;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	ins_buf_put(b, s, n);
	ins_buf_puts(b, "\xe2\x80\xa6");
}

static void short_sha(ins_buf *b, const char *commit)
{
	ins_buf_put(b, commit, strlen(commit) > 12 ? 12 : strlen(commit));
}

/* "shop on main @ 0123456789ab" */
static void title_of(ins_buf *b, const ins_notify_session *s)
{
	ins_buf_puts(b, s->sut);
	if (s->branch)
		ins_buf_printf(b, " on %s", s->branch);
	if (s->commit) {
		ins_buf_puts(b, " @ ");
		short_sha(b, s->commit);
	}
}

/* The pull request's page, when insight knows how to make it. */
static void pr_url(ins_buf *b, const ins_notify_session *s)
{
	if (!s->pr || !s->repo || !s->ci_provider)
		return;
	if (!strcmp(s->ci_provider, "github"))
		ins_buf_printf(b, "https://github.com/%s/pull/%s", s->repo, s->pr);
	else if (!strcmp(s->ci_provider, "bitbucket"))
		ins_buf_printf(b, "https://bitbucket.org/%s/pull-requests/%s", s->repo, s->pr);
}

static int is_http_url(const char *u)
{
	return u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7));
}

/* An http(s) URL with no space or control character: fit for a link and a header. */
static int is_link(const char *u)
{
	if (!is_http_url(u))
		return 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/*
 * notify.report-url, "{session}" replaced by the session's id: the page of
 * the session's report, linked from every message when it is a web URL.
 */
static void load_report_url(const ins_config *cfg, ins_notify_session *s)
{
	ins_buf b = INS_BUF_INIT;
	const char *v = NULL;

	if (ins_config_get_string(cfg, "notify.report-url", &v) < 0 || !v || !*v)
		return;
	while (*v) {
		if (!strncmp(v, "{session}", 9)) {
			ins_buf_puts(&b, s->uid);
			v += 9;
		} else {
			ins_buf_putc(&b, *v++);
		}
	}
	if (is_link(b.ptr))
		s->report_url = ins_buf_detach(&b);
	else
		cmd_warn("notify.report-url is not an http(s) URL; messages leave it out");
	ins_buf_release(&b);
}

/* ---- plain text: an email's text part ---- */

/* " (Jira SHOP-12: SITE/browse/SHOP-12, SHOP-3)": a failure's issues, nothing without one. */
static void text_jira(ins_buf *b, const ins_notify_item *x)
{
	for (size_t i = 0; i < x->njira; i++) {
		ins_buf_puts(b, i ? ", " : " (Jira ");
		ins_buf_puts(b, x->jira[i].key);
		if (is_link(x->jira[i].url))
			ins_buf_printf(b, ": %s", x->jira[i].url);
	}
	if (x->njira)
		ins_buf_putc(b, ')');
}

static void text_list(ins_buf *b, const char *title, const ins_notify_items *it)
{
	size_t shown = it->n < NOTIFY_NAMES_MAX ? it->n : NOTIFY_NAMES_MAX;

	if (!it->n)
		return;
	ins_buf_printf(b, "\n%s (%zu):\n", title, it->n);
	for (size_t i = 0; i < shown; i++) {
		ins_buf_printf(b, "- %s", it->v[i].nodeid);
		if (it->v[i].message)
			ins_buf_printf(b, ": %s", it->v[i].message);
		text_jira(b, &it->v[i]);
		ins_buf_putc(b, '\n');
	}
	if (it->n > shown)
		ins_buf_printf(b, "and %zu more\n", it->n - shown);
}

static void message_text(ins_buf *b, const ins_notify_session *s, const ins_notify_plan *p)
{
	ins_buf u = INS_BUF_INIT;

	ins_buf_puts(b, "insight: ");
	title_of(b, s);
	ins_buf_putc(b, '\n');
	if (s->subject)
		ins_buf_printf(b, "%s\n", s->subject);
	ins_buf_printf(b, "%s\n", s->counts.ptr);
	text_list(b, "New failures", &p->new_failures);
	text_list(b, "Fixed", &p->fixed);
	text_list(b, "Newly flaky", &p->flaky);
	if (p->events & INS_NOTIFY_REGRESSIONS)
		ins_buf_printf(b, "\nDuration regressions: %zu\n", s->res.slower);
	if (is_http_url(s->build_url) || s->pr || s->report_url)
		ins_buf_putc(b, '\n');
	if (is_http_url(s->build_url))
		ins_buf_printf(b, "CI run: %s\n", s->build_url);
	pr_url(&u, s);
	if (u.len)
		ins_buf_printf(b, "Pull request: %s\n", u.ptr);
	if (s->report_url)
		ins_buf_printf(b, "Report: %s\n", s->report_url);
	ins_buf_release(&u);
}

/* ---- email ---- */

/* `s` as quoted-printable (RFC 2045), lines ending in CRLF, at most 76 characters. */
static void put_qp(ins_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char enc[4];
		size_t n;

		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
			if (*p == '\r')
				p++;
			ins_buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && p[1] && p[1] != '\n' && p[1] != '\r')) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			n = 3;
		}
		if (col + n > 75) {
			ins_buf_puts(b, "=\r\n");
			col = 0;
		}
		ins_buf_put(b, enc, n);
		col += n;
	}
	if (col)
		ins_buf_puts(b, "\r\n");
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_b64(ins_buf *b, const unsigned char *p, size_t n, int lines)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		ins_buf_putc(b, b64[v >> 18 & 63]);
		ins_buf_putc(b, b64[v >> 12 & 63]);
		ins_buf_putc(b, i + 1 < n ? b64[v >> 6 & 63] : '=');
		ins_buf_putc(b, i + 2 < n ? b64[v & 63] : '=');
		if (lines && (col += 4) >= 76) {
			ins_buf_puts(b, "\r\n");
			col = 0;
		}
	}
	if (lines && col)
		ins_buf_puts(b, "\r\n");
}

/* "Subject: " and `text` as RFC 2047 encoded words (UTF-8, base64), folded, whole characters each. */
static void put_subject(ins_buf *b, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text);
	int first = 1;

	ins_buf_puts(b, "Subject:");
	while (n) {
		size_t take = n < 45 ? n : 45;

		while (take < n && take > 0 && (p[take] & 0xc0) == 0x80)
			take--;
		ins_buf_puts(b, first ? " " : "\r\n ");
		ins_buf_puts(b, "=?UTF-8?B?");
		put_b64(b, p, take, 0);
		ins_buf_puts(b, "?=");
		p += take;
		n -= take;
		first = 0;
	}
	ins_buf_puts(b, "\r\n");
}

/* The address in "Name <a@b>" or "a@b". */
static void address_of(ins_buf *out, const char *s)
{
	const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt)
		ins_buf_put(out, lt + 1, (size_t)(gt - lt - 1));
	else
		ins_buf_puts(out, s);
	ins_buf_rtrim(out);
}

/* The recipients of route `name`: every `to` value, each a comma list. */
struct rcpt_list {
	const char *key;
	char **v;
	size_t n, alloc;
};

static int collect_to(const ins_config_entry *e, void *data)
{
	struct rcpt_list *l = data;
	const char *p = e->value;

	if (strcmp(e->name, l->key))
		return 0;
	while (*p) {
		size_t n;

		p += strspn(p, " ,\t");
		n = strcspn(p, ",");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			l->v = ins_xgrow(l->v, &l->alloc, l->n + 2, sizeof(*l->v));
			l->v[l->n++] = ins_xstrndup(p, n);
			l->v[l->n] = NULL;
		}
		p += strcspn(p, ",");
	}
	return 0;
}

static void email_message(ins_buf *m, struct notify_run *r, const ins_notify_plan *p,
			  const char *from, char **to, const char *delivery_id, int64_t now_ms)
{
	const ins_notify_session *s = r->s;
	ins_buf subj = INS_BUF_INIT, text = INS_BUF_INIT, addr = INS_BUF_INIT;
	ins_render_opts ro = { 0 };
	char *html = NULL, date[64];
	size_t html_len = 0;
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	const char *at;
	FILE *f;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	address_of(&addr, from);
	at = strrchr(addr.ptr, '@');
	ins_buf_printf(m, "Date: %s\r\nFrom: %s\r\nTo: ", date, from);
	for (size_t i = 0; to[i]; i++)
		ins_buf_printf(m, "%s%s", i ? ",\r\n " : "", to[i]);
	ins_buf_puts(m, "\r\n");
	ins_buf_printf(&subj, "[insight] %s", s->sut);
	if (s->branch)
		ins_buf_printf(&subj, " on %s", s->branch);
	ins_buf_printf(&subj, ": %s", s->counts.ptr);
	put_subject(m, subj.ptr);
	ins_buf_printf(m, "Message-ID: <%s@%s>\r\n", delivery_id, at && at[1] ? at + 1 : "insight");
	ins_buf_printf(m, "X-Insight-Delivery: %s\r\n", delivery_id);
	ins_buf_printf(m, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; "
		       "boundary=\"=_insight_%s\"\r\n\r\n", delivery_id);
	ins_buf_printf(m, "--=_insight_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		       "Content-Transfer-Encoding: quoted-printable\r\n\r\n", delivery_id);
	message_text(&text, s, p);
	put_qp(m, text.ptr);
	ins_buf_printf(m, "\r\n--=_insight_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n", delivery_id);
	if ((f = open_memstream(&html, &html_len))) {
		ins_render(s->cmp, INS_OUT_HTML, &ro, f);
		fclose(f);
	}
	put_b64(m, (const unsigned char *)(html ? html : ""), html ? html_len : 0, 1);
	ins_buf_printf(m, "\r\n--=_insight_%s--\r\n", delivery_id);
	free(html);
	ins_buf_release(&subj);
	ins_buf_release(&text);
	ins_buf_release(&addr);
}

/*
 * Secret `name` of `route` (notify.ROUTE.NAME, or the variable that
 * notify.ROUTE.NAME-env names) into *secret; NULL when the route has none.
 * -1, with the reason in `why`, when NAME-env names a variable that is not
 * set: the user meant the route to have one, and it goes undelivered
 * rather than unauthenticated.
 */
static int route_secret(struct notify_run *r, const ins_notify_route *route, const char *name,
			const char **secret, ins_buf *why)
{
	ins_buf key = INS_BUF_INIT;
	const char *envname = NULL;
	int rc = 0;

	ins_buf_printf(&key, "notify.%s.%s-env", route->name, name);
	ins_config_lookup(r->cfg, key.ptr, &envname, NULL, NULL);
	ins_buf_truncate(&key, key.len - 4);
	if (ins_config_get_secret(r->cfg, key.ptr, secret, NULL) < 0) {
		*secret = NULL;
		if (envname && *envname) {
			ins_buf_printf(why, "notify.%s.%s-env names %s, which is not set",
				       route->name, name, envname);
			rc = -1;
		}
	}
	ins_buf_release(&key);
	return rc;
}

static int send_email(struct notify_run *r, const ins_notify_route *route,
		      const ins_notify_plan *p, const char *delivery_id, int64_t now_ms)
{
	ins_buf key = INS_BUF_INIT, why = INS_BUF_INIT, msg = INS_BUF_INIT, faddr = INS_BUF_INIT;
	struct rcpt_list to = { NULL, NULL, 0, 0 };
	const char *url = NULL, *from = NULL, *user = NULL, *password = NULL, *tls = NULL;
	ins_smtp_message m = { 0 };
	int delivered = 0;

	ins_buf_printf(&key, "notify.%s.smtp-url", route->name);
	ins_config_get_string(r->cfg, key.ptr, &url);
	ins_buf_clear(&key);
	ins_buf_printf(&key, "notify.%s.from", route->name);
	ins_config_get_string(r->cfg, key.ptr, &from);
	ins_buf_clear(&key);
	ins_buf_printf(&key, "notify.%s.user", route->name);
	ins_config_get_string(r->cfg, key.ptr, &user);
	ins_buf_clear(&key);
	ins_buf_printf(&key, "notify.%s.starttls", route->name);
	ins_config_get_string(r->cfg, key.ptr, &tls);
	ins_buf_clear(&key);
	ins_buf_printf(&key, "notify.%s.to", route->name);
	to.key = key.ptr;
	ins_config_foreach(r->cfg, INS_CONFIG_DEFAULT, collect_to, &to);
	if (route_secret(r, route, "password", &password, &why) < 0)
		goto fail;
	if (!url || !from || !to.n) {
		ins_buf_printf(&why, "notify.%s: smtp-url, from and to are needed", route->name);
		goto fail;
	}
	address_of(&faddr, from);
	email_message(&msg, r, p, from, to.v, delivery_id, now_ms);
	m.url = url;
	m.starttls = !strncmp(url, "smtp://", 7) && !(tls && !strcmp(tls, "off"));
	m.user = user;
	m.password = password;
	m.from = faddr.ptr;
	for (size_t i = 0; i < to.n; i++) {
		ins_buf a = INS_BUF_INIT;
		address_of(&a, to.v[i]);
		free(to.v[i]);
		to.v[i] = ins_buf_detach(&a);
	}
	m.to = (const char *const *)to.v;
	m.data = msg.ptr;
	m.len = msg.len;
	if (ins_net_smtp_send(r->net, &m) < 0) {
		ins_buf_puts(&why, ins_error_last());
		goto fail;
	}
	if (ins_net_dry_run(r->net)) {
		ins_delivery_add(r->d, route->name, INS_SKIPPED, "dry run");
	} else {
		ins_delivery_add(r->d, route->name, INS_DELIVERED, NULL);
		delivered = 1;
	}
	goto done;
fail:
	ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
done:
	for (size_t i = 0; i < to.n; i++)
		free(to.v[i]);
	free(to.v);
	ins_buf_release(&key);
	ins_buf_release(&why);
	ins_buf_release(&msg);
	ins_buf_release(&faddr);
	return delivered;
}

/* ---- slack ---- */

/*
 * Append `s` as text that Slack's mrkdwn shows as written. mrkdwn has no
 * backslash escape: &, < and > become entities (else they open links and
 * mentions), and what could open bold, italics, strikethrough or code is
 * kept from it in one of two ways. With `code`, `s` goes inside a code span
 * (see slack_code()), where nothing is formatting but a backtick, which
 * would end the span: it becomes U+02CB, a look-alike. Without (a link's
 * text, the notification text), * _ ~ ` and the '|' that would split a link
 * become look-alikes: U+2217, U+02CD, U+223C, U+02CB and U+2223. Line breaks
 * become spaces, so the text stays on its line.
 */
static void slack_escape(ins_buf *b, const char *s, int code)
{
	for (; *s; s++) {
		const char *to = NULL;

		switch (*s) {
		case '&': to = "&amp;"; break;
		case '<': to = "&lt;"; break;
		case '>': to = "&gt;"; break;
		case '`': to = "\xcb\x8b"; break;
		case '\n': case '\r': to = " "; break;
		case '*': to = code ? NULL : "\xe2\x88\x97"; break;
		case '_': to = code ? NULL : "\xcb\x8d"; break;
		case '~': to = code ? NULL : "\xe2\x88\xbc"; break;
		case '|': to = code ? NULL : "\xe2\x88\xa3"; break;
		}
		if (to)
			ins_buf_puts(b, to);
		else
			ins_buf_putc(b, *s);
	}
}

/* `s` in a code span of its own: as written, in a fixed-width font. */
static void slack_code(ins_buf *b, const char *s)
{
	ins_buf_putc(b, '`');
	slack_escape(b, s, 1);
	ins_buf_putc(b, '`');
}

static void slack_section(cJSON *blocks, const char *mrkdwn)
{
	cJSON *sec = cJSON_CreateObject(), *text = cJSON_CreateObject();

	cJSON_AddStringToObject(sec, "type", "section");
	cJSON_AddStringToObject(text, "type", "mrkdwn");
	cJSON_AddStringToObject(text, "text", mrkdwn);
	cJSON_AddItemToObject(sec, "text", text);
	cJSON_AddItemToArray(blocks, sec);
}

/*
 * " (Jira <SITE/browse/SHOP-12|SHOP-12>)": a failure's issues, each linked
 * to its page when the page makes a link Slack reads (the key, the link's
 * text, escaped so that it cannot end the link); nothing without one.
 */
static void slack_jira(ins_buf *b, const ins_notify_item *x)
{
	for (size_t i = 0; i < x->njira; i++) {
		const char *url = x->jira[i].url;

		ins_buf_puts(b, i ? ", " : " (Jira ");
		if (is_link(url) && !strpbrk(url, "<>|")) {
			ins_buf_printf(b, "<%s|", url);
			slack_escape(b, x->jira[i].key, 0);
			ins_buf_putc(b, '>');
		} else {
			slack_escape(b, x->jira[i].key, 0);
		}
	}
	if (x->njira)
		ins_buf_putc(b, ')');
}

/* A list as one section within Slack's 3000 characters: names until it is full, then "and N more". */
static void slack_list(cJSON *blocks, const char *title, const ins_notify_items *it)
{
	ins_buf b = INS_BUF_INIT, line = INS_BUF_INIT;
	size_t shown = 0;

	if (!it->n)
		return;
	ins_buf_printf(&b, "*%s (%zu)*", title, it->n);
	for (size_t i = 0; i < it->n && i < NOTIFY_NAMES_MAX; i++) {
		ins_buf_clear(&line);
		ins_buf_puts(&line, "\n\xe2\x80\xa2 ");
		slack_code(&line, it->v[i].nodeid);
		if (it->v[i].message) {
			ins_buf_puts(&line, " \xe2\x80\x94 ");
			slack_code(&line, it->v[i].message);
		}
		slack_jira(&line, &it->v[i]);
		/* room for the last line "and N more" */
		if (b.len + line.len > SLACK_SECTION_MAX - 40)
			break;
		ins_buf_put(&b, line.ptr, line.len);
		shown++;
	}
	if (it->n > shown)
		ins_buf_printf(&b, "\nand %zu more", it->n - shown);
	slack_section(blocks, b.ptr);
	ins_buf_release(&b);
	ins_buf_release(&line);
}

static char *slack_payload(const ins_notify_session *s, const ins_notify_plan *p)
{
	cJSON *root = cJSON_CreateObject(), *blocks = cJSON_CreateArray(), *blk, *txt, *els;
	ins_buf b = INS_BUF_INIT, t = INS_BUF_INIT;
	char *out;

	/* the notification text, read as mrkdwn too: the title and the counts */
	title_of(&t, s);
	ins_buf_puts(&b, "insight: ");
	slack_escape(&b, t.ptr, 0);
	ins_buf_puts(&b, ": ");
	slack_escape(&b, s->counts.ptr, 0);
	ins_buf_clear(&t);
	put_cut(&t, b.ptr, SLACK_SECTION_MAX);
	cJSON_AddStringToObject(root, "text", t.ptr);

	blk = cJSON_CreateObject();
	cJSON_AddStringToObject(blk, "type", "header");
	txt = cJSON_CreateObject();
	cJSON_AddStringToObject(txt, "type", "plain_text");
	ins_buf_clear(&b);
	ins_buf_puts(&b, "insight: ");
	title_of(&b, s);
	ins_buf_clear(&t);
	put_cut(&t, b.ptr, SLACK_HEADER_MAX);
	cJSON_AddStringToObject(txt, "text", t.ptr);
	cJSON_AddItemToObject(blk, "text", txt);
	cJSON_AddItemToArray(blocks, blk);

	/* the commit's subject, cut so that its code span ends within the section */
	ins_buf_clear(&b);
	if (s->subject) {
		ins_buf_clear(&t);
		put_cut(&t, s->subject, SLACK_SECTION_MAX / 8);
		slack_code(&b, t.ptr);
		ins_buf_putc(&b, '\n');
	}
	slack_escape(&b, s->counts.ptr, 0);
	if (p->events & INS_NOTIFY_REGRESSIONS)
		ins_buf_printf(&b, "\nDuration regressions: %zu", s->res.slower);
	ins_buf_clear(&t);
	put_cut(&t, b.ptr, SLACK_SECTION_MAX);
	slack_section(blocks, t.ptr);

	slack_list(blocks, "New failures", &p->new_failures);
	slack_list(blocks, "Fixed", &p->fixed);
	slack_list(blocks, "Newly flaky", &p->flaky);

	els = cJSON_CreateArray();
	ins_buf_clear(&b);
	if (is_http_url(s->build_url) && !strpbrk(s->build_url, "<>|")) {
		ins_buf_printf(&b, "<%s|CI run>", s->build_url);
		txt = cJSON_CreateObject();
		cJSON_AddStringToObject(txt, "type", "mrkdwn");
		cJSON_AddStringToObject(txt, "text", b.ptr);
		cJSON_AddItemToArray(els, txt);
	}
	ins_buf_clear(&t);
	pr_url(&t, s);
	if (t.len && !strpbrk(t.ptr, "<>|")) {
		ins_buf_clear(&b);
		ins_buf_printf(&b, "<%s|pull request #", t.ptr);
		slack_escape(&b, s->pr, 0);
		ins_buf_putc(&b, '>');
		txt = cJSON_CreateObject();
		cJSON_AddStringToObject(txt, "type", "mrkdwn");
		cJSON_AddStringToObject(txt, "text", b.ptr);
		cJSON_AddItemToArray(els, txt);
	}
	if (s->report_url && !strpbrk(s->report_url, "<>|")) {
		ins_buf_clear(&b);
		ins_buf_printf(&b, "<%s|report>", s->report_url);
		txt = cJSON_CreateObject();
		cJSON_AddStringToObject(txt, "type", "mrkdwn");
		cJSON_AddStringToObject(txt, "text", b.ptr);
		cJSON_AddItemToArray(els, txt);
	}
	if (cJSON_GetArraySize(els)) {
		blk = cJSON_CreateObject();
		cJSON_AddStringToObject(blk, "type", "context");
		cJSON_AddItemToObject(blk, "elements", els);
		cJSON_AddItemToArray(blocks, blk);
	} else {
		cJSON_Delete(els);
	}
	cJSON_AddItemToObject(root, "blocks", blocks);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	ins_buf_release(&b);
	ins_buf_release(&t);
	return out;
}

/* ---- sending ---- */

static const char *route_string(struct notify_run *r, const ins_notify_route *route,
				const char *key, const char *def);

/* The destination URL of `route` (a secret: masked from here on); NULL with the reason in `why`. */
static const char *route_url(struct notify_run *r, const ins_notify_route *route, ins_buf *why)
{
	ins_buf key = INS_BUF_INIT;
	const char *url = NULL;

	ins_buf_printf(&key, "notify.%s.url", route->name);
	if (ins_config_get_secret(r->cfg, key.ptr, &url, NULL) < 0) {
		ins_buf_puts(why, ins_error_last());
		url = NULL;
	} else if (!is_http_url(url)) {
		ins_buf_printf(why, "%s is not an http(s) URL", key.ptr);
		url = NULL;
	}
	ins_buf_release(&key);
	return url;
}

static void deliver_answer(struct notify_run *r, const ins_notify_route *route, int rc,
			   ins_http_response *resp, const char *host, int *delivered)
{
	ins_buf why = INS_BUF_INIT;

	*delivered = 0;
	if (rc < 0) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, ins_error_last());
	} else if (resp->dry_run) {
		ins_delivery_add(r->d, route->name, INS_SKIPPED, "dry run");
	} else if (resp->status >= 200 && resp->status < 300) {
		ins_delivery_add(r->d, route->name, INS_DELIVERED, NULL);
		*delivered = 1;
	} else {
		ins_buf_printf(&why, "%s answered %ld: ", host, resp->status);
		ins_http_error_reason(resp, &why);
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
	}
	ins_buf_release(&why);
}

/*
 * Slack with a bot token: chat.postMessage to the route's channel, in the
 * thread of the session's commit when the route opened one.
 */
static int send_slack_bot(struct notify_run *r, const ins_notify_route *route,
			  const ins_notify_plan *p, int64_t now_ms)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf key = INS_BUF_INIT, auth = INS_BUF_INIT, url = INS_BUF_INIT, ts = INS_BUF_INIT;
	ins_buf why = INS_BUF_INIT;
	const char *token = NULL, *channel = route_string(r, route, "channel", NULL);
	const char *base = route_string(r, route, "url", "https://slack.com/api");
	const char *headers[3];
	cJSON *msg = NULL, *out = NULL;
	const cJSON *ok, *err, *mts;
	char *body;
	int rc, delivered = 0;

	ins_buf_printf(&key, "notify.%s.token", route->name);
	if (ins_config_get_secret(r->cfg, key.ptr, &token, NULL) < 0) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	if (!ins_net_dry_run(r->net) && ins_notify_thread_get(r->store, route, r->s, &ts) < 0) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	body = slack_payload(r->s, p);
	msg = cJSON_Parse(body);
	free(body);
	cJSON_AddStringToObject(msg, "channel", channel);
	if (ts.len)
		cJSON_AddStringToObject(msg, "thread_ts", ts.ptr);
	ins_buf_printf(&auth, "Authorization: Bearer %s", token);
	headers[0] = auth.ptr;
	headers[1] = NULL;
	ins_buf_puts(&url, base);
	while (url.len && url.ptr[url.len - 1] == '/')
		ins_buf_truncate(&url, url.len - 1);
	ins_buf_puts(&url, "/chat.postMessage");
	req.method = "POST";
	req.url = url.ptr;
	req.headers = headers;
	req.idempotent = 0;
	rc = ins_net_json_request(r->net, &req, msg, &resp, &out);
	if (rc < 0) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, ins_error_last());
	} else if (resp.dry_run) {
		ins_delivery_add(r->d, route->name, INS_SKIPPED, "dry run");
	} else if (resp.status != 200 || !out) {
		ins_buf_printf(&why, "Slack answered %ld: ", resp.status);
		ins_http_error_reason(&resp, &why);
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
	} else if (!cJSON_IsTrue((ok = cJSON_GetObjectItemCaseSensitive(out, "ok")))) {
		err = cJSON_GetObjectItemCaseSensitive(out, "error");
		ins_buf_printf(&why, "Slack answered %s", cJSON_IsString(err) ? err->valuestring : "not ok");
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
	} else {
		mts = cJSON_GetObjectItemCaseSensitive(out, "ts");
		if (!ts.len && cJSON_IsString(mts) &&
		    ins_notify_thread_set(r->store, route, r->s, mts->valuestring, now_ms) < 0)
			cmd_warn("%s", ins_error_last());
		ins_delivery_add(r->d, route->name, INS_DELIVERED, ts.len ? "in the commit's thread" :
				 NULL);
		delivered = 1;
	}
done:
	cJSON_Delete(msg);
	cJSON_Delete(out);
	ins_http_response_release(&resp);
	ins_buf_release(&key);
	ins_buf_release(&auth);
	ins_buf_release(&url);
	ins_buf_release(&ts);
	ins_buf_release(&why);
	return delivered;
}

/*
 * POST `body`, a chat message in JSON, to `url`, an incoming webhook of
 * Slack or Teams, and record the answer of `host`. Returns 1 when
 * delivered.
 */
static int post_chat(struct notify_run *r, const ins_notify_route *route, const char *url,
		     const char *body, const char *host)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	int rc, delivered = 0;

	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	/* a message posted twice is seen twice: repeated only when it cannot have landed */
	req.idempotent = 0;
	rc = ins_net_request(r->net, &req, &resp);
	deliver_answer(r, route, rc, &resp, host, &delivered);
	ins_http_response_release(&resp);
	return delivered;
}

static int send_slack(struct notify_run *r, const ins_notify_route *route,
		      const ins_notify_plan *p, const char *delivery_id)
{
	ins_buf why = INS_BUF_INIT;
	const char *url = route_url(r, route, &why);
	char *body;
	int delivered;

	(void)delivery_id;
	if (!url) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
		ins_buf_release(&why);
		return 0;
	}
	body = slack_payload(r->s, p);
	delivered = post_chat(r, route, url, body, "Slack");
	ins_buf_release(&why);
	free(body);
	return delivered;
}

/*
 * The webhook's body: the comparison document itself, exactly as
 * `analytics compare --format json` writes it for the session and its base
 * (insight.analytics.compare, with its schema_version). NULL when it
 * cannot be rendered.
 */
static char *webhook_payload(struct notify_run *r, size_t *len)
{
	ins_render_opts ro = { 0 };
	char *doc = NULL;
	FILE *f;

	*len = 0;
	if (!(f = open_memstream(&doc, len)))
		return NULL;
	if (ins_render(r->s->cmp, INS_OUT_JSON, &ro, f) != 0) {
		fclose(f);
		free(doc);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(doc);
		return NULL;
	}
	return doc;
}

static int send_webhook(struct notify_run *r, const ins_notify_route *route,
			const ins_notify_plan *p, const char *delivery_id)
{
	const char *headers[12];
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf why = INS_BUF_INIT, ev = INS_BUF_INIT, dl = INS_BUF_INIT;
	ins_buf sig = INS_BUF_INIT, evh = INS_BUF_INIT, sess = INS_BUF_INIT, rt = INS_BUF_INIT;
	ins_buf ci = INS_BUF_INIT, pr = INS_BUF_INIT, rep = INS_BUF_INIT, u = INS_BUF_INIT;
	const char *url = route_url(r, route, &why), *secret = NULL;
	char *body = NULL;
	size_t body_len = 0, nh = 0;
	int rc, delivered = 0;

	if (!url)
		goto fail;
	if (route_secret(r, route, "secret", &secret, &why) < 0)
		goto fail;
	if (!(body = webhook_payload(r, &body_len))) {
		ins_buf_puts(&why, "cannot render the comparison as JSON");
		goto fail;
	}
	ins_notify_events_text(&ev, p->events, ",");
	ins_buf_printf(&dl, "X-Insight-Delivery: %s", delivery_id);
	headers[nh++] = "Content-Type: application/json";
	ins_buf_printf(&evh, "X-Insight-Event: %s", ev.ptr);
	headers[nh++] = evh.ptr;
	headers[nh++] = dl.ptr;
	ins_buf_printf(&sess, "X-Insight-Session: %s", r->s->uid);
	headers[nh++] = sess.ptr;
	if (!strpbrk(route->name, "\r\n")) {
		ins_buf_printf(&rt, "X-Insight-Route: %s", route->name);
		headers[nh++] = rt.ptr;
	}
	if (is_link(r->s->build_url)) {
		ins_buf_printf(&ci, "X-Insight-CI-Run: %s", r->s->build_url);
		headers[nh++] = ci.ptr;
	}
	pr_url(&u, r->s);
	if (is_link(u.ptr)) {
		ins_buf_printf(&pr, "X-Insight-Pull-Request: %s", u.ptr);
		headers[nh++] = pr.ptr;
	}
	if (r->s->report_url) {
		ins_buf_printf(&rep, "X-Insight-Report: %s", r->s->report_url);
		headers[nh++] = rep.ptr;
	}
	if (secret) {
		uint8_t mac[INS_SHA256_LEN];
		char hex[65];

		ins_hmac_sha256(mac, secret, strlen(secret), body, body_len);
		ins_sha256_to_hex(hex, mac);
		ins_buf_printf(&sig, "X-Insight-Signature-256: sha256=%s", hex);
		headers[nh++] = sig.ptr;
	}
	headers[nh] = NULL;
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body_len;
	/* the receiver drops a delivery id it has seen: sending it again is safe */
	req.idempotent = 1;
	rc = ins_net_request(r->net, &req, &resp);
	deliver_answer(r, route, rc, &resp, "the webhook", &delivered);
	goto done;
fail:
	ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
done:
	ins_http_response_release(&resp);
	ins_buf_release(&why);
	ins_buf_release(&ev);
	ins_buf_release(&dl);
	ins_buf_release(&sig);
	ins_buf_release(&evh);
	ins_buf_release(&sess);
	ins_buf_release(&rt);
	ins_buf_release(&ci);
	ins_buf_release(&pr);
	ins_buf_release(&rep);
	ins_buf_release(&u);
	free(body);
	return delivered;
}

/* ---- teams ---- */

/*
 * Append `s` as literal text of the Markdown a card reads (a TextBlock's
 * text, a fact's value: a CommonMark subset with emphasis, lists and
 * links): a backslash before each character that could open markup where
 * it stands, so that a name or a message never turns bold, becomes a list
 * or a link. Emphasis, code, links, strikethrough, tables and autolinks
 * open anywhere; headings, quotes and list items ("- ", "+ ", "1. ") only
 * where the text starts, which is where a line starts in the card; an
 * image before '[' and an entity after '&'. Line breaks become spaces, so
 * the text stays on its line. Each piece is escaped once, on its own: what
 * insight writes around it (a list item's "- ", a Jira link) stays markup.
 */
static void card_escape(ins_buf *b, const char *s)
{
	int lead = 1;     /* nothing but blanks so far: a block could open here */
	int digits = 0;   /* the text starts with digits and nothing else yet */

	for (const char *p = s; *p; p++) {
		char c = *p;
		int esc = 0;

		switch (c) {
		case '\\': case '`': case '*': case '_': case '[': case ']': case '(': case ')':
		case '<': case '~': case '|':
			esc = 1;
			break;
		case '#': case '>':
			esc = lead;
			break;
		/* a list item ("- x") or a rule ("---"); strchr() finds the end too */
		case '-': case '+':
			esc = lead && (strchr(" \t\r\n", p[1]) || p[1] == c);
			break;
		/* an ordered list item ("1. x") */
		case '.':
			esc = digits && strchr(" \t\r\n", p[1]);
			break;
		case '!':
			esc = p[1] == '[';
			break;
		case '&':
			esc = p[1] == '#' || isalpha((unsigned char)p[1]);
			break;
		case '\r': case '\n':
			c = ' ';
			break;
		}
		if (esc)
			ins_buf_putc(b, '\\');
		ins_buf_putc(b, c);
		digits = (lead || digits) && c >= '0' && c <= '9';
		lead = lead && (c == ' ' || c == '\t');
	}
}

static cJSON *card_text(const char *text, int bolder, int subtle)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "type", "TextBlock");
	cJSON_AddStringToObject(t, "text", text);
	cJSON_AddBoolToObject(t, "wrap", 1);
	if (bolder)
		cJSON_AddStringToObject(t, "weight", "bolder");
	if (subtle)
		cJSON_AddBoolToObject(t, "isSubtle", 1);
	return t;
}

/* A fact: its title is insight's; its value is read as Markdown too, and escaped. */
static void card_fact(cJSON *facts, const char *title, const char *value)
{
	cJSON *f = cJSON_CreateObject();
	ins_buf v = INS_BUF_INIT;

	card_escape(&v, value);
	cJSON_AddStringToObject(f, "title", title);
	cJSON_AddStringToObject(f, "value", v.ptr);
	cJSON_AddItemToArray(facts, f);
	ins_buf_release(&v);
}

/*
 * " (Jira [SHOP-12](SITE/browse/SHOP-12))": a failure's issues in the
 * Markdown a TextBlock reads, each a link to its page when the page would
 * not end the link early (the key is escaped); nothing without one.
 */
static void card_jira(ins_buf *b, const ins_notify_item *x)
{
	for (size_t i = 0; i < x->njira; i++) {
		const char *key = x->jira[i].key, *url = x->jira[i].url;

		ins_buf_puts(b, i ? ", " : " (Jira ");
		if (is_link(url) && !strpbrk(url, "()[]<>")) {
			ins_buf_putc(b, '[');
			card_escape(b, key);
			ins_buf_printf(b, "](%s)", url);
		} else {
			card_escape(b, key);
		}
	}
	if (x->njira)
		ins_buf_putc(b, ')');
}

static void card_list(cJSON *body, const char *title, const ins_notify_items *it)
{
	ins_buf b = INS_BUF_INIT;
	size_t shown = it->n < NOTIFY_NAMES_MAX ? it->n : NOTIFY_NAMES_MAX;
	cJSON *t;

	if (!it->n)
		return;
	ins_buf_printf(&b, "%s (%zu)", title, it->n);
	t = card_text(b.ptr, 1, 0);
	cJSON_AddStringToObject(t, "spacing", "medium");
	cJSON_AddItemToArray(body, t);
	for (size_t i = 0; i < shown; i++) {
		ins_buf_clear(&b);
		ins_buf_puts(&b, "- ");
		card_escape(&b, it->v[i].nodeid);
		if (it->v[i].message) {
			ins_buf_puts(&b, ": ");
			card_escape(&b, it->v[i].message);
		}
		card_jira(&b, &it->v[i]);
		t = card_text(b.ptr, 0, 0);
		cJSON_AddStringToObject(t, "spacing", "none");
		cJSON_AddItemToArray(body, t);
	}
	if (it->n > shown) {
		ins_buf_clear(&b);
		ins_buf_printf(&b, "and %zu more", it->n - shown);
		cJSON_AddItemToArray(body, card_text(b.ptr, 0, 1));
	}
	ins_buf_release(&b);
}

static void card_action(cJSON *actions, const char *title, const char *url)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "type", "Action.OpenUrl");
	cJSON_AddStringToObject(a, "title", title);
	cJSON_AddStringToObject(a, "url", url);
	cJSON_AddItemToArray(actions, a);
}

/*
 * The message envelope of a Workflows webhook with an Adaptive Card 1.4 (B.7).
 * Enumerated values are written as the schema spells them (lower case);
 * hosts read them in any case.
 */
static char *teams_payload(const ins_notify_session *s, const ins_notify_plan *p)
{
	cJSON *root = cJSON_CreateObject(), *atts, *att, *card, *body, *facts, *fs, *actions, *t;
	ins_buf b = INS_BUF_INIT, plain = INS_BUF_INIT;
	char *out;

	cJSON_AddStringToObject(root, "type", "message");
	atts = cJSON_AddArrayToObject(root, "attachments");
	att = cJSON_CreateObject();
	cJSON_AddStringToObject(att, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON_AddNullToObject(att, "contentUrl");
	card = cJSON_AddObjectToObject(att, "content");
	cJSON_AddItemToArray(atts, att);
	cJSON_AddStringToObject(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
	cJSON_AddStringToObject(card, "type", "AdaptiveCard");
	cJSON_AddStringToObject(card, "version", "1.4");
	body = cJSON_AddArrayToObject(card, "body");
	ins_buf_puts(&plain, "insight: ");
	title_of(&plain, s);
	card_escape(&b, plain.ptr);
	t = card_text(b.ptr, 1, 0);
	cJSON_AddStringToObject(t, "size", "medium");
	cJSON_AddItemToArray(body, t);
	if (s->subject) {
		ins_buf_clear(&b);
		card_escape(&b, s->subject);
		cJSON_AddItemToArray(body, card_text(b.ptr, 0, 1));
	}
	/* insight's own words and numbers */
	cJSON_AddItemToArray(body, card_text(s->counts.ptr, 0, 0));
	fs = cJSON_CreateObject();
	cJSON_AddStringToObject(fs, "type", "FactSet");
	facts = cJSON_AddArrayToObject(fs, "facts");
	card_fact(facts, "SUT", s->sut);
	if (s->branch)
		card_fact(facts, "Branch", s->branch);
	if (s->commit) {
		ins_buf_clear(&b);
		short_sha(&b, s->commit);
		card_fact(facts, "Commit", b.ptr);
	}
	ins_buf_clear(&b);
	ins_buf_printf(&b, "%zu", s->res.target_failing);
	card_fact(facts, "Failing", b.ptr);
	ins_buf_clear(&b);
	ins_buf_printf(&b, "%zu", s->new_failures.n);
	card_fact(facts, "New failures", b.ptr);
	if (p->events & INS_NOTIFY_REGRESSIONS) {
		ins_buf_clear(&b);
		ins_buf_printf(&b, "%zu", s->res.slower);
		card_fact(facts, "Slower", b.ptr);
	}
	cJSON_AddItemToArray(body, fs);
	card_list(body, "New failures", &p->new_failures);
	card_list(body, "Fixed", &p->fixed);
	card_list(body, "Newly flaky", &p->flaky);
	actions = cJSON_CreateArray();
	if (is_http_url(s->build_url))
		card_action(actions, "CI run", s->build_url);
	ins_buf_clear(&b);
	pr_url(&b, s);
	if (b.len)
		card_action(actions, "Pull request", b.ptr);
	if (s->report_url)
		card_action(actions, "Report", s->report_url);
	if (cJSON_GetArraySize(actions))
		cJSON_AddItemToObject(card, "actions", actions);
	else
		cJSON_Delete(actions);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	ins_buf_release(&b);
	ins_buf_release(&plain);
	return out;
}

/* Whether host[0..n) is `name` or a host under it. */
static int host_in(const char *host, size_t n, const char *name)
{
	size_t len = strlen(name);

	if (n == len)
		return !strncasecmp(host, name, len);
	return n > len && host[n - len - 1] == '.' && !strncasecmp(host + n - len, name, len);
}

/* Whether `url` is an Office 365 connector's (an "Incoming Webhook" of the retired kind). */
static int o365_connector(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n;

	if (!host)
		return 0;
	host += 3;
	if (strchr(host, '@') && strchr(host, '@') < host + strcspn(host, "/?#"))
		host = strchr(host, '@') + 1;
	n = strcspn(host, "/:?#");
	return host_in(host, n, "webhook.office.com") || host_in(host, n, "outlook.office.com") ||
	       host_in(host, n, "outlook.office365.com");
}

static int send_teams(struct notify_run *r, const ins_notify_route *route,
		      const ins_notify_plan *p)
{
	ins_buf why = INS_BUF_INIT;
	const char *url = route_url(r, route, &why);
	char *body = NULL;
	int delivered = 0;

	if (url && o365_connector(url)) {
		ins_buf_printf(&why, "notify.%s: an Office 365 connector URL; Microsoft retired "
			       "connectors: make a Workflows webhook (\"When a Teams webhook request "
			       "is received\") and give its URL", route->name);
		url = NULL;
	}
	if (!url) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
		goto done;
	}
	body = teams_payload(r->s, p);
	delivered = post_chat(r, route, url, body, "Teams");
done:
	ins_buf_release(&why);
	free(body);
	return delivered;
}

/* ---- pushgateway ---- */

/* "/NAME/VALUE" of a grouping key: VALUE percent-encoded, or NAME@base64/ when it has a '/' or is empty. */
static void grouping(ins_buf *b, const char *name, const char *value)
{
	if (*value && !strchr(value, '/')) {
		ins_buf_printf(b, "/%s/", name);
		ins_url_escape(b, value);
		return;
	}
	ins_buf_printf(b, "/%s@base64/", name);
	if (!*value) {
		ins_buf_putc(b, '=');
		return;
	}
	{
		ins_buf e = INS_BUF_INIT;

		put_b64(&e, (const unsigned char *)value, strlen(value), 0);
		for (size_t i = 0; i < e.len; i++)
			ins_buf_putc(b, e.ptr[i] == '+' ? '-' : e.ptr[i] == '/' ? '_' : e.ptr[i]);
		ins_buf_release(&e);
	}
}

static int send_pushgateway(struct notify_run *r, const ins_notify_route *route)
{
	static const char *const headers[] = {
		"Content-Type: text/plain; version=0.0.4; charset=utf-8", NULL
	};
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf why = INS_BUF_INIT, target = INS_BUF_INIT, text = INS_BUF_INIT, key = INS_BUF_INIT;
	const char *url = route_url(r, route, &why), *job = NULL;
	int rc, delivered = 0;

	if (!url) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
		goto done;
	}
	ins_buf_printf(&key, "notify.%s.job", route->name);
	if (ins_config_get_string(r->cfg, key.ptr, &job) < 0 || !job || !*job)
		job = "insight";
	if ((rc = ins_metrics_text(r->store, r->s->sut, &text)) < 0) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	ins_buf_puts(&target, url);
	while (target.len && target.ptr[target.len - 1] == '/')
		ins_buf_truncate(&target, target.len - 1);
	ins_buf_puts(&target, "/metrics");
	grouping(&target, "job", job);
	grouping(&target, "sut", r->s->sut);
	req.method = "PUT";
	req.url = target.ptr;
	req.headers = headers;
	req.body = text.ptr;
	req.body_len = text.len;
	req.idempotent = 1; /* PUT replaces the group */
	rc = ins_net_request(r->net, &req, &resp);
	deliver_answer(r, route, rc, &resp, "the Pushgateway", &delivered);
done:
	ins_http_response_release(&resp);
	ins_buf_release(&why);
	ins_buf_release(&target);
	ins_buf_release(&text);
	ins_buf_release(&key);
	return delivered;
}

/* ---- jira ---- */

struct jira {
	struct notify_run *r;
	const ins_notify_route *route;
	const char *base;         /* the site's URL, no trailing '/' */
	const char *project, *issue_type;
	const char *on_fix;       /* "comment", "transition" or "none" */
	const char *transition;   /* fix-transition: a transition's or its status's name */
	int api;                  /* 2: wiki markup; 3: Atlassian Document Format */
	int links;                /* the site's URL makes issue pages (no credentials in it) */
	ins_buf auth;             /* the Authorization header */
	size_t created, commented, fix_commented, transitioned, no_issue;
	ins_buf why;              /* the first failure */
};

/* Remember the issue of failure `x` on the route (not in a dry run); a failure to is a warning. */
static void jira_remember(struct jira *j, const ins_notify_item *x, const char *issue_key,
			  const char *state)
{
	ins_buf page = INS_BUF_INIT;

	if (ins_net_dry_run(j->r->net))
		return;
	if (j->links) {
		ins_buf_printf(&page, "%s/browse/", j->base);
		ins_url_escape(&page, issue_key);
	}
	if (ins_notify_issue_set(j->r->store, j->route, x->key, issue_key,
				 page.len ? page.ptr : NULL, state, j->r->s->uid,
				 ins_time_now_ms()) < 0)
		cmd_warn("%s", ins_error_last());
	else
		j->r->issues++;
	ins_buf_release(&page);
}

/* U+200B, zero width space: what keeps wiki markup from reading two characters as one mark. */
#define WIKI_BREAK "\xe2\x80\x8b"

/*
 * Append `s`, one line's worth, as literal text of the wiki markup that API
 * 2's descriptions and comments are rendered from: a backslash before each
 * character that the renderer lets one escape,
 *     - # * _ + ? ^ ~ | % { } [ ] ( ) ! @
 * (the marks of emphasis, strikethrough, super- and subscripts, citations,
 * dashes, macros, links, images, mentions, tables, lists and rules); U+200B
 * after a backslash of the text, so that it escapes nothing and never pairs
 * with another into a line break; U+200B before a heading or a quote where
 * the text starts ("h1. ", "bq. "), which no backslash escapes. Line breaks
 * become spaces, so the text stays on its line.
 */
static void wiki_escape(ins_buf *b, const char *s)
{
	const char *p = s + strspn(s, " \t");

	ins_buf_put(b, s, (size_t)(p - s));
	if ((p[0] == 'h' && p[1] >= '1' && p[1] <= '6' && p[2] == '.') || !strncmp(p, "bq.", 3))
		ins_buf_puts(b, WIKI_BREAK);
	for (; *p; p++) {
		if (strchr("-#*_+?^~|%{}[]()!@", *p))
			ins_buf_putc(b, '\\');
		if (*p == '\n' || *p == '\r')
			ins_buf_putc(b, ' ');
		else
			ins_buf_putc(b, *p);
		if (*p == '\\')
			ins_buf_puts(b, WIKI_BREAK);
	}
}

/* Whether `p` starts with "noformat" as a macro's name reads: any case, '\', CR and LF left out. */
static int names_noformat(const char *p)
{
	for (const char *w = "noformat"; *w; p++) {
		if (*p == '\\' || *p == '\r' || *p == '\n')
			continue;
		if (tolower((unsigned char)*p) != *w++)
			return 0;
	}
	return 1;
}

/*
 * Append `s` as a {noformat} block on lines of its own: wiki markup shows
 * its lines as they are, nothing read in them, up to the first {noformat}
 * tag; U+200B after each '{' of the text that could start one keeps the
 * block open.
 */
static void wiki_noformat(ins_buf *b, const char *s)
{
	ins_buf_puts(b, "{noformat}\n");
	for (const char *p = s; *p; p++) {
		ins_buf_putc(b, *p);
		if (*p == '{' && names_noformat(p + 1))
			ins_buf_puts(b, WIKI_BREAK);
	}
	ins_buf_puts(b, "\n{noformat}\n");
}

/* Append one line's value `s` to a text of `j`: escaped for wiki markup (API 2), as is for ADF. */
static void jira_put(const struct jira *j, ins_buf *b, const char *s)
{
	if (j->api == 2)
		wiki_escape(b, s);
	else
		ins_buf_puts(b, s);
}

/* A description or comment: wiki markup for v2, an ADF document of paragraphs for v3. */
static cJSON *jira_text(const struct jira *j, const char *text)
{
	cJSON *doc, *content;
	const char *p = text;

	if (j->api == 2)
		return cJSON_CreateString(text);
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "type", "doc");
	cJSON_AddNumberToObject(doc, "version", 1);
	content = cJSON_AddArrayToObject(doc, "content");
	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n) {
			cJSON *para = cJSON_CreateObject(), *pc, *t = cJSON_CreateObject();
			char *line = ins_xstrndup(p, n);

			cJSON_AddStringToObject(para, "type", "paragraph");
			pc = cJSON_AddArrayToObject(para, "content");
			cJSON_AddStringToObject(t, "type", "text");
			cJSON_AddStringToObject(t, "text", line);
			cJSON_AddItemToArray(pc, t);
			cJSON_AddItemToArray(content, para);
			free(line);
		}
		p += n + (p[n] == '\n');
	}
	return doc;
}

/* The lines that end an issue's text or comment: commit, CI run, pull request, report, fingerprint. */
static void jira_links(const struct jira *j, ins_buf *b, const ins_notify_item *x)
{
	const ins_notify_session *s = j->r->s;
	ins_buf u = INS_BUF_INIT;

	if (s->subject) {
		ins_buf_puts(b, "Commit: ");
		jira_put(j, b, s->subject);
		ins_buf_putc(b, '\n');
	}
	if (is_http_url(s->build_url))
		ins_buf_printf(b, "CI run: %s\n", s->build_url);
	pr_url(&u, s);
	if (u.len)
		ins_buf_printf(b, "Pull request: %s\n", u.ptr);
	if (s->report_url)
		ins_buf_printf(b, "Report: %s\n", s->report_url);
	ins_buf_printf(b, "Fingerprint: %s\n", x->key);
	ins_buf_release(&u);
}

/* "NODEID HAPPENED in TITLE (session UID).": the first line of a text about failure `x`. */
static void jira_headline(const struct jira *j, ins_buf *b, const ins_notify_item *x,
			  const char *happened)
{
	ins_buf t = INS_BUF_INIT;

	jira_put(j, b, x->nodeid);
	ins_buf_printf(b, " %s in ", happened);
	title_of(&t, j->r->s);
	jira_put(j, b, t.ptr);
	ins_buf_printf(b, " (session %s).\n", j->r->s->uid);
	ins_buf_release(&t);
}

/* The text of one sighting of a failure: its message a {noformat} block in wiki markup. */
static void jira_sighting(const struct jira *j, ins_buf *b, const ins_notify_item *x)
{
	jira_headline(j, b, x, "failed");
	if (x->message && j->api == 2)
		wiki_noformat(b, x->message);
	else if (x->message)
		ins_buf_printf(b, "%s\n", x->message);
	jira_links(j, b, x);
}

static void jira_fail(struct jira *j, const char *what, const ins_http_response *resp, int rc)
{
	if (j->why.len)
		return;
	if (rc < 0) {
		ins_buf_printf(&j->why, "%s: %s", what, ins_error_last());
		return;
	}
	ins_buf_printf(&j->why, "%s: Jira answered %ld: ", what, resp->status);
	ins_http_error_reason(resp, &j->why);
}

/*
 * The open issue labelled insight-fp-KEY of failure `x`, into `issue_key`
 * (empty when there is none): 0, or -1 after a failure (in j->why).
 */
static int jira_search(struct jira *j, const ins_notify_item *x, ins_buf *issue_key)
{
	const char *headers[] = { j->auth.ptr, NULL };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, jql = INS_BUF_INIT;
	cJSON *found = NULL;
	const cJSON *arr, *key = NULL;
	int rc, ok = -1;

	ins_buf_clear(issue_key);
	ins_buf_printf(&jql, "project = \"%s\" AND labels = \"insight-fp-%s\" AND "
		       "statusCategory != Done ORDER BY created DESC", j->project, x->key);
	ins_buf_printf(&url, "%s/rest/api/%d/search?jql=", j->base, j->api);
	ins_url_escape(&url, jql.ptr);
	ins_buf_puts(&url, "&fields=key&maxResults=1");
	rc = ins_net_json(j->r->net, "GET", url.ptr, headers, NULL, &resp, &found);
	if (rc < 0 || (!resp.dry_run && (resp.status < 200 || resp.status >= 300))) {
		jira_fail(j, "search", &resp, rc);
		goto done;
	}
	arr = found ? cJSON_GetObjectItemCaseSensitive(found, "issues") : NULL;
	if (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0)
		key = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "key");
	if (cJSON_IsString(key))
		ins_buf_puts(issue_key, key->valuestring);
	ok = 0;
done:
	cJSON_Delete(found);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&jql);
	return ok;
}

/* The text that tells an issue its failure is fixed. */
static void jira_fixed_text(const struct jira *j, ins_buf *b, const ins_notify_item *x)
{
	jira_headline(j, b, x, "passes again");
	jira_links(j, b, x);
}

/* Whether transition `t` (an element of Jira's "transitions") is the one named `name`. */
static int jira_transition_is(const cJSON *t, const char *name)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(t, "name");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(t, "to");
	const cJSON *tn = to ? cJSON_GetObjectItemCaseSensitive(to, "name") : NULL;

	return (cJSON_IsString(n) && !strcasecmp(n->valuestring, name)) ||
	       (cJSON_IsString(tn) && !strcasecmp(tn->valuestring, name));
}

/* The URL of `what` ("comment", "transitions") of issue `key`. */
static void jira_issue_url(ins_buf *url, const struct jira *j, const char *key, const char *what)
{
	ins_buf_printf(url, "%s/rest/api/%d/issue/", j->base, j->api);
	ins_url_escape(url, key);
	ins_buf_printf(url, "/%s", what);
}

/*
 * Comment `text` on issue `key`, for a failure seen again and for a fixed
 * one. A comment posted twice is read twice: repeated only when it cannot
 * have landed. 0, or -1 after a failure (in j->why).
 */
static int jira_comment(struct jira *j, const char *key, const char *text)
{
	const char *headers[] = { j->auth.ptr, NULL };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf url = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *out = NULL;
	int rc, ok = 0;

	jira_issue_url(&url, j, key, "comment");
	cJSON_AddItemToObject(body, "body", jira_text(j, text));
	req.method = "POST";
	req.url = url.ptr;
	req.headers = headers;
	req.idempotent = 0;
	rc = ins_net_json_request(j->r->net, &req, body, &resp, &out);
	if (rc < 0 || (!resp.dry_run && !resp.landed && resp.status != 201 && resp.status != 200)) {
		jira_fail(j, "comment", &resp, rc);
		ok = -1;
	}
	cJSON_Delete(body);
	cJSON_Delete(out);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	return ok;
}

/*
 * A fixed failure: its issue on the route (remembered, else the open one
 * labelled with its fingerprint) gets a comment, or goes through the
 * transition fix-transition with that comment (its id looked up with GET
 * .../transitions). 0, or -1 after a failure (in j->why).
 */
static int jira_fix(struct jira *j, const ins_notify_item *x)
{
	const char *headers[] = { j->auth.ptr, NULL };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf issue = INS_BUF_INIT, url = INS_BUF_INIT, text = INS_BUF_INIT;
	cJSON *body = NULL, *out = NULL, *list = NULL;
	const cJSON *arr, *t, *id = NULL;
	int rc, ok = -1;

	if (ins_notify_issue_get(j->r->store, j->route, x->key, &issue) < 0) {
		ins_buf_printf(&j->why, "%s", ins_error_last());
		goto done;
	}
	if (!issue.len && jira_search(j, x, &issue) < 0)
		goto done;
	if (!issue.len) {
		/* filed by nobody (or closed by people): nothing to tell */
		j->no_issue++;
		ok = 0;
		goto done;
	}
	jira_fixed_text(j, &text, x);
	body = cJSON_CreateObject();
	req.method = "POST";
	req.headers = headers;
	req.idempotent = 0;
	if (!strcmp(j->on_fix, "transition")) {
		jira_issue_url(&url, j, issue.ptr, "transitions");
		rc = ins_net_json(j->r->net, "GET", url.ptr, headers, NULL, &resp, &list);
		if (rc < 0 || (!resp.dry_run && (resp.status < 200 || resp.status >= 300))) {
			jira_fail(j, "transitions", &resp, rc);
			goto done;
		}
		ins_http_response_release(&resp);
		arr = list ? cJSON_GetObjectItemCaseSensitive(list, "transitions") : NULL;
		cJSON_ArrayForEach(t, arr) {
			if (jira_transition_is(t, j->transition)) {
				id = cJSON_GetObjectItemCaseSensitive(t, "id");
				break;
			}
		}
		if (!cJSON_IsString(id) && !ins_net_dry_run(j->r->net)) {
			ins_buf_printf(&j->why, "transition: %s offers no transition '%s'", issue.ptr,
				       j->transition);
			goto done;
		}
		cJSON_AddStringToObject(cJSON_AddObjectToObject(body, "transition"), "id",
					cJSON_IsString(id) ? id->valuestring : "?");
		{
			cJSON *upd = cJSON_AddObjectToObject(body, "update");
			cJSON *cl = cJSON_AddArrayToObject(upd, "comment"), *add = cJSON_CreateObject();

			cJSON_AddItemToObject(cJSON_AddObjectToObject(add, "add"), "body",
					      jira_text(j, text.ptr));
			cJSON_AddItemToArray(cl, add);
		}
		req.url = url.ptr;
		rc = ins_net_json_request(j->r->net, &req, body, &resp, &out);
		if (rc < 0 || (!resp.dry_run && !resp.landed && resp.status != 204 &&
			       resp.status != 200)) {
			jira_fail(j, "transition", &resp, rc);
			goto done;
		}
		j->transitioned++;
	} else {
		if (jira_comment(j, issue.ptr, text.ptr) < 0)
			goto done;
		j->fix_commented++;
	}
	jira_remember(j, x, issue.ptr, "fixed");
	ok = 0;
done:
	cJSON_Delete(body);
	cJSON_Delete(out);
	cJSON_Delete(list);
	ins_http_response_release(&resp);
	ins_buf_release(&issue);
	ins_buf_release(&url);
	ins_buf_release(&text);
	return ok;
}

/*
 * One new failure: the open issue labelled insight-fp-KEY gets a comment;
 * without one, a new issue is created. 0, or -1 after a failure (in j->why).
 */
static int jira_one(struct jira *j, const ins_notify_item *x)
{
	const char *headers[] = { j->auth.ptr, NULL };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_buf url = INS_BUF_INIT, found = INS_BUF_INIT, text = INS_BUF_INIT, label = INS_BUF_INIT;
	cJSON *body = NULL, *fields, *labels, *out = NULL;
	const cJSON *key = NULL;
	int rc, ok = -1;

	if (jira_search(j, x, &found) < 0)
		goto done;
	jira_sighting(j, &text, x);
	body = cJSON_CreateObject();
	req.method = "POST";
	req.headers = headers;
	req.idempotent = 0;
	if (found.len) {
		if (jira_comment(j, found.ptr, text.ptr) < 0)
			goto done;
		j->commented++;
		jira_remember(j, x, found.ptr, "open");
	} else {
		ins_buf s = INS_BUF_INIT;

		ins_buf_printf(&url, "%s/rest/api/%d/issue", j->base, j->api);
		fields = cJSON_AddObjectToObject(body, "fields");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(fields, "project"), "key", j->project);
		ins_buf_printf(&s, "[insight] %s failing", x->nodeid);
		ins_buf_clear(&label);
		put_cut(&label, s.ptr, 250);
		cJSON_AddStringToObject(fields, "summary", label.ptr);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(fields, "issuetype"), "name",
					j->issue_type);
		labels = cJSON_AddArrayToObject(fields, "labels");
		cJSON_AddItemToArray(labels, cJSON_CreateString("insight"));
		ins_buf_clear(&s);
		ins_buf_printf(&s, "insight-fp-%s", x->key);
		cJSON_AddItemToArray(labels, cJSON_CreateString(s.ptr));
		cJSON_AddItemToObject(fields, "description", jira_text(j, text.ptr));
		ins_buf_release(&s);
		req.url = url.ptr;
		rc = ins_net_json_request(j->r->net, &req, body, &resp, &out);
		if (rc < 0 || (!resp.dry_run && !resp.landed && resp.status != 201)) {
			jira_fail(j, "create", &resp, rc);
			goto done;
		}
		j->created++;
		key = out ? cJSON_GetObjectItemCaseSensitive(out, "key") : NULL;
		if (cJSON_IsString(key))
			jira_remember(j, x, key->valuestring, "open");
	}
	ok = 0;
done:
	cJSON_Delete(body);
	cJSON_Delete(out);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&found);
	ins_buf_release(&text);
	ins_buf_release(&label);
	return ok;
}

static const char *route_string(struct notify_run *r, const ins_notify_route *route,
				const char *key, const char *def)
{
	ins_buf k = INS_BUF_INIT;
	const char *v = NULL;

	ins_buf_printf(&k, "notify.%s.%s", route->name, key);
	if (ins_config_get_string(r->cfg, k.ptr, &v) < 0 || !v || !*v)
		v = def;
	ins_buf_release(&k);
	return v;
}

static int send_jira(struct notify_run *r, const ins_notify_route *route,
		     const ins_notify_plan *p)
{
	struct jira j = { 0 };
	ins_buf why = INS_BUF_INIT, base = INS_BUF_INIT, key = INS_BUF_INIT, detail = INS_BUF_INIT;
	const char *url = route_url(r, route, &why), *user, *token = NULL;
	int delivered = 0;

	ins_buf_init(&j.auth);
	ins_buf_init(&j.why);
	if (!url) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, why.ptr);
		goto done;
	}
	ins_buf_printf(&key, "notify.%s.token", route->name);
	if (ins_config_get_secret(r->cfg, key.ptr, &token, NULL) < 0) {
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	ins_buf_puts(&base, url);
	while (base.len && base.ptr[base.len - 1] == '/')
		ins_buf_truncate(&base, base.len - 1);
	j.base = base.ptr;
	j.links = !strchr(base.ptr, '@');
	j.r = r;
	j.route = route;
	j.api = 2;
	j.project = route_string(r, route, "project", NULL);
	j.issue_type = route_string(r, route, "issue-type", "Bug");
	j.api = !strcmp(route_string(r, route, "api", "2"), "3") ? 3 : 2;
	j.transition = route_string(r, route, "fix-transition", NULL);
	j.on_fix = route_string(r, route, "on-fix", j.transition ? "transition" : "comment");
	user = route_string(r, route, "user", NULL);
	if (user) {
		ins_buf up = INS_BUF_INIT;

		/* Jira Cloud: Basic e-mail:API token; the encoded pair is a secret too */
		ins_buf_printf(&up, "%s:%s", user, token);
		ins_buf_puts(&j.auth, "Authorization: Basic ");
		put_b64(&j.auth, (const unsigned char *)up.ptr, up.len, 0);
		ins_secret_add(j.auth.ptr + 21);
		ins_buf_release(&up);
	} else {
		/* Jira Data Center: a personal access token */
		ins_buf_printf(&j.auth, "Authorization: Bearer %s", token);
	}
	for (size_t i = 0; i < p->new_failures.n; i++)
		if (jira_one(&j, &p->new_failures.v[i]) < 0)
			break;
	for (size_t i = 0; !j.why.len && strcmp(j.on_fix, "none") && i < p->fixed.n; i++)
		if (jira_fix(&j, &p->fixed.v[i]) < 0)
			break;
	ins_buf_printf(&detail, "%zu created, %zu commented", j.created, j.commented);
	if (p->fixed.n) {
		ins_buf_printf(&detail, "; fixed: %zu commented, %zu transitioned", j.fix_commented,
			       j.transitioned);
		if (j.no_issue)
			ins_buf_printf(&detail, ", %zu without an issue", j.no_issue);
	}
	if (j.why.len) {
		ins_buf_printf(&detail, "; %s", j.why.ptr);
		ins_delivery_add(r->d, route->name, INS_NOT_DELIVERED, detail.ptr);
	} else if (ins_net_dry_run(r->net)) {
		ins_delivery_add(r->d, route->name, INS_SKIPPED, "dry run");
	} else {
		ins_delivery_add(r->d, route->name, INS_DELIVERED, detail.ptr);
		delivered = 1;
	}
done:
	ins_buf_release(&j.auth);
	ins_buf_release(&j.why);
	ins_buf_release(&why);
	ins_buf_release(&base);
	ins_buf_release(&key);
	ins_buf_release(&detail);
	return delivered;
}

/*
 * Evaluate one route against the session; send its message when it fires
 * and remember what it announced. 0, or an exit code after a failure to
 * read or write the history (said on stderr).
 */
static int notify_route(struct notify_run *r, const ins_notify_route *route, int force, int in_ci,
			int explain, int64_t now)
{
	const ins_notify_session *s = r->s;
	ins_notify_plan plan = INS_NOTIFY_PLAN_INIT;
	ins_buf text = INS_BUF_INIT;
	char delivery[37];
	int delivered = 0, dry_run = ins_net_dry_run(r->net), rc = 0;

	if ((rc = ins_notify_evaluate(&plan, r->store, route, s, force, in_ci, now)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	if (explain) {
		ins_buf_printf(&text, "%s (%s): ", route->name, ins_notify_type_name(route->type));
		if (plan.fires) {
			ins_buf_puts(&text, "fires on ");
			ins_notify_events_text(&text, plan.events, ", ");
		} else {
			ins_buf_puts(&text, "does not fire");
		}
		printf("%s\n%s", text.ptr, plan.explain.ptr);
		fflush(stdout);
	}
	if (plan.fires) {
		ins_notify_uuid(delivery);
		if (route->type == INS_NOTIFY_SLACK && route_string(r, route, "channel", NULL))
			delivered = send_slack_bot(r, route, &plan, now);
		else if (route->type == INS_NOTIFY_SLACK)
			delivered = send_slack(r, route, &plan, delivery);
		else if (route->type == INS_NOTIFY_EMAIL)
			delivered = send_email(r, route, &plan, delivery, now);
		else if (route->type == INS_NOTIFY_TEAMS)
			delivered = send_teams(r, route, &plan);
		else if (route->type == INS_NOTIFY_PUSHGATEWAY)
			delivered = send_pushgateway(r, route);
		else if (route->type == INS_NOTIFY_JIRA)
			delivered = send_jira(r, route, &plan);
		else
			delivered = send_webhook(r, route, &plan, delivery);
	} else {
		ins_delivery_add(r->d, route->name, INS_SKIPPED, "nothing to announce");
	}
	if (!dry_run && (delivered || !plan.fires) &&
	    (rc = ins_notify_record(r->store, route, s, &plan, delivered ? delivery : NULL,
				    now)) < 0)
		rc = cmd_fail(rc);
done:
	ins_notify_plan_release(&plan);
	ins_buf_release(&text);
	return rc;
}

/*
 * insight notify [--session <ref>] [--route <name>] [--dry-run] [--force] [--explain]
 *
 * Evaluate every route of the configuration against the session and its
 * comparison with the SUT's previous session; send one message per route
 * that fires; remember what was announced.
 */
static int cmd_notify(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight notify [--session <ref>] [--route <name>] [--dry-run] [--force] [--explain]",
		NULL
	};
	const char *session = "latest", *only = NULL, *sut = NULL;
	int dry_run = 0, force = 0, explain = 0;
	const struct ins_option opts[] = {
		OPT_STRING(0, "session", &session, "REF",
			   "the session to tell about (default: the latest)", "session"),
		OPT_STRING(0, "route", &only, "NAME", "this route only (a [notify \"NAME\"] section)",
			   "notify-route"),
		OPT_BOOL('n', "dry-run", &dry_run, "print each request it would send; send nothing"),
		OPT_BOOL(0, "force", &force,
			 "send even what was announced before or within min-interval"),
		OPT_BOOL(0, "explain", &explain, "say why each route fires or not"),
		OPT_END(),
	};
	struct notify_run r = { ctx, NULL, NULL, NULL, NULL, NULL, 0 };
	ins_notify_routes *routes = NULL;
	ins_notify_session *s = NULL;
	ins_compare_opts co;
	ins_store *store;
	ins_ci_facts ci;
	int64_t now = ins_time_now_ms();
	size_t matched = 0, others = 0;
	int n, rc, in_ci;

	ctx->text_only = 1;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "notify takes no arguments (the session is --session REF)");
	if ((rc = cmd_config(ctx, &r.cfg)) != 0)
		return rc;
	if ((rc = ins_notify_routes_load(&routes, r.cfg)) < 0)
		return cmd_fail(rc);
	for (size_t i = 0; i < routes->n; i++) {
		int m = !only || !strcmp(routes->v[i].name, only);

		matched += m;
		others += m && routes->v[i].type != INS_NOTIFY_JIRA;
	}
	if (!routes->n) {
		rc = cmd_error(EXIT_USAGE, "no notify routes: add a [notify \"NAME\"] section to the "
			       "configuration (see insight-notify(1))");
		goto done;
	}
	if (!matched) {
		ins_buf names = INS_BUF_INIT;
		for (size_t i = 0; i < routes->n; i++)
			ins_buf_printf(&names, "%s%s", i ? ", " : "", routes->v[i].name);
		rc = cmd_error(EXIT_USAGE, "--route: no route '%s' (routes: %s)", only, names.ptr);
		ins_buf_release(&names);
		goto done;
	}
	ins_config_get_string(r.cfg, "session.sut", &sut);
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		goto done;
	ins_compare_opts_init(&co);
	if ((rc = cmd_categories(ctx, &co.categories)) != 0)
		goto done;
	if ((rc = ins_notify_session_load(&s, store, session, sut && *sut ? sut : NULL, &co)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	ins_ci_detect(&ci, NULL, NULL);
	in_ci = ci.provider != NULL;
	ins_ci_facts_release(&ci);
	load_report_url(r.cfg, s);
	r.s = s;
	r.store = store;
	if ((rc = cmd_net_open(ctx, dry_run, &r.net)) != 0)
		goto done;
	r.d = ins_delivery_new();
	/*
	 * The jira routes go first, so that the other routes' messages name
	 * the issues filed in this run; each kind keeps the configuration's
	 * order.
	 */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && r.issues && others) {
			/* read again: the lists and the comparison get the new issues */
			ins_notify_session *again = NULL;

			if ((rc = ins_notify_session_load(&again, store, s->uid,
							  sut && *sut ? sut : NULL, &co)) < 0) {
				rc = cmd_fail(rc);
				goto done;
			}
			again->report_url = s->report_url;
			s->report_url = NULL;
			ins_notify_session_free(s);
			r.s = s = again;
		}
		for (size_t i = 0; i < routes->n; i++) {
			const ins_notify_route *route = &routes->v[i];

			if ((only && strcmp(route->name, only)) ||
			    (route->type == INS_NOTIFY_JIRA) != (pass == 0))
				continue;
			if ((rc = notify_route(&r, route, force, in_ci, explain, now)) != 0)
				goto done;
		}
	}
	rc = cmd_delivery_finish(ctx, r.d);
done:
	ins_delivery_free(r.d);
	ins_net_free(r.net);
	ins_notify_session_free(s);
	ins_notify_routes_free(routes);
	return rc;
}

const struct ins_group cmd_group_notify = {
	"notify", "tell people and systems about a session, through routes", NULL, cmd_notify,
	CMD_STORE_WRITE, 0
};
