/*
 * browse_internal.h - the SQL of browse.c, for the tests that check every
 * query's plan (EXPLAIN QUERY PLAN: no full scan of result or session).
 * Nothing outside libcore and its tests includes this file.
 */
#ifndef INSIGHT_BROWSE_INTERNAL_H
#define INSIGHT_BROWSE_INTERNAL_H

#include <stddef.h>

typedef struct ins_browse__query {
	const char *name;     /* what it is for, for messages */
	const char *sql;
	const char *may_scan; /* the one table alias it may read whole (small tables), or NULL */
} ins_browse__query;

/* All of browse.c's statements; *n gets their number. */
const ins_browse__query *ins_browse__queries(size_t *n);

#endif
