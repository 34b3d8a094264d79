/*
 * repeat.h - the repeat rule of DESIGN §4 for the parsers that hand one
 * occurrence of a test at a time (go test -json, TAP, Mocha, Jest, Allure).
 *
 * Private to libcore. Inside one report, a later occurrence of a node id is
 * a retry of it only when every earlier occurrence failed or errored;
 * otherwise it is a test of its own, named "id[#k]", k = 2, 3, ... in report
 * order. The table keeps 24 bytes per distinct id (two hashes and a count),
 * never the ids themselves.
 */
#ifndef INSIGHT_INGEST_REPEAT_H
#define INSIGHT_INGEST_REPEAT_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/model.h"

typedef struct ins_repeat_entry {
	uint64_t h1, h2; /* h2 == 0: empty slot */
	unsigned k;      /* occurrences that became tests of their own, plus one */
	int all_failed;  /* every attempt so far of the first occurrence and its retries failed */
} ins_repeat_entry;

typedef struct ins_repeat {
	ins_repeat_entry *tab;
	size_t n, alloc;
} ins_repeat;

#define INS_REPEAT_INIT { NULL, 0, 0 }

/*
 * Fix the node id of an occurrence before its attempts go out: `id` is left
 * as it is (the first occurrence, or a retry) or gets "[#k]" appended.
 * Returns the entry that the occurrence's attempts report to with
 * ins_repeat_attempt(), or NULL when the occurrence is a test of its own
 * (its attempts need not be reported).
 */
ins_repeat_entry *ins_repeat_resolve(ins_repeat *t, ins_buf *id);

/* An attempt of an occurrence resolved to `e` (may be NULL) ended with `o`. */
void ins_repeat_attempt(ins_repeat_entry *e, ins_outcome o);

void ins_repeat_release(ins_repeat *t);

#endif
