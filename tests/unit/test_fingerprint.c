/*
 * test_fingerprint.c - failure signatures: pairs that must share a
 * fingerprint (the same failure with volatile details changed) and pairs
 * that must not (different failures), plus the placeholders themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "insight/buf.h"
#include "insight/fingerprint.h"
#include "insight/hash.h"

typedef struct pair {
	const char *what;
	const char *msg_a, *detail_a;
	const char *msg_b, *detail_b;
} pair;

static void fp(char hash[INS_FINGERPRINT_HEX + 1], ins_buf *sig, const char *msg,
	       const char *detail)
{
	assert_int_equal(ins_fingerprint_compute(sig, hash, msg, detail), 0);
	assert_int_equal(strlen(hash), INS_FINGERPRINT_HEX);
	assert_int_equal(strspn(hash, "0123456789abcdef"), INS_FINGERPRINT_HEX);
}

/* pytest's long style, as pytest 7.2 renders it (line numbers vary below) */
#define PYTEST_DEEP(l1, l2, v) \
	"    def test_deep():\n>       helper(" v ")\n\ntest_a.py:" l1 ": \n" \
	"_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _\n\n" \
	"x = " v "\n\n    def helper(x):\n>       assert x == 2\nE       assert " v " == 2\n\n" \
	"test_a.py:" l2 ": AssertionError"

#define PY_NATIVE(dir, l1, l2, func) \
	"Traceback (most recent call last):\n" \
	"  File \"" dir "/app/main.py\", line " l1 ", in run\n    load()\n" \
	"  File \"" dir "/app/io.py\", line " l2 ", in " func "\n    open(p)\n" \
	"FileNotFoundError: [Errno 2] No such file or directory"

#define JAVA(l1, l2, method) \
	"java.lang.IllegalStateException: pool exhausted after 30 ms\n" \
	"\tat com.example.db.Pool." method "(Pool.java:" l1 ")\n" \
	"\tat com.example.db.PoolTest.testBorrow(PoolTest.java:" l2 ")\n" \
	"\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n"

#define JS(l, c, fn) \
	"Error: expect(received).toBe(expected)\n" \
	"    at " fn " (/home/ci/app/src/cart.test.js:" l ":" c ")\n" \
	"    at Object.<anonymous> (/home/ci/app/node_modules/jest-circus/build/utils.js:298:28)\n" \
	"    at /home/ci/app/src/helpers.js:" l ":" c "\n"

#define GO(addr, off, what) \
	"panic: runtime error: " what " [recovered]\n\n" \
	"goroutine 7 [running]:\n" \
	"example.com/shop/cart.(*Cart).Total(" addr ")\n" \
	"\t/home/ci/shop/cart/cart.go:48 +" off "\n" \
	"example.com/shop/cart.TestTotal(0xc000102340)\n" \
	"\t/home/ci/shop/cart/cart_test.go:21 +0x65\n"

#define ASAN(addr, fn) \
	"==12345==ERROR: AddressSanitizer: heap-use-after-free on address " addr "\n" \
	"    #0 0x55d5c1a2b3c4 in " fn "(int) /src/lib/buffer.cpp:88:12\n" \
	"    #1 0x55d5c1a2b9f0 in main /src/tests/buffer_test.cpp:19:5\n"

