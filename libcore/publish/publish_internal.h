/*
 * publish_internal.h - helpers shared by the writers of libcore/publish.
 */
#ifndef INSIGHT_PUBLISH_INTERNAL_H
#define INSIGHT_PUBLISH_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "insight/buf.h"
#include "insight/net.h"
#include "insight/publish.h"

/* `s` (n bytes) as a JSON string in quotes; invalid UTF-8 becomes U+FFFD. */
void ins_publish__json_str_n(FILE *fp, const char *s, size_t n);

/*
 * What a run or cycle insight creates in a test-management tool is called,
 * "SUT @ COMMIT (insight session ID)", and its description: what insight
 * recorded (SUT, session, start, commit, branch) and this publish's id. A
 * session published again gives a run of the same name; the id is how a
 * request that may have landed finds its own run (publish_id: a fresh id
 * from ins_publish__new_id, INS_PUBLISH_ID_LEN characters).
 */
#define INS_PUBLISH_ID_LEN 26
void ins_publish__new_id(char id[INS_PUBLISH_ID_LEN + 1]);
void ins_publish__run_name(ins_buf *name, const ins_pub_session *s);
void ins_publish__description(ins_buf *desc, const ins_pub_session *s, const char *publish_id);
/* Whether a run or cycle of the tool's answer is the one this publish created. */
int ins_publish__is_ours(const char *name, const char *description, const char *want_name,
			 const char *publish_id);

/* `v` in decimal appended to `b` (no printf: it is called once a result). */
void ins_publish__put_long(ins_buf *b, long v);

/*
 * `data` (len bytes) as the one file `name` of a zip archive appended to
 * `out`: deflated (or stored when that is no smaller), its CRC-32 and the
 * MS-DOS time of `mtime_ms`. 0, or a negative INS_E* code.
 */
int ins_zip_one(ins_buf *out, const char *name, const void *data, size_t len,
		int64_t mtime_ms);

/*
 * The target failed on an answer: "WHAT: SERVICE answered STATUS: reason"
 * into rep->reason; the caller may add a hint for the status.
 */
void ins_publish__fail_answer(ins_pub_report *rep, const char *what, const char *service,
			      const ins_http_response *resp);

/* The target failed without an answer: "WHAT: " and the network layer's error. */
void ins_publish__fail_net(ins_pub_report *rep, const char *what);

/* One line through a target's note callback (none: nothing), its secrets masked. */
void ins_publish__note(void (*fn)(void *data, const char *line), void *data, const char *fmt,
		       va_list ap) __attribute__((format(printf, 3, 0)));

#endif
