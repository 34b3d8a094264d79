/*
 * test_sha256.c - SHA-256 against the FIPS 180-2 known answers, streaming in
 * odd chunk sizes, and the padding boundaries checked against sha256sum(1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "insight/hash.h"

static void hex_of(char out[65], const char *s)
{
	ins_sha256_hex(out, s, strlen(s));
}

static void test_fips_vectors(void **state)
{
	char h[65];

	(void)state;
	hex_of(h, "abc");
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of(h, "");
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of(h, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hex_of(h, "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu");
	assert_string_equal(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state)
{
	ins_sha256 ctx;
	uint8_t d[INS_SHA256_LEN];
	char h[65], chunk[1000];

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	ins_sha256_init(&ctx);
	for (int i = 0; i < 1000; i++)
		ins_sha256_update(&ctx, chunk, sizeof(chunk));
	ins_sha256_final(&ctx, d);
	ins_sha256_to_hex(h, d);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* the same million bytes in one call */
	char *big = malloc(1000000);
	assert_non_null(big);
	memset(big, 'a', 1000000);
	ins_sha256_hex(h, big, 1000000);
	free(big);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_streaming_chunks(void **state)
{
	uint8_t data[1031];
	char whole[65], parts[65];
	static const size_t steps[] = { 1, 3, 7, 63, 64, 65, 200 };

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
	ins_sha256_hex(whole, data, sizeof(data));
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		ins_sha256 ctx;
		uint8_t d[INS_SHA256_LEN];

		ins_sha256_init(&ctx);
		for (size_t off = 0; off < sizeof(data); off += steps[s]) {
			size_t n = sizeof(data) - off < steps[s] ? sizeof(data) - off : steps[s];
			ins_sha256_update(&ctx, data + off, n);
		}
		ins_sha256_update(&ctx, data, 0);
		ins_sha256_final(&ctx, d);
		ins_sha256_to_hex(parts, d);
		assert_string_equal(whole, parts);
	}
}

/* Lengths around the padding boundary (55/56/64 bytes), checked against sha256sum. */
static void test_boundaries_against_sha256sum(void **state)
{
	static const size_t lens[] = { 1, 55, 56, 57, 63, 64, 65, 119, 120, 128 };
	char tmpl[] = "/tmp/insight-sha-XXXXXX";
	int fd;

	(void)state;
	if (system("command -v sha256sum >/dev/null 2>&1") != 0)
		skip();
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char want[65] = "", got[65], cmd[128];
		uint8_t data[128];
		FILE *f, *p;

		for (size_t j = 0; j < lens[i]; j++)
			data[j] = (uint8_t)(j ^ 0x5a);
		f = fopen(tmpl, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, lens[i], f), lens[i]);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "sha256sum %s", tmpl);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fread(want, 1, 64, p), 64);
		pclose(p);
		ins_sha256_hex(got, data, lens[i]);
		assert_string_equal(got, want);
	}
	unlink(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_streaming_chunks),
		cmocka_unit_test(test_boundaries_against_sha256sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
