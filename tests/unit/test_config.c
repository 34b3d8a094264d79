/*
 * test_config.c - the configuration: typed values and their defaults, the
 * precedence of the environment and the files, the registry (patterns,
 * suggestions, secrets), secrets resolved through `-env` and masked, and
 * writing with libgit2 (files in a temporary folder).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "insight/config.h"
#include "insight/errors.h"
#include "insight/secret.h"

static char tmpdir[] = "/tmp/insight-test-config.XXXXXX";

static void path_in(ins_buf *b, const char *name)
{
	ins_buf_clear(b);
	ins_buf_printf(b, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_duration(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(ins_config_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(ins_config_parse_duration("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(ins_config_parse_duration("1m30s", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(ins_config_parse_duration("2h", &ms), 0);
	assert_int_equal(ms, 7200000);
	assert_int_equal(ins_config_parse_duration("12", &ms), 0);
	assert_int_equal(ms, 12000);
	assert_int_equal(ins_config_parse_duration("0.25", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(ins_config_parse_duration("", &ms), INS_EINVALID);
	assert_int_equal(ins_config_parse_duration("soon", &ms), INS_EINVALID);
	assert_int_equal(ins_config_parse_duration("5x", &ms), INS_EINVALID);
	assert_int_equal(ins_config_parse_duration("1m5", &ms), INS_EINVALID);
	assert_int_equal(ins_config_parse_duration("-3s", &ms), INS_EINVALID);
}

static void test_registry(void **state)
{
	const ins_config_key *k;
	ins_buf b = INS_BUF_INIT;

	(void)state;
	k = ins_config_key_find("net.timeout");
	assert_non_null(k);
	assert_int_equal(k->type, INS_CONFIG_DURATION);
	assert_string_equal(k->def, "30s");
	/* Section and key are case-insensitive, as in git. */
	assert_ptr_equal(ins_config_key_find("NET.Timeout"), k);
	assert_null(ins_config_key_find("net.nothing"));
	/* The `-env` companion of a secret is known; of another key it is not. */
	assert_non_null(ins_config_key_find("ci.github.token-env"));
	assert_null(ins_config_key_find("net.timeout-env"));
	assert_string_equal(ins_config_key_suggest("session.stu"), "session.sut");
	assert_string_equal(ins_config_key_suggest("net.timout"), "net.timeout");
	assert_null(ins_config_key_suggest("completely.different"));
	assert_true(ins_config_key_is_secret("ci.github.token"));
	assert_true(ins_config_key_is_secret("notify.slack.webhook-url"));
	assert_true(ins_config_key_is_secret("notify.email.password"));
	assert_false(ins_config_key_is_secret("ci.gitlab.token-env"));
	assert_false(ins_config_key_is_secret("session.sut"));
	ins_config_key_envvar(&b, "ci.bitbucket.api-url");
	assert_string_equal(b.ptr, "INSIGHT_CI_BITBUCKET_API_URL");
	ins_buf_release(&b);
	/* Every key has a help line, and a default that reads as its type. */
	for (k = ins_config_keys; k->name; k++) {
		assert_non_null(k->help);
		if (k->def)
			assert_int_equal(ins_config_check_value(k->name, k->def), 0);
	}
}

