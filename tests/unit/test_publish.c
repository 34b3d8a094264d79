/*
 * test_publish.c - what publishers share that needs no server: TestRail case
 * ids and Zephyr test case keys found in names and property values,
 * TestRail's elapsed timespans, the mapping file, and the zip of one file
 * that Zephyr's bulk upload sends.
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
#include <zlib.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/publish.h"
#include "publish/publish_internal.h"

/* The ids found in `text`, as "12,13" ("" for none). */
static char *ids_of(const char *text, int loose)
{
	static char out[256];
	long *ids = NULL;
	size_t n = 0, alloc = 0, len = 0;

	out[0] = '\0';
	ins_testrail_case_ids(text, loose, &ids, &n, &alloc);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%ld", i ? "," : "", ids[i]);
	free(ids);
	return out;
}

static void test_case_ids_in_names(void **state)
{
	(void)state;
	assert_string_equal(ids_of("test_login_C12", 0), "12");
	assert_string_equal(ids_of("C12_login", 0), "12");
	assert_string_equal(ids_of("test_pay[C13]", 0), "13");
	assert_string_equal(ids_of("name_C14()", 0), "14");
	assert_string_equal(ids_of("test_both[C20, C21]", 0), "20,21");
	assert_string_equal(ids_of("test_ABC123", 0), "");     /* the C follows a letter */
	assert_string_equal(ids_of("test_C12x", 0), "");       /* a letter follows the digits */
	assert_string_equal(ids_of("test_c12", 0), "");        /* lower case c in a name */
	assert_string_equal(ids_of("TestCase", 0), "");
	assert_string_equal(ids_of("test_12", 0), "");         /* a bare number in a name */
	assert_string_equal(ids_of("C0", 0), "");
	assert_string_equal(ids_of("", 0), "");
}

static void test_case_ids_in_values(void **state)
{
	(void)state;
	assert_string_equal(ids_of("C12", 1), "12");
	assert_string_equal(ids_of("12", 1), "12");
	assert_string_equal(ids_of("C1, C2,3", 1), "1,2,3");
	assert_string_equal(ids_of("PROJ-T123", 1), "");
	assert_string_equal(ids_of("none", 1), "");
}

static void elapsed_is(double secs, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_testrail_elapsed(&b, secs);
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void test_elapsed(void **state)
{
	(void)state;
	elapsed_is(0, "1s");       /* never "0s" */
	elapsed_is(0.2, "1s");
	elapsed_is(1.4, "1s");
	elapsed_is(1.5, "2s");
	elapsed_is(59.6, "1m");
	elapsed_is(65.4, "1m 5s");
	elapsed_is(3600, "1h");
	elapsed_is(3725, "1h 2m 5s");
	elapsed_is(7205, "2h 5s");
}

/* The Zephyr keys found in `text`, as "A-T1,B-T2" ("" for none). */
static char *keys_in(const char *text, const char *project)
{
	static char out[256];
	char **keys = NULL;
	size_t n = 0, alloc = 0, len = 0;

	out[0] = '\0';
	ins_zephyr_test_keys(text, project, &keys, &n, &alloc);
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? "," : "", keys[i]);
		free(keys[i]);
	}
	free(keys);
	return out;
}

static char *keys_of(const char *text)
{
	return keys_in(text, NULL);
}

static void test_zephyr_keys(void **state)
{
	(void)state;
	assert_string_equal(keys_of("login_C12_SHOP-T1"), "C12_SHOP-T1"); /* the longest */
	assert_string_equal(keys_in("login_C12_SHOP-T1", "SHOP"), "SHOP-T1");
	assert_string_equal(keys_in("MY_PROJ2-T7", "MY_PROJ2"), "MY_PROJ2-T7");
	assert_string_equal(keys_of("test_login_SHOP-T12"), "SHOP-T12");
	assert_string_equal(keys_of("test_pay[SHOP-T13]"), "SHOP-T13");
	assert_string_equal(keys_of("[SHOP-T20, SHOP-T21]"), "SHOP-T20,SHOP-T21");
	assert_string_equal(keys_of("MY_PROJ2-T7_login"), "MY_PROJ2-T7");
	assert_string_equal(keys_of("SHOP-T3"), "SHOP-T3");
	assert_string_equal(keys_of("test_xSHOP-T99"), "");   /* follows a letter */
	assert_string_equal(keys_of("SHOP-T12a"), "");        /* a letter follows */
	assert_string_equal(keys_of("S-T1"), "");             /* a one-letter project */
	assert_string_equal(keys_of("shop-T1"), "");
	assert_string_equal(keys_of("SHOP-R12"), "");         /* a cycle, not a test case */
	assert_string_equal(keys_of("C12"), "");
}

