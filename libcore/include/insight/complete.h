/*
 * complete.h - names the history holds, for shell completion: SUT names,
 * session ids and test node ids that start with what has been typed.
 *
 * Completion runs on every Tab press, so these queries read only indexed
 * columns, stop at a limit, and never write.
 */
#ifndef INSIGHT_COMPLETE_H
#define INSIGHT_COMPLETE_H

#include <stddef.h>

#include "insight/store.h"

typedef enum ins_complete_kind {
	INS_COMPLETE_SUT = 0,  /* SUT names; the description is the session count */
	INS_COMPLETE_SESSION,  /* short session ids, newest first; the description is
				  "<sut> <start time UTC>" */
	INS_COMPLETE_TEST      /* test node ids, in node id order */
} ins_complete_kind;

/*
 * Called once per candidate; `value` and `desc` are borrowed for the call
 * (desc may be NULL).
 */
typedef void (*ins_complete_fn)(void *data, const char *value, const char *desc);

/*
 * Hand `fn` the names of `kind` that start with `prefix` (case-insensitive
 * for session ids), at most `limit` of them (0: 200). `sut` (may be NULL)
 * restricts sessions and tests to one SUT. Returns 0 or a negative code
 * with the message set.
 */
int ins_complete_values(ins_store *store, ins_complete_kind kind, const char *prefix,
			const char *sut, size_t limit, ins_complete_fn fn, void *data);

#endif
