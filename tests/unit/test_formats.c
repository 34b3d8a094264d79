/*
 * test_formats.c - every outcome value of each of the other tools' formats,
 * and the insight outcome it becomes: TRX, NUnit 3 and 2, xUnit.net, go
 * test -json, TAP, Mocha JSON, Jest JSON and Allure. Each case is the
 * smallest document of its format holding one test with that value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "insight/ingest.h"
#include "ingest_collect.h"

typedef int parser_fn(int, const char *, const ins_ingest_sink *);

/* Parse `doc` and check its one stored test's final outcome. */
static void expect(parser_fn *parser, const char *doc, ins_outcome want, const char *value)
{
	collected c = { 0 };
	int rc = parse_text(parser, doc, strlen(doc), &c);

	if (rc != 0 || c.n < 1)
		fail_msg("%s: parse %d, %zu results: %s", value, rc, c.n, ins_error_last());
	if (c.r[c.n - 1].outcome != want)
		fail_msg("%s: %s, not %s", value, ins_outcome_name(c.r[c.n - 1].outcome),
			 ins_outcome_name(want));
	collected_free(&c);
}

static void test_trx(void **state)
{
	static const struct { const char *value; ins_outcome o; } map[] = {
		{ "Passed", INS_OUTCOME_PASSED }, { "PassedButRunAborted", INS_OUTCOME_PASSED },
		{ "Completed", INS_OUTCOME_PASSED }, { "Warning", INS_OUTCOME_PASSED },
		{ "Failed", INS_OUTCOME_FAILED }, { "Error", INS_OUTCOME_ERROR },
		{ "Timeout", INS_OUTCOME_ERROR }, { "Aborted", INS_OUTCOME_ERROR },
		{ "NotRunnable", INS_OUTCOME_ERROR }, { "Disconnected", INS_OUTCOME_ERROR },
		{ "NotExecuted", INS_OUTCOME_SKIPPED }, { "Inconclusive", INS_OUTCOME_SKIPPED },
		{ "Pending", INS_OUTCOME_SKIPPED }, { "InProgress", INS_OUTCOME_SKIPPED },
		{ "SomethingNew", INS_OUTCOME_ERROR },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "<TestRun><Results><UnitTestResult testId=\"a\" "
			 "testName=\"N.C.T\" outcome=\"%s\"/></Results><TestDefinitions><UnitTest "
			 "id=\"a\"><TestMethod className=\"N.C\" name=\"T\"/></UnitTest>"
			 "</TestDefinitions></TestRun>", map[i].value);
		expect(ins_ingest_trx, doc, map[i].o, map[i].value);
	}
}

static void test_nunit(void **state)
{
	static const struct { const char *result, *label; ins_outcome o; } v3[] = {
		{ "Passed", NULL, INS_OUTCOME_PASSED }, { "Warning", NULL, INS_OUTCOME_PASSED },
		{ "Failed", NULL, INS_OUTCOME_FAILED }, { "Failed", "Error", INS_OUTCOME_ERROR },
		{ "Failed", "Cancelled", INS_OUTCOME_ERROR }, { "Failed", "Invalid", INS_OUTCOME_ERROR },
		{ "Skipped", "Ignored", INS_OUTCOME_SKIPPED }, { "Skipped", "Explicit", INS_OUTCOME_SKIPPED },
		{ "Inconclusive", NULL, INS_OUTCOME_SKIPPED }, { "Strange", NULL, INS_OUTCOME_ERROR },
	};
	static const struct { const char *result, *executed; ins_outcome o; } v2[] = {
		{ "Success", "True", INS_OUTCOME_PASSED }, { "Failure", "True", INS_OUTCOME_FAILED },
		{ "Error", "True", INS_OUTCOME_ERROR }, { "Cancelled", "True", INS_OUTCOME_ERROR },
		{ "NotRunnable", "False", INS_OUTCOME_ERROR }, { "Ignored", "False", INS_OUTCOME_SKIPPED },
		{ "Skipped", "False", INS_OUTCOME_SKIPPED }, { "Inconclusive", "True", INS_OUTCOME_SKIPPED },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v3) / sizeof(*v3); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "<test-run><test-suite type=\"TestFixture\"><test-case "
			 "name=\"T\" classname=\"N.C\" result=\"%s\"%s%s%s/></test-suite></test-run>",
			 v3[i].result, v3[i].label ? " label=\"" : "", v3[i].label ? v3[i].label : "",
			 v3[i].label ? "\"" : "");
		expect(ins_ingest_nunit, doc, v3[i].o, v3[i].result);
	}
	for (size_t i = 0; i < sizeof(v2) / sizeof(*v2); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "<test-results><test-suite type=\"TestFixture\" name=\"C\">"
			 "<results><test-case name=\"N.C.T\" executed=\"%s\" result=\"%s\"/></results>"
			 "</test-suite></test-results>", v2[i].executed, v2[i].result);
		expect(ins_ingest_nunit, doc, v2[i].o, v2[i].result);
	}
}

