/*
 * secret.h - the values insight must never show, and the masking of text
 * that might contain them.
 *
 * Every secret read (a token from the environment or a config file, a
 * webhook URL, a password) is registered once with ins_secret_add(); every
 * trace line, dry-run listing and error message built from outside data
 * goes through ins_secret_mask(), which replaces each registered value with
 * "***". On top of that, the URL and header maskers hide what looks like a
 * credential even when it was never registered: the user part of a URL,
 * query parameters named like a token, and the value of Authorization-like
 * headers.
 *
 * The registry is process-wide and thread-safe; values stay registered until
 * the process exits.
 */
#ifndef INSIGHT_SECRET_H
#define INSIGHT_SECRET_H

#include "insight/buf.h"

/* The text that stands for a secret. */
#define INS_SECRET_MASK "***"

/* Register `value` (copied) as a secret. Values shorter than 4 bytes are ignored. */
void ins_secret_add(const char *value);

/* Append `text` to `out` with every registered secret replaced by INS_SECRET_MASK. */
void ins_secret_mask(ins_buf *out, const char *text);

/*
 * Append `url` masked: registered secrets, the user information before '@',
 * and the values of query parameters whose name suggests a credential
 * (token, access_token, private_token, key, api_key, apikey, password,
 * secret, sig, signature, code).
 */
void ins_secret_mask_url(ins_buf *out, const char *url);

/*
 * Append the header line `line` ("Name: value") masked: the whole value of
 * Authorization, Proxy-Authorization, Cookie, Set-Cookie, and any header
 * whose name contains "token", "secret", "key", "password" or "signature";
 * registered secrets elsewhere.
 */
void ins_secret_mask_header(ins_buf *out, const char *line);

/* Whether a header name carries a credential (see above). */
int ins_secret_header_is_sensitive(const char *name);

#endif
