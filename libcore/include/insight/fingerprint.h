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

/*
 * The cause of a failure, from its fingerprint's signature: the failures
 * whose only difference is the test they happen in share it.
 *
 * A failure raised outside the test files (in a fixture, a helper module,
 * the code under test, a library) has the cause "<the signature's message
 * line>\n<its innermost frame>", so the same error from the same place is
 * one cause whichever test reached it. A failure raised in a test file (an
 * assertion in the test body), or whose frames are not known, is its own
 * cause: the signature itself. Different messages are never one cause.
 *
 * Test files are the failing test's own file (`test_file`: a path or a
 * node id, may be NULL) and the files named by the runners' test-file
 * patterns (test_*.py, *_test.py, *Test.java, *.test.js, *.spec.ts,
 * *_test.go, *_spec.rb, ...). `cause` is cleared and receives the cause's
 * signature; returns 1 when it is shared (a frame outside the test files),
 * 0 when it is the fingerprint's own signature.
 */
int ins_fingerprint_cause(ins_buf *cause, const char *signature, const char *test_file);

/* 1 when the file base name `base[0..n)` is a test file (see ins_fingerprint_cause). */
int ins_fingerprint_test_file(const char *base, size_t n, const char *test_file);

/*
 * A signature (of a fingerprint or a cause) in one line for people: its
 * message, and " (at FILE FUNCTION)" for the frame it was raised in.
 * `out` is cleared first.
 */
void ins_fingerprint_title(ins_buf *out, const char *signature);

/* The INS_FINGERPRINT_HEX hex digits that name a signature (fingerprint or cause). */
void ins_fingerprint_hash(char hash[INS_FINGERPRINT_HEX + 1], const char *signature, size_t len);

/* Append `text[0..len)` to `out` with the placeholders above applied (one line). */
void ins_fingerprint_normalize(ins_buf *out, const char *text, size_t len);

#endif