static void test_map_file(void **state)
{
	char path[] = "/tmp/insight-test-map-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;
	ins_pub_map *m = NULL;

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("nodeid,case_id\n"
	      "tests/a.py::test_x,C12\n"
	      "\"tests/a.py::test_y[a,b]\",13\n"
	      "\n# a comment\n"
	      "tests/a.py::test_x, C14\n"
	      "\"tests/a.py::test_\"\"q\"\"\",C15\n", fp);
	fclose(fp);
	assert_int_equal(ins_pub_map_read(&m, path), 0);
	assert_string_equal(ins_pub_map_get(m, "tests/a.py::test_x"), "C12,C14");
	assert_string_equal(ins_pub_map_get(m, "tests/a.py::test_y[a,b]"), "13");
	assert_string_equal(ins_pub_map_get(m, "tests/a.py::test_\"q\""), "C15");
	assert_null(ins_pub_map_get(m, "tests/a.py::test_z"));
	ins_pub_map_free(m);

	fp = fopen(path, "w");
	fputs("tests/a.py::test_x,C12\ntests/a.py::test_y,nothing\n", fp);
	fclose(fp);
	assert_int_equal(ins_pub_map_read(&m, path), INS_EINVALID);
	assert_null(m);
	assert_non_null(strstr(ins_error_last(), ":2: not a node id and a case id"));
	unlink(path);
	assert_int_equal(ins_pub_map_read(&m, path), INS_EIO);
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long get32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
	       (unsigned long)p[3] << 24;
}

/* Read back the one entry of a zip: its headers agree, and it inflates to `data`. */
static void zip_holds(const ins_buf *zip, const char *name, const unsigned char *data,
		      size_t len, unsigned want_method)
{
	const unsigned char *z = (const unsigned char *)zip->ptr, *cd, *end;
	size_t nlen = strlen(name), csize;
	unsigned char *back = malloc(len + 1);
	uLongf got = (uLongf)len;
	z_stream zs;

	assert_true(zip->len > 30 + 46 + 22);
	assert_int_equal(get32(z), 0x04034b50);
	assert_int_equal(get16(z + 8), want_method);
	assert_int_equal(get32(z + 14), crc32(0L, data, (uInt)len));
	csize = get32(z + 18);
	assert_int_equal(get32(z + 22), len);
	assert_int_equal(get16(z + 26), nlen);
	assert_memory_equal(z + 30, name, nlen);
	end = z + zip->len - 22;
	assert_int_equal(get32(end), 0x06054b50);
	assert_int_equal(get16(end + 10), 1);
	cd = z + get32(end + 16);
	assert_int_equal(get32(cd), 0x02014b50);
	assert_int_equal(get32(cd + 16), get32(z + 14));
	assert_int_equal(get32(cd + 42), 0);
	assert_int_equal(get32(end + 12), (size_t)(end - cd));
	assert_int_equal((size_t)(cd - z), 30 + nlen + csize);
	if (want_method == 0) {
		assert_int_equal(csize, len);
		assert_memory_equal(z + 30 + nlen, data, len);
	} else {
		memset(&zs, 0, sizeof(zs));
		assert_int_equal(inflateInit2(&zs, -15), Z_OK);
		zs.next_in = (Bytef *)(z + 30 + nlen);
		zs.avail_in = (uInt)csize;
		zs.next_out = back;
		zs.avail_out = (uInt)len + 1;
		assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
		got = zs.total_out;
		inflateEnd(&zs);
		assert_int_equal(got, len);
		assert_memory_equal(back, data, len);
	}
	free(back);
}

static void test_zip_one(void **state)
{
	ins_buf zip = INS_BUF_INIT, text = INS_BUF_INIT;
	unsigned char noise[4096];
	uint32_t x = 2463534242u;

	(void)state;
	for (int i = 0; i < 200; i++)
		ins_buf_printf(&text, "<testcase classname=\"tests.test_a\" name=\"t%d\"/>\n", i);
	/* 2026-12-05 18:30:12 UTC */
	assert_int_equal(ins_zip_one(&zip, "junit.xml", text.ptr, text.len, 1796495412000LL), 0);
	zip_holds(&zip, "junit.xml", (const unsigned char *)text.ptr, text.len, 8);
	assert_true(zip.len < text.len / 4);
	/* MS-DOS time and date of the entry */
	assert_int_equal(get16((const unsigned char *)zip.ptr + 10), 18 << 11 | 30 << 5 | 6);
	assert_int_equal(get16((const unsigned char *)zip.ptr + 12), (2026 - 1980) << 9 | 12 << 5 | 5);

	/* Bytes deflate cannot shrink are stored. */
	for (size_t i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	ins_buf_clear(&zip);
	assert_int_equal(ins_zip_one(&zip, "noise.bin", noise, sizeof(noise), 0), 0);
	zip_holds(&zip, "noise.bin", noise, sizeof(noise), 0);
	/* before 1980: 1980-01-01 00:00 */
	assert_int_equal(get16((const unsigned char *)zip.ptr + 12), 1 << 5 | 1);

	/* An empty file. */
	ins_buf_clear(&zip);
	assert_int_equal(ins_zip_one(&zip, "empty.xml", "", 0, 0), 0);
	assert_int_equal(get32((const unsigned char *)zip.ptr + 22), 0);
	ins_buf_release(&zip);
	ins_buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_ids_in_names),
		cmocka_unit_test(test_case_ids_in_values),
		cmocka_unit_test(test_elapsed),
		cmocka_unit_test(test_zephyr_keys),
		cmocka_unit_test(test_map_file),
		cmocka_unit_test(test_zip_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
