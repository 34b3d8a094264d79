/*
 * test_remote.c - remote URLs as insight shows them: passwords masked in
 * postgresql:// URLs (userinfo and query) and in libpq's keyword form,
 * everything else kept as written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "insight/errors.h"
#include "insight/remote.h"

static void check_mask(const char *url, const char *want)
{
	char *got = NULL;

	assert_int_equal(ins_remote_url_mask(url, &got), 0);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_mask_url(void **state)
{
	(void)state;
	check_mask("postgresql://ci:s3cret@db.example:5432/insight",
		   "postgresql://ci:***@db.example:5432/insight");
	check_mask("postgres://ci:p%40ss@db/insight?sslmode=require",
		   "postgres://ci:***@db/insight?sslmode=require");
	check_mask("postgresql://ci:a@b@db/insight", "postgresql://ci:***@db/insight");
	check_mask("postgresql://ci@db/insight?sslmode=verify-full&password=hunter2",
		   "postgresql://ci@db/insight?sslmode=verify-full&password=***");
	check_mask("postgresql://db/insight", "postgresql://db/insight");
	check_mask("postgresql://ci@db:5432/x", "postgresql://ci@db:5432/x");
	check_mask("postgresql:///insight?host=/run/pg", "postgresql:///insight?host=/run/pg");
}

static void test_mask_keywords(void **state)
{
	(void)state;
	check_mask("host=db password=hunter2 dbname=insight",
		   "host=db password=*** dbname=insight");
	check_mask("password = 'se cr\\'et' user=ci", "password = *** user=ci");
	check_mask("host=db user=ci", "host=db user=ci");
	check_mask("passwordless=1 host=db", "passwordless=1 host=db");
}

static void test_mask_files_and_errors(void **state)
{
	char *got = (char *)1;

	(void)state;
	check_mask("/srv/ci/history.db", "/srv/ci/history.db");
	check_mask("file:///srv/ci/history.db", "file:///srv/ci/history.db");
	check_mask("", "");
	assert_int_equal(ins_remote_url_mask(NULL, &got), INS_EUSAGE);
	assert_null(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_url),
		cmocka_unit_test(test_mask_keywords),
		cmocka_unit_test(test_mask_files_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
