/*
 * runlog.h - the record a `session run` keeps beside the history while it
 * runs, so that a run whose insight was killed (SIGKILL from the OOM killer
 * or a CI timeout) is not lost.
 *
 * A run keeps two files in the `runs` folder beside the history
 * (.insight/runs/):
 *
 *   <id>.log    the report-log pytest writes (empty for other commands);
 *               the running insight holds an exclusive flock(2) on it
 *   <id>.json   what the session is: insight's pid and its start time (the
 *               kernel's, so a reused pid is not mistaken for it), the
 *               boot, the command's pid and start time once it runs, the
 *               history, host, working directory, command line, SUT, tags,
 *               the reports named with --report, and the git and CI facts
 *               once read. Replaced whole (write and rename) when it changes.
 *
 * Both appear under their names only when complete: the log is created
 * under a temporary name, locked, described, and then renamed into place.
 * A finished run removes both.
 *
 * An orphan is a run whose log can be locked and whose insight and command
 * processes are both gone. Whoever takes it keeps the lock until it has
 * been stored and removed, so two insight processes never take the same
 * orphan, and a live run is never taken.
 */
#ifndef INSIGHT_RUNLOG_H
#define INSIGHT_RUNLOG_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/model.h"

typedef struct ins_runlog ins_runlog;

/* What the record holds beside the session info. */
typedef struct ins_runlog_extra {
	const char *const *reports; /* --report paths, made absolute */
	size_t nreports;
	int keep_all_text;
} ins_runlog_extra;

/*
 * Start the record of a run into `history` (the history's path): creates
 * the runs folder (mode 0700), the locked log and the description of
 * `info` (sut, command, started_ms, tags, host, git, ci as far as known).
 * Returns 0 or INS_EIO with a message.
 */
int ins_runlog_start(ins_runlog **out, const char *history, const ins_session_info *info,
		     const ins_runlog_extra *extra);
/* The log's path, for the report-log. */
const char *ins_runlog_path(const ins_runlog *rl);
/* Note the command's process (after it is started). Thread-safe with ins_runlog_describe(). */
int ins_runlog_set_child(ins_runlog *rl, long pid);
/* Rewrite the description with `info` (now with the git and CI facts). Thread-safe. */
int ins_runlog_describe(ins_runlog *rl, const ins_session_info *info);
/*
 * End the record: with `remove`, the log and its description are deleted
 * (the session is stored, or there was nothing to store); without, they are
 * left for recovery. Frees rl (NULL is fine).
 */
void ins_runlog_end(ins_runlog *rl, int remove);

/* An interrupted run found in the runs folder, locked by this process. */
typedef struct ins_runlog_orphan {
	char *id;
	char *log;                /* the log's path */
	char *meta;               /* the description's path */
	ins_session_info info;    /* sut, command, times, host, tags, git, ci (borrowed from below) */
	const char **reports;     /* --report paths of a run that was not pytest */
	size_t nreports;
	int is_pytest;            /* the log is a pytest report-log */
	int keep_all_text;
	long pid;                 /* the insight that ran it */
	/* private */
	int fd;
	void *doc;
	ins_git_facts git;
	ins_ci_facts ci;
	ins_tag *tags;
} ins_runlog_orphan;

/*
 * Find the orphans of `history`, each locked: fills *out (free with
 * ins_runlog_orphans_free) and *n. `live` (may be NULL) counts the runs left
 * because a process of theirs still runs or another insight holds them.
 * A history without a runs folder costs one failed opendir.
 */
int ins_runlog_orphans(const char *history, ins_runlog_orphan **out, size_t *n, size_t *live);
/* Remove orphan `o`'s files (it was stored). */
void ins_runlog_orphan_remove(ins_runlog_orphan *o);
/* Unlock and free the orphans. */
void ins_runlog_orphans_free(ins_runlog_orphan *v, size_t n);

/*
 * Whether process `pid` that started at `start` (clock ticks after boot,
 * /proc/<pid>/stat's 22nd field) during boot `boot` still runs. Without
 * /proc, a process with that pid counts as running.
 */
int ins_proc_alive(long pid, unsigned long long start, const char *boot);
/* This process's (or `pid`'s) start time as ins_proc_alive() compares it; 0 when unknown. */
unsigned long long ins_proc_start(long pid);

#endif
