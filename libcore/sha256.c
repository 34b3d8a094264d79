/*
 * sha256.c - SHA-256 as specified in FIPS 180-4 (see hash.h).
 *
 * Invariant: ctx->used < 64 between calls; a full block is compressed as
 * soon as it is complete.
 *
 * On x86-64 processors with the SHA extensions the blocks are compressed
 * with those instructions (chosen once, at run time): every imported report
 * is hashed whole for duplicate detection, and the portable code would cost
 * about as much as parsing the report.
 */
#include <pthread.h>
#include <string.h>

#include "insight/hash.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + S1 + ch + K[i] + w[i];
		uint32_t S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + maj;
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1

/*
 * `blocks` 64-byte blocks with the SHA-NI instructions. The state is kept
 * in the ABEF/CDGH register layout those instructions use; the message
 * schedule is computed four words at a time from the previous sixteen.
 */
__attribute__((target("sha,sse4.1")))
static void compress_shani(uint32_t h[8], const uint8_t *p, size_t blocks)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i st0, st1, tmp, msg, x[4], save0, save1;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);  /* CDAB */
	st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);  /* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);                                         /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);                                      /* CDGH */

	for (; blocks; blocks--, p += 64) {
		save0 = st0;
		save1 = st1;
		for (int j = 0; j < 16; j++) {
			if (j < 4) {
				x[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)),
							swap);
			} else {
				/* W[t..t+3] from W[t-16..t-13], W[t-15..], W[t-7..t-4], W[t-4..t-1] */
				tmp = _mm_sha256msg1_epu32(x[j & 3], x[(j - 3) & 3]);
				tmp = _mm_add_epi32(tmp, _mm_alignr_epi8(x[(j - 1) & 3],
									 x[(j - 2) & 3], 4));
				x[j & 3] = _mm_sha256msg2_epu32(tmp, x[(j - 1) & 3]);
			}
			msg = _mm_add_epi32(x[j & 3], _mm_loadu_si128((const __m128i *)&K[4 * j]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
			msg = _mm_shuffle_epi32(msg, 0x0E);
			st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
		}
		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
	}

	tmp = _mm_shuffle_epi32(st0, 0x1B);       /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);       /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);    /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);       /* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}

static int use_sha_ni;
static pthread_once_t sha_ni_once = PTHREAD_ONCE_INIT;

static void detect_sha_ni(void)
{
	unsigned a, b, c, d;

	/* leaf 1: SSSE3 (ecx bit 9), SSE4.1 (ecx bit 19); leaf 7: SHA (ebx bit 29) */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29)))
		return;
	use_sha_ni = 1;
}
#endif

/* Compress `blocks` whole blocks starting at p. */
static void compress_blocks(uint32_t h[8], const uint8_t *p, size_t blocks)
{
#ifdef HAVE_SHA_NI
	pthread_once(&sha_ni_once, detect_sha_ni);
	if (use_sha_ni) {
		compress_shani(h, p, blocks);
		return;
	}
#endif
	for (; blocks; blocks--, p += 64)
		compress(h, p);
}

void ins_sha256_init(ins_sha256 *ctx)
{
	static const uint32_t H0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(ctx->state, H0, sizeof(H0));
	ctx->bytes = 0;
	ctx->used = 0;
}

void ins_sha256_update(ins_sha256 *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	ctx->bytes += len;
	if (ctx->used) {
		size_t n = 64 - ctx->used;

		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->used, p, n);
		ctx->used += n;
		p += n;
		len -= n;
		if (ctx->used < 64)
			return;
		compress_blocks(ctx->state, ctx->block, 1);
		ctx->used = 0;
	}
	if (len >= 64) {
		compress_blocks(ctx->state, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	if (len) {
		memcpy(ctx->block, p, len);
		ctx->used = len;
	}
}

void ins_sha256_final(ins_sha256 *ctx, uint8_t out[INS_SHA256_LEN])
{
	uint64_t bits = ctx->bytes * 8;

	ctx->block[ctx->used++] = 0x80;
	if (ctx->used > 56) {
		memset(ctx->block + ctx->used, 0, 64 - ctx->used);
		compress_blocks(ctx->state, ctx->block, 1);
		ctx->used = 0;
	}
	memset(ctx->block + ctx->used, 0, 56 - ctx->used);
	for (int i = 0; i < 8; i++)
		ctx->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress_blocks(ctx->state, ctx->block, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(ctx->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)ctx->state[i];
	}
	ctx->used = 0;
}

void ins_sha256_to_hex(char out[65], const uint8_t digest[INS_SHA256_LEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < INS_SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

void ins_sha256_hex(char out[65], const void *data, size_t len)
{
	ins_sha256 ctx;
	uint8_t d[INS_SHA256_LEN];

	ins_sha256_init(&ctx);
	ins_sha256_update(&ctx, data, len);
	ins_sha256_final(&ctx, d);
	ins_sha256_to_hex(out, d);
}

void ins_hmac_sha256(uint8_t out[INS_SHA256_LEN], const void *key, size_t key_len,
		     const void *data, size_t len)
{
	uint8_t k[64] = { 0 }, pad[64], inner[INS_SHA256_LEN];
	ins_sha256 c;

	if (key_len > sizeof(k)) {
		ins_sha256_init(&c);
		ins_sha256_update(&c, key, key_len);
		ins_sha256_final(&c, k);
	} else if (key_len) {
		memcpy(k, key, key_len);
	}
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	ins_sha256_init(&c);
	ins_sha256_update(&c, pad, sizeof(pad));
	ins_sha256_update(&c, data, len);
	ins_sha256_final(&c, inner);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	ins_sha256_init(&c);
	ins_sha256_update(&c, pad, sizeof(pad));
	ins_sha256_update(&c, inner, sizeof(inner));
	ins_sha256_final(&c, out);
}