static const pair must_match[] = {
	{ "numbers in an assertion", "assert 3 == 2", PYTEST_DEEP("69", "66", "3"),
	  "assert 41 == 2", PYTEST_DEEP("73", "70", "41") },
	{ "memory addresses", "AttributeError: <Foo object at 0x7f3b2c1d0e50> has no 'bar'", NULL,
	  "AttributeError: <Foo object at 0x7f99aa001234> has no 'bar'", NULL },
	{ "pytest tmp_path dirs",
	  "FileNotFoundError: [Errno 2] No such file or directory: "
	  "'/tmp/pytest-of-ci/pytest-12/test_load0/data.csv'", NULL,
	  "FileNotFoundError: [Errno 2] No such file or directory: "
	  "'/tmp/pytest-of-bob/pytest-3/test_load1/data.csv'", NULL },
	{ "basetemp outside /tmp",
	  "OSError: cannot write /home/ci/.cache/pytest-of-ci/pytest-4/t0/out.bin", NULL,
	  "OSError: cannot write /home/ci/.cache/pytest-of-ci/pytest-19/t0/out.bin", NULL },
	{ "uuids", "LookupError: order 550e8400-e29b-41d4-a716-446655440000 not found", NULL,
	  "LookupError: order 9d2c6a10-3f7a-4e22-9a8f-1a2b3c4d5e6f not found", NULL },
	{ "ISO timestamps", "AssertionError: token expired at 2024-03-01T12:00:03.123Z", NULL,
	  "AssertionError: token expired at 2025-11-30T08:15:00+02:00", NULL },
	{ "dates and clock times", "no data for 2024-01-05 (checked 12:01:33)", NULL,
	  "no data for 2023-12-31 (checked 23:59:59.250)", NULL },
	{ "line numbers and install dirs in Python frames", NULL,
	  PY_NATIVE("/home/ci/build-17", "12", "30", "load"), NULL,
	  PY_NATIVE("/home/ci/build-18", "14", "31", "load") },
	{ "Java frame line numbers and a number in the message",
	  "java.lang.IllegalStateException: pool exhausted after 30 ms", JAVA("42", "17", "borrow"),
	  "java.lang.IllegalStateException: pool exhausted after 125 ms", JAVA("44", "18", "borrow") },
	{ "JavaScript line:column", "expect(received).toBe(expected)", JS("10", "15", "Object.total"),
	  "expect(received).toBe(expected)", JS("12", "3", "Object.total") },
	{ "Windows temp paths",
	  "PermissionError: C:\\Users\\ci\\AppData\\Local\\Temp\\tmpab12cd\\out.txt is locked", NULL,
	  "PermissionError: C:\\Users\\bob\\AppData\\Local\\Temp\\tmpzz99\\out.txt is locked", NULL },
	{ "macOS temp dirs",
	  "cannot open /var/folders/7x/abc123_n4kq/T/pytest-of-me/pytest-2/x.db", NULL,
	  "cannot open /var/folders/q1/zz9_8yy/T/pytest-of-me/pytest-7/x.db", NULL },
	{ "hex ids", "KeyError: commit 5f1c9e2a7b3d4c6e not in cache", NULL,
	  "KeyError: commit a1b2c3d4e5f60718 not in cache", NULL },
	{ "white space", "assert   total ==\t expected", NULL, "assert total == expected", NULL },
	{ "long quoted values",
	  "AssertionError: assert 'payload-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-v1' == 'x'", NULL,
	  "AssertionError: assert 'payload-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' == 'x'", NULL },
	{ "Go panic addresses and offsets", "panic: runtime error: index out of range [5] with length 3",
	  GO("0xc000012345", "0x1d", "index out of range [5] with length 3"),
	  "panic: runtime error: index out of range [7] with length 2",
	  GO("0xc00009abcd", "0x2f", "index out of range [7] with length 2") },
	{ "sanitizer addresses", NULL, ASAN("0x602000000010", "Buffer::grow"),
	  NULL, ASAN("0x6020000000f0", "Buffer::grow") },
	{ "outer Python frames beyond the top five",
	  "ValueError: bad",
	  "  File \"a.py\", line 1, in outer_one\n  File \"b.py\", line 1, in f1\n"
	  "  File \"b.py\", line 2, in f2\n  File \"b.py\", line 3, in f3\n"
	  "  File \"b.py\", line 4, in f4\n  File \"b.py\", line 5, in f5\nValueError: bad",
	  "ValueError: bad",
	  "  File \"z.py\", line 9, in outer_two\n  File \"b.py\", line 1, in f1\n"
	  "  File \"b.py\", line 2, in f2\n  File \"b.py\", line 3, in f3\n"
	  "  File \"b.py\", line 4, in f4\n  File \"b.py\", line 5, in f5\nValueError: bad" },
};

