#ifndef INSIGHT_REMOTE_H
#define INSIGHT_REMOTE_H

/*
 * Remotes: shared copies of the history (PostgreSQL, or another insight
 * history file) that sessions are pushed to and fetched from.
 */

/*
 * Copy URL into a new string with any password masked as "***": the
 * password of a postgresql:// or postgres:// URL (user:password@host) and
 * the value of a password= keyword in libpq's keyword/value form. Every
 * URL insight shows goes through this. Returns 0, or INS_EUSAGE for a
 * NULL URL, or INS_ERROR when out of memory; *out is freed by the caller.
 */
int ins_remote_url_mask(const char *url, char **out);

#endif
