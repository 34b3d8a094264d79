/*
 * category.h - failure categories: user rules in the configuration that
 * sort failures into kinds ("infrastructure", "product", ...), in the
 * spirit of Allure's categories.json.
 *
 *   [category "infrastructure"]
 *           match-message = (ConnectionRefused|Timeout|No space left)
 *           match-type = OSError
 *           outcomes = error
 *
 * A rule holds when each condition it gives holds: match-message is an
 * extended regular expression searched in the failure's normalised message
 * (its signature's first line, as analytics failures shows it),
 * match-type one searched in the exception type (the message's text
 * before its first ": " when that reads as a type name, such as
 * "ConnectionRefusedError" or "java.net.ConnectException"), outcomes a
 * list of "failed" and "error". The first rule that holds, in the order
 * the configuration gives them, names the category; a failure that no rule
 * matches has analytics.default-category ("product").
 */
#ifndef INSIGHT_CATEGORY_H
#define INSIGHT_CATEGORY_H

#include <stddef.h>

#include "config.h"
#include "model.h"

typedef struct ins_categories ins_categories;

/*
 * Read the rules from `cfg` (may be NULL: no rules). On success *out is a
 * new set the caller frees with ins_categories_free(). INS_EUSAGE when a
 * rule's expression does not compile or its outcomes are not failed or
 * error (the message names the key).
 */
int ins_categories_load(ins_categories **out, const ins_config *cfg);
void ins_categories_free(ins_categories *c);

/*
 * The category of a failure: its normalised message line (the signature's
 * first line; may be NULL) and its outcome (INS_OUTCOME_FAILED or
 * INS_OUTCOME_ERROR). Borrowed from `c`; with c NULL, "product".
 */
const char *ins_categories_match(const ins_categories *c, const char *message, ins_outcome outcome);

/*
 * The same as an index: 0 to ins_categories_count() - 1, the last being
 * the default category; ins_categories_name() names it.
 */
size_t ins_categories_find(const ins_categories *c, const char *message, ins_outcome outcome);
size_t ins_categories_count(const ins_categories *c);
const char *ins_categories_name(const ins_categories *c, size_t i);

/* The exception type a message line starts with ("OSError: x" -> "OSError"): its length, or 0. */
size_t ins_categories_type(const char *message);

#endif
