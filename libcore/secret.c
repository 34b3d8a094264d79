/*
 * secret.c - the registry of secret values and the maskers; see
 * insight/secret.h.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "insight/secret.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t nsecrets, alloc_secrets;

void ins_secret_add(const char *value)
{
	if (!value || strlen(value) < 4)
		return;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nsecrets; i++) {
		if (!strcmp(secrets[i], value)) {
			pthread_mutex_unlock(&lock);
			return;
		}
	}
	secrets = ins_xgrow(secrets, &alloc_secrets, nsecrets + 1, sizeof(*secrets));
	/* Longer values first, so that a secret containing another is masked whole. */
	{
		size_t at = nsecrets, len = strlen(value);
		while (at > 0 && strlen(secrets[at - 1]) < len) {
			secrets[at] = secrets[at - 1];
			at--;
		}
		secrets[at] = ins_xstrdup(value);
	}
	nsecrets++;
	pthread_mutex_unlock(&lock);
}

void ins_secret_mask(ins_buf *out, const char *text)
{
	unsigned char first[256] = { 0 };
	const char *p = text, *run;

	if (!text)
		return;
	pthread_mutex_lock(&lock);
	/* Only a byte that starts a secret can start a match: copy the others in runs. */
	for (size_t i = 0; i < nsecrets; i++)
		first[(unsigned char)secrets[i][0]] = 1;
	first[0] = 1;
	for (;;) {
		size_t hit = 0;

		run = p;
		while (!first[(unsigned char)*p])
			p++;
		ins_buf_put(out, run, (size_t)(p - run));
		if (!*p)
			break;
		for (size_t i = 0; i < nsecrets; i++) {
			size_t len = strlen(secrets[i]);

			if (*p == secrets[i][0] && !strncmp(p, secrets[i], len)) {
				hit = len;
				break;
			}
		}
		if (hit) {
			ins_buf_puts(out, INS_SECRET_MASK);
			p += hit;
		} else {
			ins_buf_putc(out, *p++);
		}
	}
	pthread_mutex_unlock(&lock);
}

static int sensitive_param(const char *name, size_t len)
{
	static const char *const names[] = {
		"token", "access_token", "private_token", "key", "api_key", "apikey", "password",
		"secret", "sig", "signature", "code", "client_secret", "auth", NULL
	};

	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == len && !strncasecmp(name, names[i], len))
			return 1;
	/* x-token, refresh_token, ... */
	for (size_t i = 0; i + 5 <= len; i++)
		if (!strncasecmp(name + i, "token", 5))
			return 1;
	return 0;
}

void ins_secret_mask_url(ins_buf *out, const char *url)
{
	ins_buf tmp = INS_BUF_INIT;
	const char *scheme, *auth, *at, *q, *p, *end_auth;

	if (!url)
		return;
	/* scheme://user:password@host/... */
	scheme = strstr(url, "://");
	auth = scheme ? scheme + 3 : url;
	end_auth = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end_auth - auth));
	if (at) {
		ins_buf_put(&tmp, url, (size_t)(auth - url));
		ins_buf_puts(&tmp, INS_SECRET_MASK "@");
		p = at + 1;
	} else {
		p = url;
	}
	q = strchr(p, '?');
	if (!q) {
		ins_buf_puts(&tmp, p);
	} else {
		ins_buf_put(&tmp, p, (size_t)(q + 1 - p));
		p = q + 1;
		while (*p) {
			size_t plen = strcspn(p, "&#");
			const char *eq = memchr(p, '=', plen);

			if (eq && sensitive_param(p, (size_t)(eq - p))) {
				ins_buf_put(&tmp, p, (size_t)(eq + 1 - p));
				ins_buf_puts(&tmp, INS_SECRET_MASK);
			} else {
				ins_buf_put(&tmp, p, plen);
			}
			p += plen;
			if (*p == '#') {
				ins_buf_puts(&tmp, p);
				break;
			}
			if (*p == '&')
				ins_buf_putc(&tmp, *p++);
		}
	}
	ins_secret_mask(out, tmp.ptr);
	ins_buf_release(&tmp);
}

int ins_secret_header_is_sensitive(const char *name)
{
	static const char *const exact[] = {
		"authorization", "proxy-authorization", "cookie", "set-cookie", NULL
	};
	static const char *const parts[] = { "token", "secret", "key", "password", "signature",
					     "auth", NULL };
	size_t len = strcspn(name, ":");

	for (int i = 0; exact[i]; i++)
		if (strlen(exact[i]) == len && !strncasecmp(name, exact[i], len))
			return 1;
	for (int i = 0; parts[i]; i++) {
		size_t pl = strlen(parts[i]);
		for (size_t k = 0; k + pl <= len; k++)
			if (!strncasecmp(name + k, parts[i], pl))
				return 1;
	}
	return 0;
}

void ins_secret_mask_header(ins_buf *out, const char *line)
{
	const char *colon = strchr(line, ':');

	if (colon && ins_secret_header_is_sensitive(line)) {
		const char *v = colon + 1;
		ins_buf tmp = INS_BUF_INIT;

		while (*v == ' ')
			v++;
		ins_buf_put(&tmp, line, (size_t)(colon + 1 - line));
		/* Keep the scheme ("Bearer", "Basic", "token") so a trace shows which was used. */
		if (!strncasecmp(line, "authorization", 13) || !strncasecmp(line, "proxy-auth", 10)) {
			size_t w = strcspn(v, " ");
			if (v[w] == ' ') {
				ins_buf_putc(&tmp, ' ');
				ins_buf_put(&tmp, v, w);
			}
		}
		ins_buf_puts(&tmp, " " INS_SECRET_MASK);
		ins_buf_puts(out, tmp.ptr);
		ins_buf_release(&tmp);
		return;
	}
	ins_secret_mask(out, line);
}