static void test_defaults_without_files(void **state)
{
	const char *s;
	long n;
	double d;
	int64_t ms;
	int b;
	char **list;
	size_t count;

	(void)state;
	/* A NULL config reads the environment and the defaults. */
	assert_int_equal(ins_config_get_int(NULL, "net.retries", &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(ins_config_get_real(NULL, "analytics.flaky-threshold", &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(ins_config_get_duration(NULL, "net.budget", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(ins_config_get_window(NULL, "analytics.window", &ms), 0);
	assert_int_equal(ms, 7 * 86400000LL);
	assert_int_equal(ins_config_get_string(NULL, "session.sut", &s), INS_ENOTFOUND);
	setenv("INSIGHT_NET_RETRIES", "2", 1);
	assert_int_equal(ins_config_get_int(NULL, "net.retries", &n), 0);
	assert_int_equal(n, 2);
	setenv("INSIGHT_NET_RETRIES", "two", 1);
	assert_int_equal(ins_config_get_int(NULL, "net.retries", &n), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "environment INSIGHT_NET_RETRIES"));
	unsetenv("INSIGHT_NET_RETRIES");
	setenv("INSIGHT_X_FLAG", "yes", 1);
	assert_int_equal(ins_config_get_bool(NULL, "x.flag", &b), 0);
	assert_int_equal(b, 1);
	unsetenv("INSIGHT_X_FLAG");
	setenv("INSIGHT_X_ITEMS", "a, b  c,,d", 1);
	assert_int_equal(ins_config_get_list(NULL, "x.items", &list, &count), 0);
	assert_int_equal(count, 4);
	assert_string_equal(list[0], "a");
	assert_string_equal(list[3], "d");
	assert_null(list[4]);
	ins_config_list_free(list);
	unsetenv("INSIGHT_X_ITEMS");
}

static void test_files_and_precedence(void **state)
{
	ins_buf user = INS_BUF_INIT, project = INS_BUF_INIT, file = INS_BUF_INIT;
	ins_config_files files = { 0 };
	ins_config *cfg;
	const char *v, *origin;
	ins_config_level level;
	long n;

	(void)state;
	path_in(&user, "user.cfg");
	path_in(&project, "project.cfg");
	path_in(&file, "extra.cfg");
	write_file(user.ptr, "[net]\n\tretries = 1\n\ttimeout = 5s\n[session]\n\tsut = mine\n");
	write_file(project.ptr, "[net]\n\tretries = 3\n[sut \"Web.App\"]\n\tcommand = make\n");
	write_file(file.ptr, "[net]\n\tretries = 4\n\tretries = 7\n");
	files.user = user.ptr;
	files.project = project.ptr;
	assert_int_equal(ins_config_open(&cfg, &files), 0);
	assert_int_equal(ins_config_get_int(cfg, "net.retries", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ins_config_lookup(cfg, "net.timeout", &v, &level, &origin), 0);
	assert_string_equal(v, "5s");
	assert_int_equal(level, INS_CONFIG_USER);
	assert_string_equal(origin, user.ptr);
	/* The subsection keeps its case; section and key do not matter. */
	assert_int_equal(ins_config_lookup(cfg, "SUT.Web.App.Command", &v, NULL, NULL), 0);
	assert_string_equal(v, "make");
	assert_int_equal(ins_config_lookup(cfg, "sut.web.app.command", &v, NULL, NULL),
			 INS_ENOTFOUND);
	ins_config_free(cfg);

	/* --config over the project; the last of several values wins. */
	files.file = file.ptr;
	assert_int_equal(ins_config_open(&cfg, &files), 0);
	assert_int_equal(ins_config_get_int(cfg, "net.retries", &n), 0);
	assert_int_equal(n, 7);
	/* The environment over every file. */
	setenv("INSIGHT_NET_RETRIES", "9", 1);
	assert_int_equal(ins_config_get_int(cfg, "net.retries", &n), 0);
	assert_int_equal(n, 9);
	assert_int_equal(ins_config_lookup(cfg, "net.retries", &v, &level, &origin), 0);
	assert_int_equal(level, INS_CONFIG_ENV);
	assert_string_equal(origin, "environment INSIGHT_NET_RETRIES");
	unsetenv("INSIGHT_NET_RETRIES");
	ins_config_free(cfg);

	/* A --config file that does not exist is an error; a broken file too. */
	path_in(&file, "missing.cfg");
	files.file = file.ptr;
	assert_int_equal(ins_config_open(&cfg, &files), INS_ENOTFOUND);
	assert_null(cfg);
	write_file(project.ptr, "[net\nretries = 3\n");
	files.file = NULL;
	assert_int_equal(ins_config_open(&cfg, &files), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "project.cfg"));
	ins_buf_release(&user);
	ins_buf_release(&project);
	ins_buf_release(&file);
}

static void test_set_unset(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_config_files files = { 0 };
	ins_config *cfg;
	const char *v;
	struct stat st;

	(void)state;
	path_in(&path, "sub/dir/config");
	assert_int_equal(ins_config_set(path.ptr, "session.sut", "shop"), 0);
	assert_int_equal(ins_config_set(path.ptr, "sut.My.App.command", "make check"), 0);
	assert_int_equal(ins_config_set(path.ptr, "session.sut", "shop2"), 0);
	files.project = path.ptr;
	assert_int_equal(ins_config_open(&cfg, &files), 0);
	assert_int_equal(ins_config_get_string(cfg, "session.sut", &v), 0);
	assert_string_equal(v, "shop2");
	assert_int_equal(ins_config_lookup(cfg, "sut.My.App.command", &v, NULL, NULL), 0);
	assert_string_equal(v, "make check");
	ins_config_free(cfg);
	assert_int_equal(ins_config_unset(path.ptr, "session.sut"), 0);
	assert_int_equal(ins_config_unset(path.ptr, "session.sut"), INS_ENOTFOUND);
	assert_int_equal(ins_config_set(path.ptr, "nosection", "x"), INS_EUSAGE);
	assert_int_equal(ins_config_set(path.ptr, "a.9b", "x"), INS_EUSAGE);
	/* A file created for a secret is private. */
	path_in(&path, "secret.cfg");
	assert_int_equal(ins_config_set(path.ptr, "ci.github.token", "tok-123456"), 0);
	assert_int_equal(stat(path.ptr, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ins_buf_release(&path);
}

struct seen {
	int calls;
	char key[64];
};

static void on_secret_file(const char *path, const char *key, void *data)
{
	struct seen *s = data;

	(void)path;
	s->calls++;
	snprintf(s->key, sizeof(s->key), "%s", key);
}

static void test_secrets(void **state)
{
	ins_buf path = INS_BUF_INIT, masked = INS_BUF_INIT;
	ins_config_files files = { 0 };
	ins_config *cfg;
	const char *v, *from;
	struct seen seen = { 0 };

	(void)state;
	path_in(&path, "secrets.cfg");
	write_file(path.ptr, "[ci \"gitlab\"]\n\ttoken-env = MY_GL_TOKEN\n"
		   "[ci \"github\"]\n\ttoken = filetoken-abcdef\n");
	chmod(path.ptr, 0644);
	files.project = path.ptr;
	assert_int_equal(ins_config_open(&cfg, &files), 0);
	ins_config_check_secret_files(cfg, on_secret_file, &seen);
	assert_int_equal(seen.calls, 1);
	assert_string_equal(seen.key, "ci.github.token");
	chmod(path.ptr, 0600);
	seen.calls = 0;
	ins_config_check_secret_files(cfg, on_secret_file, &seen);
	assert_int_equal(seen.calls, 0);

	/* The variable the config names. */
	unsetenv("GITLAB_TOKEN");
	assert_int_equal(ins_config_get_secret(cfg, "ci.gitlab.token", &v, &from), INS_ENOTFOUND);
	assert_non_null(strstr(ins_error_last(), "MY_GL_TOKEN"));
	setenv("GITLAB_TOKEN", "default-var-token", 1);
	assert_int_equal(ins_config_get_secret(cfg, "ci.gitlab.token", &v, &from), INS_ENOTFOUND);
	setenv("MY_GL_TOKEN", "glpat-named-987654", 1);
	assert_int_equal(ins_config_get_secret(cfg, "ci.gitlab.token", &v, &from), 0);
	assert_string_equal(v, "glpat-named-987654");
	assert_string_equal(from, "MY_GL_TOKEN");
	/* Without a -env in the config, the registry's default variable. */
	assert_int_equal(ins_config_get_secret(NULL, "ci.gitlab.token", &v, &from), 0);
	assert_string_equal(v, "default-var-token");
	/* The registry's own variable wins over the file's value. */
	unsetenv("GITHUB_TOKEN");
	assert_int_equal(ins_config_get_secret(cfg, "ci.github.token", &v, &from), 0);
	assert_string_equal(v, "filetoken-abcdef");
	assert_non_null(strstr(from, "secrets.cfg"));
	setenv("GITHUB_TOKEN", "ghs-env-token-42", 1);
	assert_int_equal(ins_config_get_secret(cfg, "ci.github.token", &v, &from), 0);
	assert_string_equal(v, "ghs-env-token-42");
	assert_string_equal(from, "GITHUB_TOKEN");
	/* Every value read is masked from then on. */
	ins_secret_mask(&masked, "a glpat-named-987654 b filetoken-abcdef ghs-env-token-42");
	assert_string_equal(masked.ptr, "a *** b *** ***");
	unsetenv("GITHUB_TOKEN");
	unsetenv("GITLAB_TOKEN");
	unsetenv("MY_GL_TOKEN");
	ins_config_free(cfg);
	ins_buf_release(&path);
	ins_buf_release(&masked);
}

static void test_maskers(void **state)
{
	ins_buf b = INS_BUF_INIT;

	(void)state;
	ins_secret_mask_url(&b, "https://user:pw@example.com/a?x=1&access_token=abc&b=2#frag");
	assert_string_equal(b.ptr, "https://***@example.com/a?x=1&access_token=***&b=2#frag");
	ins_buf_clear(&b);
	ins_secret_mask_url(&b, "http://127.0.0.1:8080/p?private_token=zz&page=2");
	assert_string_equal(b.ptr, "http://127.0.0.1:8080/p?private_token=***&page=2");
	ins_buf_clear(&b);
	ins_secret_mask_header(&b, "Authorization: Bearer abc.def");
	assert_string_equal(b.ptr, "Authorization: Bearer ***");
	ins_buf_clear(&b);
	ins_secret_mask_header(&b, "PRIVATE-TOKEN: glpat-xyz");
	assert_string_equal(b.ptr, "PRIVATE-TOKEN: ***");
	ins_buf_clear(&b);
	ins_secret_mask_header(&b, "Accept: application/json");
	assert_string_equal(b.ptr, "Accept: application/json");
	ins_buf_clear(&b);
	/* A registered secret inside a longer one is masked whole. */
	ins_secret_add("short-secret");
	ins_secret_add("short-secret-and-more");
	ins_secret_mask(&b, "[short-secret-and-more] [short-secret]");
	assert_string_equal(b.ptr, "[***] [***]");
	/* At the start and the end, back to back, and a near miss on the first byte. */
	ins_buf_clear(&b);
	ins_secret_mask(&b, "short-secretshort-secret s short-secre short-secret");
	assert_string_equal(b.ptr, "****** s short-secre ***");
	ins_buf_clear(&b);
	ins_secret_mask(&b, "");
	assert_string_equal(b.ptr, "");
	ins_buf_clear(&b);
	ins_secret_mask(&b, "no secret here at all, only text");
	assert_string_equal(b.ptr, "no secret here at all, only text");
	ins_buf_release(&b);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_defaults_without_files),
		cmocka_unit_test(test_files_and_precedence),
		cmocka_unit_test(test_set_unset),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_maskers),
	};

	unsetenv("INSIGHT_NET_RETRIES");
	return cmocka_run_group_tests(tests, setup, teardown);
}
