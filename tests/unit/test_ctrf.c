/*
 * test_ctrf.c - the CTRF parser on the reports in tests/fixtures/ctrf/ and
 * on broken input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "insight/ingest.h"
#include "ingest_collect.h"

static int parse_fixture(const char *name, collected *c)
{
	ins_buf path = INS_BUF_INIT;
	const char *src = getenv("INSIGHT_SRCDIR");
	int ret;

	assert_non_null(src);
	ins_buf_printf(&path, "%s/tests/fixtures/ctrf/%s", src, name);
	ret = parse_file(ins_ingest_ctrf, path.ptr, c);
	ins_buf_release(&path);
	return ret;
}

static int parse_str(const char *text, collected *c)
{
	return parse_text(ins_ingest_ctrf, text, strlen(text), c);
}

static size_t count_props(const got_result *g, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nprops; i++)
		n += !strcmp(g->pkeys[i], key);
	return n;
}

static void test_playwright_retries(void **state)
{
	collected c = { 0 };
	const got_result *g;

	(void)state;
	assert_int_equal(parse_fixture("playwright-retries.json", &c), 0);
	assert_int_equal(c.n, 7);

	/* meta */
	assert_string_equal(meta_get(&c, "tool"), "playwright");
	assert_string_equal(meta_get(&c, "tool_version"), "1.42.1");
	assert_string_equal(meta_get(&c, "started_ms"), "1709547330000");
	assert_string_equal(meta_get(&c, "finished_ms"), "1709547391250");
	assert_string_equal(meta_get(&c, "env.buildName"), "shop-web CI");
	assert_string_equal(meta_get(&c, "env.buildNumber"), "1287");
	assert_string_equal(meta_get(&c, "env.buildUrl"), "https://ci.example.com/shop-web/1287");
	assert_string_equal(meta_get(&c, "env.commit"), "5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e");
	assert_string_equal(meta_get(&c, "env.branchName"), "main");
	assert_string_equal(meta_get(&c, "env.repositoryUrl"), "https://github.com/example/shop-web");
	assert_string_equal(meta_get(&c, "env.osRelease"), "6.1.0-18-amd64");
	assert_null(meta_get(&c, "env.healthy")); /* booleans and objects are no facts */
	assert_null(meta_get(&c, "env.extra"));

	/* a plain pass */
	g = &c.r[0];
	assert_string_equal(g->nodeid, "tests/cart.spec.ts::cart.spec.ts::Cart::shows the cart badge");
	assert_string_equal(g->file, "tests/cart.spec.ts");
	assert_string_equal(g->classname, "cart.spec.ts::Cart");
	assert_string_equal(g->name, "shows the cart badge");
	assert_int_equal(g->outcome, INS_OUTCOME_PASSED);
	assert_true(g->duration == 1.834);
	assert_int_equal(g->start_ms, INT64_C(1709547330120));
	assert_int_equal(g->flags, 0);
	assert_string_equal(prop_get(g, "tag"), "@smoke");
	assert_string_equal(prop_get(g, "type"), "e2e");
	assert_string_equal(prop_get(g, "browser"), "chromium 123.0.6312.4");
	assert_null(g->message);

	/* two failed attempts, then the passing final one */
	for (int i = 1; i <= 3; i++)
		assert_string_equal(c.r[i].nodeid, "tests/checkout.spec.ts::checkout.spec.ts::"
				    "Checkout::checkout completes [visa]");
	assert_int_equal(c.r[1].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(c.r[1].message, "Test timeout of 30000ms exceeded.");
	assert_non_null(strstr(c.r[1].detail, "checkout.spec.ts:41:16"));
	assert_true(c.r[1].duration == 30.012);
	assert_int_equal(c.r[1].start_ms, INT64_C(1709547331000));
	assert_string_equal(c.r[1].out, "opening checkout\n");
	assert_null(c.r[1].err);
	assert_int_equal(c.r[2].outcome, INS_OUTCOME_FAILED);
	assert_non_null(strstr(c.r[2].message, "Received: \"Pending\""));
	assert_true(c.r[2].duration == 2.077);
	assert_int_equal(c.r[3].outcome, INS_OUTCOME_PASSED);
	assert_true(c.r[3].flags & INS_RESULT_FLAKY);
	assert_true(c.r[3].duration == 4.21);
	assert_null(c.r[3].message);
	assert_int_equal(count_props(&c.r[3], "tag"), 2);
	assert_int_equal(count_props(&c.r[1], "tag"), 2);

	/* failed with one earlier failed attempt; timedOut stays a failure */
	g = &c.r[4];
	assert_int_equal(g->outcome, INS_OUTCOME_FAILED);
	assert_string_equal(g->nodeid, "tests/refund.spec.ts::refund.spec.ts::refund is shown");
	g = &c.r[5];
	assert_int_equal(g->outcome, INS_OUTCOME_FAILED);
	assert_false(g->flags & INS_RESULT_FLAKY);
	assert_string_equal(g->out, "refund id 81234\n");
	assert_string_equal(g->err, "warning: slow backend\n");
	assert_string_equal(prop_get(g, "rawStatus"), "timedOut");
	assert_string_equal(prop_get(g, "attachment"), "test-results/refund/test-failed-1.png");
	assert_non_null(strstr(g->detail, "refund.spec.ts:12:40"));

	g = &c.r[6];
	assert_int_equal(g->outcome, INS_OUTCOME_SKIPPED);
	assert_string_equal(g->message, "Test is skipped: firefox only");
	assert_true(g->duration == 0.0);
	collected_free(&c);
}