static const pair must_differ[] = {
	{ "exception types", "KeyError: 'a'", NULL, "ValueError: 'a'", NULL },
	{ "assertion text", "assert total == expected", NULL, "assert total != expected", NULL },
	{ "short quoted values", "KeyError: 'missing'", NULL, "KeyError: 'other'", NULL },
	{ "names with digits", "NameError: name 'x1' is not defined", NULL,
	  "NameError: name 'x2' is not defined", NULL },
	{ "failing Python function (pytest long style)", "assert 3 == 2", PYTEST_DEEP("69", "66", "3"),
	  "assert 3 == 2",
	  "    def test_deep():\n>       other(3)\n\ntest_a.py:69: \n_ _ _\n\n"
	  "    def other(x):\n>       assert x == 2\nE       assert 3 == 2\n\ntest_a.py:66: AssertionError" },
	{ "failing Python function (native)", NULL, PY_NATIVE("/srv", "12", "30", "load"),
	  NULL, PY_NATIVE("/srv", "12", "30", "save") },
	{ "failing Java method", "java.lang.IllegalStateException: pool exhausted after 30 ms",
	  JAVA("42", "17", "borrow"),
	  "java.lang.IllegalStateException: pool exhausted after 30 ms", JAVA("42", "17", "release") },
	{ "failing JavaScript function", "expect(received).toBe(expected)", JS("10", "15", "Object.total"),
	  "expect(received).toBe(expected)", JS("10", "15", "Object.subtotal") },
	{ "Go runtime errors", NULL, GO("0xc0", "0x1d", "index out of range [5] with length 3"),
	  NULL, GO("0xc0", "0x1d", "invalid memory address or nil pointer dereference") },
	{ "C++ function", "heap-use-after-free", ASAN("0x60", "Buffer::grow"),
	  "heap-use-after-free", ASAN("0x60", "Buffer::shrink") },
	{ "selectors in a timeout", "Timeout waiting for .dashboard-metrics", NULL,
	  "Timeout waiting for .login-form", NULL },
	{ "file of the failing frame", "ValueError: bad",
	  "  File \"/x/a.py\", line 3, in check\nValueError: bad",
	  "ValueError: bad", "  File \"/x/b.py\", line 3, in check\nValueError: bad" },
	{ "message only vs same message with a different first line",
	  "AssertionError: expected 200", NULL, "AssertionError: expected OK", NULL },
};

static void test_pairs_that_match(void **state)
{
	ins_buf sa = INS_BUF_INIT, sb = INS_BUF_INIT;
	char ha[INS_FINGERPRINT_HEX + 1], hb[INS_FINGERPRINT_HEX + 1];

	(void)state;
	assert_true(sizeof(must_match) / sizeof(must_match[0]) >= 10);
	for (size_t i = 0; i < sizeof(must_match) / sizeof(must_match[0]); i++) {
		const pair *p = &must_match[i];

		fp(ha, &sa, p->msg_a, p->detail_a);
		fp(hb, &sb, p->msg_b, p->detail_b);
		if (strcmp(ha, hb) || strcmp(sa.ptr, sb.ptr))
			fail_msg("%s: should match\n--- a:\n%s\n--- b:\n%s", p->what, sa.ptr, sb.ptr);
	}
	ins_buf_release(&sa);
	ins_buf_release(&sb);
}

static void test_pairs_that_differ(void **state)
{
	ins_buf sa = INS_BUF_INIT, sb = INS_BUF_INIT;
	char ha[INS_FINGERPRINT_HEX + 1], hb[INS_FINGERPRINT_HEX + 1];

	(void)state;
	assert_true(sizeof(must_differ) / sizeof(must_differ[0]) >= 10);
	for (size_t i = 0; i < sizeof(must_differ) / sizeof(must_differ[0]); i++) {
		const pair *p = &must_differ[i];

		fp(ha, &sa, p->msg_a, p->detail_a);
		fp(hb, &sb, p->msg_b, p->detail_b);
		if (!strcmp(ha, hb))
			fail_msg("%s: should differ, both are\n%s", p->what, sa.ptr);
	}
	ins_buf_release(&sa);
	ins_buf_release(&sb);
}

static void expect_norm(const char *in, const char *want)
{
	ins_buf b = INS_BUF_INIT;

	ins_fingerprint_normalize(&b, in, strlen(in));
	assert_string_equal(b.ptr, want);
	ins_buf_release(&b);
}

