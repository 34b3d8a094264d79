/*
 * hooks.c - hooks in the history's folder, the git way.
 *
 * After a session is stored, `<history folder>/hooks/post-session` (for the
 * usual .insight/history.db: .insight/hooks/post-session), when it exists
 * and is executable, runs with the session as `insight session show
 * --format json` gives it on its standard input, and INSIGHT_SESSION and
 * INSIGHT_DB in its environment. Its output goes to insight's stderr (stdout
 * carries insight's answer); its failure is reported but does not change
 * insight's exit status: the session is stored either way.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "hooks.h"
#include "insight/browse.h"

static int hook_path(ins_buf *out, const char *db, const char *name)
{
	const char *slash = strrchr(db, '/');
	struct stat st;

	ins_buf_clear(out);
	if (slash)
		ins_buf_put(out, db, (size_t)(slash - db) + 1);
	ins_buf_printf(out, "hooks/%s", name);
	return stat(out->ptr, &st) == 0 && S_ISREG(st.st_mode) && access(out->ptr, X_OK) == 0;
}

void cmd_run_post_session_hook(ins_ctx *ctx, ins_store *store, const char *uid)
{
	ins_buf path = INS_BUF_INIT;
	ins_session_show_opts so = { 0 };
	ins_render_opts ro = { 0 };
	ins_doc *doc = NULL;
	int in[2], status;
	void (*old_pipe)(int);
	pid_t pid;
	FILE *fp;

	if (!hook_path(&path, ins_store_path(store), "post-session"))
		goto done;
	so.sections = 1;
	if (ins_browse_session_show(&doc, store, uid, &so) < 0) {
		cmd_warn("hook '%s' not run: %s", path.ptr, ins_error_last());
		goto done;
	}
	if (pipe(in) != 0) {
		cmd_warn("hook '%s' not run: %s", path.ptr, strerror(errno));
		goto done;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		cmd_warn("hook '%s' not run: %s", path.ptr, strerror(errno));
		close(in[0]);
		close(in[1]);
		goto done;
	}
	if (pid == 0) {
		const char *argv[] = { path.ptr, NULL };
		dup2(in[0], STDIN_FILENO);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		setenv("INSIGHT_SESSION", uid, 1);
		setenv("INSIGHT_DB", ins_store_path(store), 1);
		execv(path.ptr, (char *const *)argv);
		fprintf(stderr, "insight: cannot run hook '%s': %s\n", path.ptr, strerror(errno));
		_exit(126);
	}
	close(in[0]);
	/* A hook that does not read its input must not kill insight. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	fp = fdopen(in[1], "w");
	if (fp) {
		ins_render(doc, INS_OUT_JSON, &ro, fp);
		fclose(fp);
	} else {
		close(in[1]);
	}
	signal(SIGPIPE, old_pipe);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		cmd_warn("hook '%s' failed (%s %d); the session is stored all the same", path.ptr,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	else if (ctx->verbose)
		fprintf(stderr, "insight: ran hook %s\n", path.ptr);
done:
	ins_doc_free(doc);
	ins_buf_release(&path);
}
