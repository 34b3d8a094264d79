/*
 * repeat.h - the repeat rule of DESIGN §4 for the parsers.
 *
 * Private to libcore. Inside one report, a later occurrence of a node id is
 * a retry of it only when every earlier occurrence failed or errored;
 * otherwise it is a test of its own, named "id[#k]", k = 2, 3, ... in report
 * order.
 *
 * Two ways to follow it:
 * - The parser decides (the default): a table of 24 bytes per distinct id
 *   (two hashes and a count), never the ids themselves, so memory grows
 *   with the number of tests in the report.
 * - The caller decides (ins_input_leave_repeats): the parser leaves every
 *   node id as the report gives it and marks the first attempt of each
 *   occurrence with INS_RESULT_OCCURRENCE; the following attempts, up to the
 *   next mark, belong to the same occurrence. The import does that: the
 *   session writer, which looks every test up anyway, applies the rule with
 *   two bits per test (ins_session_writer_occurrence), so the parser holds
 *   nothing per test.
 * Either way a parser calls ins_repeat_resolve() before the first attempt of
 * an occurrence, ins_repeat_attempt() for each of its attempts, and adds
 * ins_repeat_flags() to the flags of each result it hands over.
 */
#ifndef INSIGHT_INGEST_REPEAT_H
#define INSIGHT_INGEST_REPEAT_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/ingest.h"
#include "insight/model.h"

typedef struct ins_repeat_entry {
	uint64_t h1, h2; /* h2 == 0: empty slot */
	unsigned k;      /* occurrences that became tests of their own, plus one */
	int all_failed;  /* every attempt so far of the first occurrence and its retries failed */
} ins_repeat_entry;

typedef struct ins_repeat {
	ins_repeat_entry *tab;
	size_t n, alloc;
	int leave;       /* the caller decides: mark occurrences, keep no table */
	int mark;        /* the next result handed over begins an occurrence */
} ins_repeat;

#define INS_REPEAT_INIT { NULL, 0, 0, 0, 0 }

/* Set up for a report read from `in` (NULL: the parser decides). */
void ins_repeat_init(ins_repeat *t, const ins_input *in);

/*
 * Fix the node id of an occurrence before its attempts go out: `id` is left
 * as it is (the first occurrence, or a retry) or gets "[#k]" appended.
 * Returns the entry that the occurrence's attempts report to with
 * ins_repeat_attempt(), or NULL when the occurrence is a test of its own
 * (its attempts need not be reported) or when the caller decides.
 */
ins_repeat_entry *ins_repeat_resolve(ins_repeat *t, ins_buf *id);

/* An attempt of an occurrence resolved to `e` (may be NULL) ended with `o`. */
void ins_repeat_attempt(ins_repeat_entry *e, ins_outcome o);

/* The flags to add to the result about to be handed over (INS_RESULT_OCCURRENCE or 0). */
unsigned ins_repeat_flags(ins_repeat *t);

void ins_repeat_release(ins_repeat *t);

/*
 * Ask the parser reading `in` to leave the repeat rule to its caller (see
 * above); for the caller that applies it itself.
 */
void ins_input_leave_repeats(ins_input *in);
int ins_input_leaves_repeats(const ins_input *in);

/* ins_ingest_allure_dir(), leaving the repeat rule to the caller when `leave` is set. */
int ins_ingest_allure_dir_leaving_repeats(const char *dir, const char *display,
					  const ins_ingest_sink *sink, char hash[65], int leave);

#endif
