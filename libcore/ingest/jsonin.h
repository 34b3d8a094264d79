/*
 * jsonin.h - helpers shared by the JSON report parsers (report-log, CTRF).
 *
 * Private to libcore. They check raw input before cJSON sees it (NUL bytes,
 * UTF-8, nesting depth), read values out of cJSON trees without caring
 * whether a key is present, and keep text fields within INS_INGEST_MAX_TEXT.
 */
#ifndef INSIGHT_JSONIN_H
#define INSIGHT_JSONIN_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "insight/buf.h"
#include "insight/input.h"

/*
 * Check that `p[0..len)` is text a JSON parser may see: no NUL byte, valid
 * UTF-8, arrays/objects nested at most INS_INGEST_MAX_DEPTH deep. Returns 0,
 * or -1 with *why set to a static description and *off to the bad byte.
 */
int ins_jsonin_check(const char *p, size_t len, const char **why, size_t *off);

/*
 * Replace "\uD8xx"-style escapes of lone UTF-16 surrogates by "\uFFFD" in
 * place (same length). Python's json writes them for undecodable bytes and
 * cJSON refuses them; a replacement character is the faithful reading.
 */
void ins_jsonin_fix_surrogates(char *p, size_t len);

/* The string value of `key` in `obj`, or NULL when absent or not a string. Borrowed. */
const char *ins_jsonin_str(const cJSON *obj, const char *key);

/* The number value of `key` in `obj`: 0 and *out set, or -1 when absent or not a number. */
int ins_jsonin_num(const cJSON *obj, const char *key, double *out);

/*
 * Append `v` as text: strings as they are, numbers and booleans as JSON
 * writes them, arrays and objects as compact JSON, null as nothing.
 */
void ins_jsonin_text(ins_buf *out, const cJSON *v);

/*
 * Cut `b` to INS_INGEST_MAX_TEXT bytes (on a UTF-8 character boundary) with
 * a note saying how much was dropped. Returns 1 when it cut, else 0.
 */
int ins_jsonin_cap(ins_buf *b);

/*
 * Read the rest of `in` into `out`. Returns 0, the input's error, or
 * INS_EINVALID when the file is larger than `max` bytes.
 */
int ins_jsonin_read_input(ins_buf *out, ins_input *in, size_t max);

/* Seconds (double) since the epoch to epoch ms; 0 when absurd (before 1970 or after 2200). */
int64_t ins_jsonin_epoch_s_to_ms(double s);

#endif