static void test_xunit(void **state)
{
	static const struct { const char *value; ins_outcome o; } map[] = {
		{ "Pass", INS_OUTCOME_PASSED }, { "Fail", INS_OUTCOME_FAILED },
		{ "Skip", INS_OUTCOME_SKIPPED }, { "NotRun", INS_OUTCOME_SKIPPED },
		{ "Unheard", INS_OUTCOME_ERROR },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "<assemblies><assembly><collection><test name=\"N.C.T\" "
			 "type=\"N.C\" method=\"T\" result=\"%s\"/></collection></assembly></assemblies>",
			 map[i].value);
		expect(ins_ingest_xunit, doc, map[i].o, map[i].value);
	}
}

static void test_gotest(void **state)
{
	static const struct { const char *action; ins_outcome o; } map[] = {
		{ "pass", INS_OUTCOME_PASSED }, { "fail", INS_OUTCOME_FAILED },
		{ "skip", INS_OUTCOME_SKIPPED },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
			 "{\"Action\":\"%s\",\"Package\":\"p\",\"Test\":\"TestA\",\"Elapsed\":0.1}\n",
			 map[i].action);
		expect(ins_ingest_gotest, doc, map[i].o, map[i].action);
	}
	/* a package that never ran its tests */
	expect(ins_ingest_gotest, "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"FAIL\\tp "
	       "[build failed]\\n\"}\n{\"Action\":\"fail\",\"Package\":\"p\",\"Elapsed\":0}\n",
	       INS_OUTCOME_ERROR, "a package's build failure");
}

static void test_tap(void **state)
{
	static const struct { const char *line; ins_outcome o; } map[] = {
		{ "ok 1 - a", INS_OUTCOME_PASSED }, { "not ok 1 - a", INS_OUTCOME_FAILED },
		{ "ok 1 - a # SKIP later", INS_OUTCOME_SKIPPED },
		{ "not ok 1 - a # skip later", INS_OUTCOME_SKIPPED },
		{ "not ok 1 - a # TODO later", INS_OUTCOME_XFAILED },
		{ "ok 1 - a # TODO later", INS_OUTCOME_XPASSED },
		{ "Bail out! no database", INS_OUTCOME_ERROR },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "TAP version 13\n1..1\n%s\n", map[i].line);
		expect(ins_ingest_tap, doc, map[i].o, map[i].line);
	}
}

