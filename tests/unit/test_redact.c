/*
 * test_redact.c - which environment variables look secret, and hiding their
 * values in text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "insight/redact.h"

static void test_names(void **state)
{
	(void)state;
	assert_true(ins_redact_name_is_secret("GITHUB_TOKEN", NULL));
	assert_true(ins_redact_name_is_secret("my_token_file", NULL));
	assert_true(ins_redact_name_is_secret("AWS_SECRET_ACCESS_KEY", NULL));
	assert_true(ins_redact_name_is_secret("DB_PASSWORD", NULL));
	assert_true(ins_redact_name_is_secret("STRIPE_API_KEY", NULL));
	assert_true(ins_redact_name_is_secret("stripe_api_key", NULL));
	assert_false(ins_redact_name_is_secret("KEYBOARD", NULL));
	assert_false(ins_redact_name_is_secret("_KEY", NULL));
	assert_false(ins_redact_name_is_secret("HOME", NULL));
	assert_false(ins_redact_name_is_secret("DATABASE_URL", NULL));
	assert_true(ins_redact_name_is_secret("DATABASE_URL", "FOO,database_url"));
	assert_true(ins_redact_name_is_secret("DEPLOY_HOOK", "x:DEPLOY_*"));
	assert_true(ins_redact_name_is_secret("DEPLOY_HOOK", " a b\tdeploy_hook "));
	assert_false(ins_redact_name_is_secret("DEPLOYED", "DEPLOY_*"));
	assert_false(ins_redact_name_is_secret("PATH", ",,::"));
}

static void test_values(void **state)
{
	char *env[] = { "API_TOKEN=abcdef123", "SHORT_TOKEN=abc12", "HOME=/home/me",
			"LONG_SECRET=abcdef123456", "DB_URL=postgres://u:pw@db", "DUP_KEY=abcdef123",
			"EMPTY_PASSWORD=", NULL };
	ins_redactor *r = ins_redactor_new(env, "DB_URL");
	ins_buf out = INS_BUF_INIT, tmp = INS_BUF_INIT;
	const char *s;

	(void)state;
	assert_non_null(r);
	assert_int_equal(ins_redactor_count(r), 3); /* abcdef123 once, abcdef123456, the URL */
	s = "token abcdef123456 and abcdef123, home /home/me, short abc12, postgres://u:pw@db.";
	assert_int_equal(ins_redact(r, s, strlen(s), &out), 3);
	assert_string_equal(out.ptr, "token *** and ***, home /home/me, short abc12, ***.");
	s = "nothing here";
	assert_ptr_equal(ins_redact_str(r, s, &tmp), s);
	assert_string_equal(ins_redact_str(r, "xabcdef123x", &tmp), "x***x");
	assert_null(ins_redact_str(r, NULL, &tmp));
	/* Bytes after a NUL are text too: the length is what counts. */
	ins_buf_clear(&out);
	assert_int_equal(ins_redact(r, "a\0abcdef123", 11, &out), 1);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.ptr, "a\0***", 5);
	ins_buf_release(&out);
	ins_buf_release(&tmp);
	ins_redactor_free(r);
}

static void test_nothing_to_hide(void **state)
{
	char *env[] = { "HOME=/root", "SHORT_TOKEN=12345", NULL };
	ins_buf out = INS_BUF_INIT;

	(void)state;
	assert_null(ins_redactor_new(env, NULL));
	assert_int_equal(ins_redact(NULL, "12345", 5, &out), 0);
	assert_string_equal(out.ptr, "12345");
	ins_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_nothing_to_hide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
