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

/* RFC 4231's HMAC-SHA-256 test cases 1, 2, 6 and 7 (a key longer than a block is hashed first). */
static void test_hmac_rfc4231(void **state)
{
	static const char big_key_data[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char big_both_data[] =
		"This is a test using a larger than block-size key and a larger than block-size "
		"data. The key needs to be hashed before being used by the HMAC algorithm.";
	uint8_t key20[20], key131[131], mac[INS_SHA256_LEN];
	char hex[65];

	(void)state;
	memset(key20, 0x0b, sizeof(key20));
	ins_hmac_sha256(mac, key20, sizeof(key20), "Hi There", 8);
	ins_sha256_to_hex(hex, mac);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	ins_hmac_sha256(mac, "Jefe", 4, "what do ya want for nothing?", 28);
	ins_sha256_to_hex(hex, mac);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key131, 0xaa, sizeof(key131));
	ins_hmac_sha256(mac, key131, sizeof(key131), big_key_data, strlen(big_key_data));
	ins_sha256_to_hex(hex, mac);
	assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	ins_hmac_sha256(mac, key131, sizeof(key131), big_both_data, strlen(big_both_data));
	ins_sha256_to_hex(hex, mac);
	assert_string_equal(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_streaming_chunks),
		cmocka_unit_test(test_boundaries_against_sha256sum),
		cmocka_unit_test(test_hmac_rfc4231),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