static void test_placeholders(void **state)
{
	(void)state;
	expect_norm("assert 3 == 2.5e-05", "assert <N> == <N>");
	expect_norm("obj at 0x7fAB12 and deadbeef and a1b2c3d4e5", "obj at <ADDR> and deadbeef and <HEX>");
	expect_norm("id 550e8400-e29b-41d4-a716-446655440000.", "id <UUID>.");
	expect_norm("at 2024-03-01T12:00:03Z or 2024-03-01 or 10:11:12",
		    "at <TS> or <TS> or <TS>");
	expect_norm("'/tmp/pytest-of-u/pytest-1/t0/f.txt' and /tmp/x:12",
		    "'<PATH>' and <PATH>:<N>");
	expect_norm("test_3 utf8 x86_64 md5", "test_3 utf8 x86_64 md5");
	expect_norm("  a \t b\n c  ", "a b c");
	expect_norm("x = \"0123456789012345678901234567890123456789012\"", "x = \"<STR>\"");
	expect_norm("x = 'short'", "x = 'short'");
	expect_norm("/home/ci/project/src/app.py", "/home/ci/project/src/app.py");
}

static void test_signature_shape(void **state)
{
	ins_buf sig = INS_BUF_INIT;
	char h[INS_FINGERPRINT_HEX + 1];

	(void)state;
	fp(h, &sig, "assert 3 == 2", PYTEST_DEEP("69", "66", "3"));
	assert_string_equal(sig.ptr, "assert <N> == <N>\ntest_a.py test_deep\ntest_a.py helper");
	fp(h, &sig, NULL, JAVA("1", "2", "borrow"));
	assert_string_equal(sig.ptr, "java.lang.IllegalStateException: pool exhausted after <N> ms\n"
			    "Pool.java com.example.db.Pool.borrow\n"
			    "PoolTest.java com.example.db.PoolTest.testBorrow\n"
			    "Native Method java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0");
	fp(h, &sig, "boom", GO("0xc0", "0x1", "x"));
	assert_string_equal(sig.ptr, "boom\ncart.go example.com/shop/cart.(*Cart).Total\n"
			    "cart_test.go example.com/shop/cart.TestTotal");
	fp(h, &sig, NULL, "E   ModuleNotFoundError: No module named 'x'\nmore");
	assert_string_equal(sig.ptr, "ModuleNotFoundError: No module named 'x'\n"
			    "E ModuleNotFoundError: No module named 'x'\nmore");
	fp(h, &sig, NULL, GO("0xc0", "0x1", "nil map"));
	assert_string_equal(sig.ptr, "panic: runtime error: nil map [recovered]\n"
			    "cart.go example.com/shop/cart.(*Cart).Total\n"
			    "cart_test.go example.com/shop/cart.TestTotal");
	fp(h, &sig, NULL, ASAN("0x1", "f"));
	assert_string_equal(sig.ptr, "==<N>==ERROR: AddressSanitizer: heap-use-after-free on address "
			    "<ADDR>\nbuffer.cpp f(int)\nbuffer_test.cpp main");
	fp(h, &sig, NULL, NULL);
	assert_string_equal(sig.ptr, "(no message)");
	/* the hash is the start of the signature's SHA-256 */
	{
		char full[65];

		ins_sha256_hex(full, sig.ptr, sig.len);
		assert_memory_equal(h, full, INS_FINGERPRINT_HEX);
	}
	ins_buf_release(&sig);
}

/* The cause of a failure: its signature from message and detail, then the rule. */
static int cause_of(ins_buf *cause, const char *message, const char *detail, const char *test_file)
{
	ins_buf sig = INS_BUF_INIT;
	char hash[INS_FINGERPRINT_HEX + 1];
	int shared;

	ins_fingerprint_compute(&sig, hash, message, detail);
	shared = ins_fingerprint_cause(cause, sig.ptr, test_file);
	ins_buf_release(&sig);
	return shared;
}

