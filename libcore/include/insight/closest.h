/*
 * closest.h - "did you mean": the known name nearest to a mistyped one, by
 * optimal string alignment distance (insertions, deletions, substitutions
 * and swaps of neighbours); a name that starts with the word counts as
 * near. Nothing is offered when every name is far.
 */
#ifndef INSIGHT_CLOSEST_H
#define INSIGHT_CLOSEST_H

#include <stddef.h>

/* The optimal string alignment distance of a and b; (size_t)-1 past 80 bytes either. */
size_t ins_edit_distance(const char *a, const char *b);

/* The closest of `names` to `word`, or NULL when nothing is close. */
const char *ins_closest(const char *word, const char *const *names, size_t n);

#endif
