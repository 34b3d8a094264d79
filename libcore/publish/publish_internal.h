/*
 * publish_internal.h - helpers shared by the writers of libcore/publish.
 */
#ifndef INSIGHT_PUBLISH_INTERNAL_H
#define INSIGHT_PUBLISH_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* `s` (n bytes) as a JSON string in quotes; invalid UTF-8 becomes U+FFFD. */
void ins_publish__json_str_n(FILE *fp, const char *s, size_t n);

#endif
