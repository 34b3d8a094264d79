/*
 * hash.h - SHA-256 (FIPS 180-4), streaming.
 *
 * Used where insight needs a stable content digest: the duplicate-import
 * check (hash of a whole report) and failure fingerprints. Not meant for
 * secrets; there is no constant-time promise.
 *
 * A context is plain data: ins_sha256_init() needs no allocation and there is
 * nothing to release.
 */
#ifndef INSIGHT_HASH_H
#define INSIGHT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define INS_SHA256_LEN 32

typedef struct ins_sha256 {
	uint32_t state[8];   /* the running hash value H0..H7 */
	uint64_t bytes;      /* message length so far, in bytes */
	uint8_t block[64];   /* the partial block not yet compressed */
	size_t used;         /* bytes held in block (0..63) */
} ins_sha256;

void ins_sha256_init(ins_sha256 *ctx);
void ins_sha256_update(ins_sha256 *ctx, const void *data, size_t len);
/* Write the 32-byte digest to `out`; the context must be initialised again before reuse. */
void ins_sha256_final(ins_sha256 *ctx, uint8_t out[INS_SHA256_LEN]);

/* The digest of `data` as 64 lowercase hex digits and a NUL, written to `out`. */
void ins_sha256_hex(char out[65], const void *data, size_t len);
/* Format a finished digest as 64 lowercase hex digits and a NUL. */
void ins_sha256_to_hex(char out[65], const uint8_t digest[INS_SHA256_LEN]);

/*
 * HMAC-SHA-256 (RFC 2104) of `data` under `key`: the signature of a
 * webhook's body (X-Insight-Signature-256).
 */
void ins_hmac_sha256(uint8_t out[INS_SHA256_LEN], const void *key, size_t key_len,
		     const void *data, size_t len);

#endif