static void test_jest_flaky_env(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_fixture("jest-flaky-env.json", &c), 0);
	/* flaky without attempts: one failed attempt is made up before the pass */
	assert_int_equal(c.n, 6);
	assert_string_equal(c.r[0].nodeid, "/home/ci/app/src/utils/dates.test.js::utils > dates::"
			    "parses dates");
	assert_int_equal(c.r[0].outcome, INS_OUTCOME_FAILED);
	assert_true(c.r[0].duration < 0);
	assert_non_null(strstr(c.r[0].message, "earlier attempt failed"));
	assert_string_equal(c.r[1].nodeid, c.r[0].nodeid);
	assert_int_equal(c.r[1].outcome, INS_OUTCOME_PASSED);
	assert_true(c.r[1].flags & INS_RESULT_FLAKY);
	assert_true(c.r[1].duration == 0.012);
	assert_string_equal(c.r[1].out, "console.log\n    parsed 2024-04-01\n");
	assert_string_equal(c.r[1].classname, "utils > dates");
	assert_string_equal(prop_get(&c.r[1], "param.tz"), "Europe/Berlin");
	assert_string_equal(prop_get(&c.r[1], "param.n"), "3");
	assert_string_equal(prop_get(&c.r[1], "param.strict"), "true");

	assert_string_equal(c.r[2].nodeid, "utils > money::formats money");
	assert_null(c.r[2].file);
	assert_int_equal(c.r[2].flags, 0);
	assert_int_equal(c.r[3].outcome, INS_OUTCOME_SKIPPED); /* pending */
	assert_string_equal(c.r[3].nodeid, "api::talks to the real API");
	assert_int_equal(c.r[4].outcome, INS_OUTCOME_SKIPPED);
	assert_string_equal(c.r[4].nodeid, "renders charts");
	assert_null(c.r[4].classname);
	assert_string_equal(c.r[4].message, "canvas not available");
	assert_int_equal(c.r[5].outcome, INS_OUTCOME_SKIPPED); /* other + todo */
	assert_int_equal(c.r[0].start_ms, 0);

	assert_string_equal(meta_get(&c, "tool"), "jest");
	assert_null(meta_get(&c, "tool_version"));
	assert_string_equal(meta_get(&c, "started_ms"), "1712000000000");
	assert_string_equal(meta_get(&c, "finished_ms"), "1712000004500");
	assert_string_equal(meta_get(&c, "env.buildNumber"), "2024.04.01-3");
	assert_string_equal(meta_get(&c, "env.branchName"), "release/2.x");
	assert_string_equal(meta_get(&c, "env.commit"), "a1b2c3d");
	collected_free(&c);
}

static void test_final_attempt_repeated(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_fixture("final-repeated.json", &c), 0);
	assert_int_equal(c.n, 5);
	/* retries 1 and two entries: the second entry is the test itself */
	assert_int_equal(c.r[0].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(c.r[0].message, "Payment gateway timeout");
	assert_true(c.r[0].duration == 5.1);
	assert_int_equal(c.r[1].outcome, INS_OUTCOME_PASSED);
	assert_true(c.r[1].flags & INS_RESULT_FLAKY);
	assert_string_equal(c.r[1].nodeid, "tests/checkout/checkout.test.js::Checkout::user can checkout");
	assert_string_equal(prop_get(&c.r[1], "label.priority"), "P2");
	assert_string_equal(prop_get(&c.r[1], "label.externalId"), "45679");
	/* no retries count: the last entry matches the test's status and duration */
	assert_string_equal(c.r[2].message, "first try");
	assert_int_equal(c.r[2].outcome, INS_OUTCOME_FAILED);
	assert_int_equal(c.r[3].outcome, INS_OUTCOME_ERROR); /* failed + rawStatus error */
	assert_non_null(strstr(c.r[3].message, "OSError"));
	assert_int_equal(c.r[4].outcome, INS_OUTCOME_XFAILED); /* other + xfailed */
	assert_string_equal(meta_get(&c, "duration"), "20.000");
	collected_free(&c);
}

