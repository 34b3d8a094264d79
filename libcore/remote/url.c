#include <stdlib.h>
#include <string.h>

#include "insight/errors.h"
#include "insight/remote.h"

#define MASK "***"

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Append n bytes of s to the growing string at *dst. */
static void put(char **dst, const char *s, size_t n)
{
	memcpy(*dst, s, n);
	*dst += n;
}

int ins_remote_url_mask(const char *url, char **out)
{
	const char *p, *auth_end, *colon;
	char *buf, *w;
	size_t len;

	*out = NULL;
	if (!url)
		return INS_EUSAGE;
	len = strlen(url);
	/* Masking never adds more than strlen(MASK) bytes per password; a
	 * keyword string has at most len/9 password= keywords. */
	buf = malloc(len + (len / 9 + 2) * sizeof(MASK));
	if (!buf)
		return INS_ERROR;
	w = buf;

	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		p = strstr(url, "://") + 3;
		auth_end = p + strcspn(p, "/?#");
		/* The userinfo ends at the last '@' of the authority. */
		const char *at = NULL;
		for (const char *q = p; q < auth_end; q++)
			if (*q == '@')
				at = q;
		colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
		if (colon) {
			put(&w, url, (size_t)(colon + 1 - url));
			put(&w, MASK, strlen(MASK));
			p = at;
		} else {
			p = url;
		}
		/* A password may also be given as a query parameter. */
		while (*p) {
			if ((*p == '?' || *p == '&') && has_prefix(p + 1, "password=")) {
				put(&w, p, 1 + strlen("password="));
				put(&w, MASK, strlen(MASK));
				p += 1 + strlen("password=");
				p += strcspn(p, "&#");
				continue;
			}
			*w++ = *p++;
		}
		*w = '\0';
		*out = buf;
		return 0;
	}

	/* Keyword/value form: host=db password='se cret' dbname=x */
	p = url;
	while (*p) {
		if ((p == url || p[-1] == ' ' || p[-1] == '\t') && has_prefix(p, "password")) {
			const char *q = p + strlen("password");
			while (*q == ' ')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ')
					q++;
				put(&w, p, (size_t)(q - p));
				put(&w, MASK, strlen(MASK));
				if (*q == '\'') {
					for (q++; *q && *q != '\''; q++)
						if (*q == '\\' && q[1])
							q++;
					if (*q)
						q++;
				} else {
					while (*q && *q != ' ' && *q != '\t')
						q++;
				}
				p = q;
				continue;
			}
		}
		*w++ = *p++;
	}
	*w = '\0';
	*out = buf;
	return 0;
}
