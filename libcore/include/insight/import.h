/*
 * import.h - getting reports into the history.
 *
 * ins_import() takes report paths (files, directories, glob patterns or "-"
 * for stdin), parses each with the right parser, and writes one session
 * (or one per file with `split`) through the store's session writer. Each
 * file is atomic: a report that fails to parse contributes nothing and is
 * reported through `on_file`; the others go in. A report whose exact
 * content was imported before is skipped unless `force` is set.
 */
#ifndef INSIGHT_IMPORT_H
#define INSIGHT_IMPORT_H

#include <stddef.h>

#include "ingest.h"
#include "model.h"
#include "store.h"

/* What happened to one report file. */
typedef enum ins_import_status {
	INS_IMPORT_OK = 0,
	INS_IMPORT_DUPLICATE, /* same content imported before; `session` names that session */
	INS_IMPORT_FAILED,    /* did not parse; the message says why */
	INS_IMPORT_WARNING,   /* stored, with something the user should know; the message says it */
	INS_IMPORT_SKIPPED    /* found in a directory but not a report; the message says what it is */
} ins_import_status;

typedef struct ins_import_opts {
	ins_session_info info;  /* sut, tags, git and CI facts, command ... (borrowed) */
	ins_format format;      /* INS_FORMAT_AUTO to sniff each file */
	int force;              /* import duplicates again */
	int split;              /* one session per file */
	int keep_all_text;      /* keep output and tracebacks of passing results too */
	/* Called after each file: status, the file, a message for failures, the session for duplicates. */
	void (*on_file)(void *data, ins_import_status status, const char *path, const char *message,
			const char *session);
	void *data;
	/* pytest console output captured by `session run`: split into output sections. */
	const char *console;
	size_t console_len;
	/* a report-log already being parsed (ins_import_follow_start), used for its path */
	struct ins_import_follow *follow;
	/* secrets to hide in captured text and messages before storing (NULL = none) */
	const struct ins_redactor *redact;
	/*
	 * Git facts still being read while the reports are (libgit2 loaded, the
	 * work tree's status taken): when set, info.git is not used, and this is
	 * called before each session is committed; it waits for the facts and
	 * returns them (NULL, or not present: the session has none).
	 */
	const ins_git_facts *(*git_facts)(void *git_data);
	void *git_data;
} ins_import_opts;

typedef struct ins_import_summary {
	char **sessions;        /* ids of the sessions written (owned; ins_import_summary_release) */
	size_t nsessions;
	size_t files;           /* report files looked at */
	size_t imported;        /* files stored */
	size_t duplicates;      /* files skipped as already imported */
	size_t failed;          /* files that did not parse */
	size_t skipped;         /* files in a directory that are not reports */
	size_t results;         /* attempts stored */
	int truncated;          /* a report ended mid-write (a killed run) */
} ins_import_summary;

void ins_import_summary_release(ins_import_summary *s);

/*
 * A report-log parsed while the command that writes it is still running
 * (`session run`): the parse of a run's results is then done by the time
 * the run ends, and only the store is left. Nothing is written to the
 * store before ins_import: the parser reads ahead into memory, up to a
 * bound (16 batches of at most 1,024 results or 512 KiB of text), then
 * waits.
 *
 *   ins_import_follow_start(&f, path)   before the command starts (the file exists)
 *   ins_import_follow_end(f)            the command has ended: read to the end
 *   opts.follow = f; ins_import(...)    stores it when path is imported
 *   ins_import_follow_free(f)           always, also when ins_import was not called
 */
typedef struct ins_import_follow ins_import_follow;
int ins_import_follow_start(ins_import_follow **out, const char *path);
void ins_import_follow_end(ins_import_follow *f);
void ins_import_follow_free(ins_import_follow *f);

/*
 * Expand `paths` (directories are walked for *.xml, *.json and *.jsonl;
 * patterns are globbed) and import them. Returns 0 when at least the
 * session bookkeeping succeeded, even if some files failed (see the
 * summary); INS_ENOTFOUND when a path matches nothing; a store error
 * otherwise. With `allow_empty`, a session is written even when no result
 * was found (a run that crashed before reporting).
 */
int ins_import(ins_store *store, const char *const *paths, size_t npaths,
	       const ins_import_opts *opts, int allow_empty, ins_import_summary *out);

#endif
