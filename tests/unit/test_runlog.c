/*
 * test_runlog.c - the record of a running session beside the history: a live
 * run is never an orphan, a dead one is, and a reused pid is told apart by
 * its start time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "insight/runlog.h"

static void test_proc_alive(void **state)
{
	unsigned long long me = ins_proc_start(0);
	pid_t child;
	int status;

	(void)state;
	assert_true(me > 0);
	assert_true(ins_proc_alive((long)getpid(), me, NULL));
	/* The same pid with another start time is another process: the first is gone. */
	assert_false(ins_proc_alive((long)getpid(), me + 1, NULL));
	assert_false(ins_proc_alive((long)getpid(), me, "another-boot"));
	assert_false(ins_proc_alive(0, 0, NULL));

	/* A child that has exited but is not reaped yet (a zombie) is gone. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	for (int i = 0; i < 500; i++) {
		char path[64], buf[256];
		FILE *fp;
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)child);
		fp = fopen(path, "r");
		if (!fp)
			break;
		buf[0] = '\0';
		if (!fgets(buf, sizeof(buf), fp))
			buf[0] = '\0';
		fclose(fp);
		if (strstr(buf, ") Z "))
			break;
		usleep(10000);
	}
	assert_false(ins_proc_alive((long)child, 0, NULL));
	waitpid(child, &status, 0);
}

static void test_live_run_is_not_an_orphan(void **state)
{
	char dir[] = "/tmp/insight-runlog-XXXXXX", history[256];
	ins_session_info info = { 0 };
	ins_runlog_orphan *v;
	ins_runlog *rl;
	size_t n, live;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(history, sizeof(history), "%s/history.db", dir);
	fp = fopen(history, "w");
	assert_non_null(fp);
	fclose(fp);
	info.sut = "api";
	info.command = "pytest";
	info.started_ms = 1796400000000;
	assert_int_equal(ins_runlog_start(&rl, history, &info, NULL), 0);
	assert_non_null(strstr(ins_runlog_path(rl), "/runs/1796400000000-"));

	/* Locked by this run: not taken, counted as live. */
	assert_int_equal(ins_runlog_orphans(history, &v, &n, &live), 0);
	assert_int_equal(n, 0);
	assert_int_equal(live, 1);
	ins_runlog_orphans_free(v, n);

	/* Its lock released but its process (this one) alive: still not taken. */
	ins_runlog_end(rl, 0);
	assert_int_equal(ins_runlog_orphans(history, &v, &n, &live), 0);
	assert_int_equal(n, 0);
	assert_int_equal(live, 1);
	ins_runlog_orphans_free(v, n);

	/* A second run of the same name is refused, and the first one's record stays. */
	assert_int_not_equal(ins_runlog_start(&rl, history, &info, NULL), 0);
	assert_null(rl);

	/* A finished run leaves nothing; the record of the other is still there. */
	info.started_ms++;
	assert_int_equal(ins_runlog_start(&rl, history, &info, NULL), 0);
	ins_runlog_end(rl, 1);
	{
		char cmd[600];
		struct dirent **names;
		int k;

		snprintf(cmd, sizeof(cmd), "%s/runs", dir);
		k = scandir(cmd, &names, NULL, alphasort);
		assert_int_equal(k, 4); /* ., .., and the first run's two files */
		snprintf(cmd, sizeof(cmd), "1796400000000-%ld.json", (long)getpid());
		assert_string_equal(names[2]->d_name, cmd);
		snprintf(cmd, sizeof(cmd), "1796400000000-%ld.log", (long)getpid());
		assert_string_equal(names[3]->d_name, cmd);
		while (k-- > 0)
			free(names[k]);
		free(names);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_alive),
		cmocka_unit_test(test_live_run_is_not_an_orphan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
