/*
 * redact.h - the values of secret-looking environment variables, hidden in
 * the text a test run captured.
 *
 * Tests sometimes print their environment, and a failing assertion may
 * quote a token. Before `session run` (and `session import`) store captured
 * stdout, stderr, log records, messages and tracebacks, every value of an
 * environment variable whose name looks secret is replaced with "***", as
 * CI logs do. A name looks secret when, compared without regard to case, it
 * contains TOKEN, SECRET or PASSWORD, or ends in _KEY, or is one of the
 * extra names the user lists (session.secret-vars, INSIGHT_SECRET_VARS:
 * names or fnmatch(3) patterns separated by commas, colons or white space).
 * Values shorter than INS_REDACT_MIN bytes are left alone: they would
 * replace ordinary words.
 */
#ifndef INSIGHT_REDACT_H
#define INSIGHT_REDACT_H

#include <stddef.h>

#include "insight/buf.h"

#define INS_REDACT_MIN 6
#define INS_REDACT_MASK "***"

typedef struct ins_redactor ins_redactor;

/*
 * The values to hide, from `env` (a NULL-terminated environ-style list) and
 * `extra` (the user's list of names, may be NULL). Returns NULL when there
 * is nothing to hide. Free with ins_redactor_free().
 */
ins_redactor *ins_redactor_new(char *const *env, const char *extra);
void ins_redactor_free(ins_redactor *r);

/* Whether the variable `name` looks secret, given the user's `extra` list. */
int ins_redact_name_is_secret(const char *name, const char *extra);

/* How many values `r` hides (0 for NULL). */
size_t ins_redactor_count(const ins_redactor *r);

/*
 * Append `text` (`len` bytes) to `out` with every value replaced by
 * INS_REDACT_MASK, longer values first. Returns the number of
 * replacements; 0 means `out` holds `text` unchanged.
 */
size_t ins_redact(const ins_redactor *r, const char *text, size_t len, ins_buf *out);

/*
 * `text` itself when nothing in it is secret, else a copy with the values
 * masked, kept in `tmp` (which the caller releases). NULL in, NULL out.
 */
const char *ins_redact_str(const ins_redactor *r, const char *text, ins_buf *tmp);

#endif