static void test_mocha_jest_allure(void **state)
{
	static const struct { const char *status; ins_outcome o; } jest[] = {
		{ "passed", INS_OUTCOME_PASSED }, { "failed", INS_OUTCOME_FAILED },
		{ "pending", INS_OUTCOME_SKIPPED }, { "skipped", INS_OUTCOME_SKIPPED },
		{ "todo", INS_OUTCOME_SKIPPED }, { "disabled", INS_OUTCOME_SKIPPED },
	};
	static const struct { const char *status; ins_outcome o; } allure[] = {
		{ "passed", INS_OUTCOME_PASSED }, { "failed", INS_OUTCOME_FAILED },
		{ "broken", INS_OUTCOME_ERROR }, { "skipped", INS_OUTCOME_SKIPPED },
		{ "unknown", INS_OUTCOME_ERROR },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(jest) / sizeof(*jest); i++) {
		char doc[768];

		snprintf(doc, sizeof(doc), "{\"numTotalTests\":1,\"numFailedTestSuites\":0,"
			 "\"testResults\":[{\"name\":\"/r/a.test.js\",\"status\":\"passed\","
			 "\"assertionResults\":[{\"ancestorTitles\":[\"s\"],\"title\":\"t\","
			 "\"fullName\":\"s t\",\"status\":\"%s\",\"duration\":1,"
			 "\"failureMessages\":[%s]}]}]}", jest[i].status,
			 strcmp(jest[i].status, "failed") ? "" : "\"Error: no\"");
		expect(ins_ingest_jest, doc, jest[i].o, jest[i].status);
	}
	for (size_t i = 0; i < sizeof(allure) / sizeof(*allure); i++) {
		char doc[512];

		snprintf(doc, sizeof(doc), "{\"uuid\":\"u\",\"historyId\":\"h\",\"name\":\"t\","
			 "\"fullName\":\"a.b\",\"status\":\"%s\",\"stage\":\"finished\","
			 "\"start\":1,\"stop\":2}", allure[i].status);
		expect(ins_ingest_allure, doc, allure[i].o, allure[i].status);
	}
	/* Mocha: a passed test, a failed one, a pending one, and a failed hook */
	expect(ins_ingest_mocha, "{\"stats\":{\"suites\":1,\"tests\":1,\"passes\":1},\"tests\":"
	       "[{\"title\":\"t\",\"fullTitle\":\"s t\",\"duration\":1,\"err\":{}}],\"passes\":[],"
	       "\"failures\":[],\"pending\":[]}", INS_OUTCOME_PASSED, "mocha pass");
	expect(ins_ingest_mocha, "{\"stats\":{\"suites\":1,\"tests\":1,\"passes\":0},\"tests\":"
	       "[{\"title\":\"t\",\"fullTitle\":\"s t\",\"duration\":1,\"err\":{\"message\":\"no\","
	       "\"stack\":\"Error: no\"}}],\"passes\":[],\"failures\":[],\"pending\":[]}",
	       INS_OUTCOME_FAILED, "mocha failure");
	expect(ins_ingest_mocha, "{\"stats\":{\"suites\":1,\"tests\":1,\"passes\":0},\"tests\":"
	       "[{\"title\":\"t\",\"fullTitle\":\"s t\",\"err\":{}}],\"passes\":[],\"failures\":[],"
	       "\"pending\":[{\"title\":\"t\",\"fullTitle\":\"s t\",\"err\":{}}]}",
	       INS_OUTCOME_SKIPPED, "mocha pending");
	expect(ins_ingest_mocha, "{\"stats\":{\"suites\":1,\"tests\":0,\"passes\":0},\"tests\":[],"
	       "\"passes\":[],\"pending\":[],\"failures\":[{\"title\":\"\\\"before all\\\" hook "
	       "for \\\"t\\\"\",\"fullTitle\":\"s \\\"before all\\\" hook for \\\"t\\\"\","
	       "\"err\":{\"message\":\"no db\"}}]}", INS_OUTCOME_ERROR, "mocha hook");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trx),
		cmocka_unit_test(test_nunit),
		cmocka_unit_test(test_xunit),
		cmocka_unit_test(test_gotest),
		cmocka_unit_test(test_tap),
		cmocka_unit_test(test_mocha_jest_allure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