static void test_causes(void **state)
{
	ins_buf a = INS_BUF_INIT, b = INS_BUF_INIT;
	(void)state;

	/* Python: a helper's assertion from two test functions is one cause */
	assert_int_equal(cause_of(&a, "AssertionError: expected 3 got 4",
		"tests/test_a.py:5: in test_one\n    check(3, 4)\n"
		"shop/pricing.py:2: in check\n    assert got == want\nE   AssertionError",
		"tests/test_a.py::test_one"), 1);
	assert_int_equal(cause_of(&b, "AssertionError: expected 7 got 9",
		"tests/test_b.py:9: in test_two\n    check(7, 9)\n"
		"shop/pricing.py:2: in check\n    assert got == want\nE   AssertionError",
		"tests/test_b.py::test_two"), 1);
	assert_string_equal(a.ptr, b.ptr);
	assert_string_equal(a.ptr, "AssertionError: expected <N> got <N>\npricing.py check");

	/* ... but a different message from the same place is another cause */
	cause_of(&b, "TypeError: unsupported operand",
		 "tests/test_b.py:9: in test_two\n    check(7, None)\n"
		 "shop/pricing.py:2: in check\n    assert got == want\n", "tests/test_b.py::test_two");
	assert_string_not_equal(a.ptr, b.ptr);

	/* an assertion in the test body: the fingerprint itself, test frame and all */
	assert_int_equal(cause_of(&a, "assert 1 == 2",
		"tests/test_a.py:5: in test_one\n    assert 1 == 2\n", "tests/test_a.py::test_one"), 0);
	assert_string_equal(a.ptr, "assert <N> == <N>\ntest_a.py test_one");

	/* a test file named by no pattern is still the test's own file */
	assert_int_equal(cause_of(&a, "assert 1 == 2",
		"checks/shop_checks.py:5: in check_one\n    assert 1 == 2\n",
		"checks/shop_checks.py::check_one"), 0);

	/* Java: the innermost frame comes first */
	assert_int_equal(cause_of(&a, "java.net.ConnectException: Connection refused",
		"java.net.ConnectException: Connection refused\n"
		"\tat com.acme.db.Pool.connect(Pool.java:88)\n"
		"\tat com.acme.CartTest.setUp(CartTest.java:20)\n", "com.acme.CartTest"), 1);
	assert_string_equal(a.ptr, "java.net.ConnectException: Connection refused\nPool.java com.acme.db.Pool.connect");
	assert_int_equal(cause_of(&a, "org.opentest4j.AssertionFailedError: expected 1",
		"org.opentest4j.AssertionFailedError: expected 1\n"
		"\tat com.acme.CartTest.total(CartTest.java:31)\n", "com.acme.CartTest"), 0);

	/* JavaScript: a spec file is a test file */
	assert_int_equal(cause_of(&a, "Error: boom",
		"Error: boom\n    at Object.<anonymous> (src/cart.spec.ts:10:5)\n", NULL), 0);
	assert_int_equal(cause_of(&a, "Error: boom",
		"Error: boom\n    at total (src/cart.ts:4:9)\n"
		"    at Object.<anonymous> (src/cart.spec.ts:10:5)\n", NULL), 1);
	assert_string_equal(a.ptr, "Error: boom\ncart.ts total");

	/* no frames recognised: the failure is its own cause */
	assert_int_equal(cause_of(&a, "boom", "something went wrong\nat the end\n", NULL), 0);
	assert_int_equal(cause_of(&a, "boom", NULL, NULL), 0);
	assert_string_equal(a.ptr, "boom");

	/* test-file patterns */
	assert_true(ins_fingerprint_test_file("test_x.py", 9, NULL));
	assert_true(ins_fingerprint_test_file("x_test.go", 9, NULL));
	assert_true(ins_fingerprint_test_file("CartTest.java", 13, NULL));
	assert_true(ins_fingerprint_test_file("TestCart.java", 13, NULL));
	assert_false(ins_fingerprint_test_file("Testing.java", 12, NULL));
	assert_false(ins_fingerprint_test_file("conftest.py", 11, NULL));
	assert_false(ins_fingerprint_test_file("pool.py", 7, NULL));
	assert_true(ins_fingerprint_test_file("pool.py", 7, "tests/pool.py::test_x"));
	ins_buf_release(&a);
	ins_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_that_match),
		cmocka_unit_test(test_pairs_that_differ),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_signature_shape),
		cmocka_unit_test(test_causes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
