/*
 * fingerprint.h - a stable signature of a failure, so that the same failure
 * is recognised across tests, runs and machines.
 *
 * The signature is built from the failure's first message line (the
 * exception type and text) and the top frames of its traceback (file base
 * name and function, never line numbers), with everything that changes from
 * run to run replaced by placeholders:
 *
 *   <N>     numbers            <HEX>   long hex strings (hashes, ids)
 *   <ADDR>  0x... addresses    <UUID>  uuids
 *   <TS>    ISO timestamps, dates and clock times
 *   <PATH>  temporary paths (/tmp/..., pytest's tmp_path dirs, macOS
 *           /var/folders/..., Windows ...\Temp\...)
 *   <STR>   quoted strings longer than 40 characters (long quoted values
 *           are nearly always data: payloads, generated names, output)
 *
 * and white space folded. The hash is the first 16 hex digits of the
 * SHA-256 of the signature. Changing any rule here changes fingerprints
 * already in users' histories: treat the rules as a stored format.
 */
#ifndef INSIGHT_FINGERPRINT_H
#define INSIGHT_FINGERPRINT_H

#include "buf.h"

#define INS_FINGERPRINT_HEX 16          /* hex digits in a fingerprint hash */
#define INS_FINGERPRINT_MAX_FRAMES 5    /* traceback frames in a signature */

/*
 * Compute the fingerprint of a failure from its message and detail (either
 * may be NULL). `normalized` is cleared and receives the signature text
 * (caller owns the buffer); `hash` receives INS_FINGERPRINT_HEX lowercase
 * hex digits and a NUL. Returns 0.
 */
int ins_fingerprint_compute(ins_buf *normalized, char hash[INS_FINGERPRINT_HEX + 1],
			    const char *message, const char *detail);

/* Append `text[0..len)` to `out` with the placeholders above applied (one line). */
void ins_fingerprint_normalize(ins_buf *out, const char *text, size_t len);

#endif