static void test_not_ctrf(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str("{\"name\": \"package.json\", \"version\": \"1.0.0\"}", &c),
			 INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json: not a CTRF report"));
	assert_int_equal(parse_str("[1, 2]", &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "not a CTRF report"));
	assert_int_equal(parse_str("{\"reportFormat\": \"JUnit\", \"results\": {\"tests\": []}}", &c),
			 INS_EINVALID);
	assert_int_equal(parse_str("{\"reportFormat\": \"CTRF\", \"results\": {}}", &c),
			 INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "without a results.tests list"));
	assert_int_equal(parse_str("", &c), INS_EINVALID);
	assert_int_equal(c.n, 0);
	/* an empty but valid report is fine */
	assert_int_equal(parse_str("{\"reportFormat\": \"CTRF\", \"results\": {\"tool\": "
				   "{\"name\": \"x\"}, \"tests\": []}}", &c), 0);
	assert_int_equal(c.n, 0);
	assert_string_equal(meta_get(&c, "tool"), "x");
	collected_free(&c);
}

static void test_broken_json(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str("{\"reportFormat\": \"CTRF\",\n\"results\": {\"tests\": [\n"
				   "{\"name\": \"a\", \"status\": \"passed\", \"duration\": 1},\n"
				   "{\"name\": \"b\", \"sta", &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:4: invalid JSON (cut short?)"));
	/* the report is read as a stream: the test before the cut was handed on, and the
	   caller drops it with the rest of the file (insight/ingest.h) */
	assert_int_equal(c.n, 1);
	assert_int_equal(parse_str("{\"reportFormat\": \"CTRF\", \"results\": {\"tests\": []}}\n"
				   "trailing", &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:2: invalid JSON"));
	assert_int_equal(parse_str("{\"reportFormat\": \"CTRF\",\n\"x\": \"\xc3\x28\"}", &c),
			 INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:2: invalid UTF-8"));
	{
		ins_buf deep = INS_BUF_INIT;

		for (int i = 0; i < 300; i++)
			ins_buf_putc(&deep, '[');
		assert_int_equal(parse_str(deep.ptr, &c), INS_EINVALID);
		assert_non_null(strstr(ins_error_last(), "nested too deeply"));
		ins_buf_release(&deep);
	}
	collected_free(&c);
}

#define ONE_TEST(body) "{\"reportFormat\": \"CTRF\", \"results\": {\"tool\": {\"name\": \"t\"}, " \
	"\"tests\": [{\"name\": \"ok\", \"status\": \"passed\", \"duration\": 1}, " body "]}}"

static void test_absurd_values(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(ONE_TEST("{\"name\": \"n\", \"status\": \"exploded\", "
					    "\"duration\": 1}"), &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "results.tests[1] 'n': status is not one of"));
	assert_int_equal(parse_str(ONE_TEST("{\"status\": \"passed\"}"), &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "results.tests[1]: no \"name\""));
	assert_int_equal(parse_str(ONE_TEST("{\"name\": \"n\", \"status\": \"passed\", "
					    "\"retries\": -3}"), &c), INS_EINVALID);
	assert_int_equal(parse_str(ONE_TEST("{\"name\": \"n\", \"status\": \"passed\", "
					    "\"retryAttempts\": [{\"attempt\": 1}]}"), &c),
			 INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "retry attempt has no valid status"));
	collected_free(&c);

	/* absurd durations and times are dropped and flagged, the test is kept */
	assert_int_equal(parse_str("{\"reportFormat\": \"CTRF\", \"results\": {\"summary\": "
				   "{\"start\": -5, \"stop\": 1e300}, \"tests\": ["
				   "{\"name\": \"a\", \"status\": \"passed\", \"duration\": -12, "
				   "\"start\": 99e99},"
				   "{\"name\": \"b\", \"status\": \"passed\", \"duration\": 1e12}]}}",
				   &c), 0);
	assert_int_equal(c.n, 2);
	assert_true(c.r[0].duration < 0);
	assert_true(c.r[0].flags & INS_RESULT_DURATION_CLAMPED);
	assert_int_equal(c.r[0].start_ms, 0);
	assert_true(c.r[1].duration < 0);
	assert_true(c.r[1].flags & INS_RESULT_DURATION_CLAMPED);
	assert_null(meta_get(&c, "started_ms"));
	assert_null(meta_get(&c, "finished_ms"));
	collected_free(&c);
}

static void test_sink_stops(void **state)
{
	collected c = { 0 };

	(void)state;
	c.stop_after = 2;
	assert_int_equal(parse_fixture("playwright-retries.json", &c), 42);
	assert_int_equal(c.n, 2);
	collected_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_playwright_retries),
		cmocka_unit_test(test_jest_flaky_env),
		cmocka_unit_test(test_final_attempt_repeated),
		cmocka_unit_test(test_not_ctrf),
		cmocka_unit_test(test_broken_json),
		cmocka_unit_test(test_absurd_values),
		cmocka_unit_test(test_sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
