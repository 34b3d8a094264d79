/*
 * cmd.h - what every command of the `insight` binary shares: exit codes,
 * the command context, the declarative option tables, and the helpers that
 * open the store and hand a document to a formatter.
 *
 * Commands never print results themselves: they build an ins_doc and call
 * cmd_render(). They report failure with cmd_fail() (one line on stderr,
 * "insight: ...") and return the exit code it gives.
 */
#ifndef INSIGHT_CMD_H
#define INSIGHT_CMD_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "format.h"
#include "insight/config.h"
#include "insight/doc.h"
#include "insight/errors.h"
#include "insight/store.h"

/* Exit codes: defined once, here. Documented in insight(1). */
enum {
	EXIT_OK = 0,
	EXIT_CHECK = 1,   /* a check or gate failed (compare --fail-on, db check) */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_INPUT = 3,   /* bad input data (a report that does not parse) */
	EXIT_STORE = 4,   /* the history could not be read or written */
	EXIT_NET = 5,     /* something could not be delivered (network, publishing) */
	EXIT_CANNOT_RUN = 125, /* session run: insight failed before the command ran */
	EXIT_NOEXEC = 126,     /* session run: the command is not executable */
	EXIT_NOTFOUND = 127    /* session run: the command was not found */
};

/* What a command needs of the store; the dispatcher documents it in help. */
enum {
	CMD_NO_STORE = 0,
	CMD_STORE_READ = 1,
	CMD_STORE_WRITE = 2
};

typedef struct ins_ctx {
	const char *db;          /* --db PATH, NULL = discover */
	const char *config_file; /* --config FILE, NULL = none */
	const char *output_name; /* --format as given, NULL = term */
	ins_output output;       /* the resolved output kind */
	const char *output_file; /* --output FILE, NULL = stdout */
	const char *color_when;  /* --color auto|always|never */
	int no_pager;            /* --no-pager */
	int wide;                /* --wide: tables as wide as they are, when not at a terminal */
	const char *table;       /* --table: the table csv and tsv write */
	int verbose;             /* -v, repeatable */
	int quiet;               /* -q */
	int all;                 /* --all where a command supports it */
	const char *cmdname;     /* "session list", for messages */
	int text_only;           /* the command has no document: --format is refused */
	const char *const *usage; /* the running command's usage lines */
	ins_store *store;        /* opened by cmd_store() */
	struct ins_config *config; /* read by cmd_config() */
	int config_read;         /* cmd_config() was called */
	struct ins_categories *categories; /* read by cmd_categories() */
	int no_recover;          /* cmd_store() leaves interrupted runs alone */
} ins_ctx;

/* ---- options ---- */

enum ins_opt_type {
	OPT_END = 0,
	OPT_BOOL,    /* int *: set to 1 (--no-X sets 0) */
	OPT_COUNT,   /* int *: incremented */
	OPT_STRING,  /* const char **: the argument */
	OPT_INT,     /* long *: a whole number */
	OPT_LIST,    /* struct cmd_list *: repeatable, every argument kept */
	OPT_GROUP    /* a heading in -h output */
};

/* The values of a repeatable option, in order (points into argv). */
struct cmd_list {
	const char **items;
	size_t n, alloc;
};
void cmd_list_release(struct cmd_list *l);

struct ins_option {
	enum ins_opt_type type;
	int short_name;        /* 0 for none */
	const char *long_name; /* NULL for none */
	void *value;
	const char *argh;      /* placeholder shown in help: "PATH" */
	const char *help;
	const char *complete;  /* completion: "file", "dir", "sut", "session", "test",
				  "format", "a|b|c" (fixed words), NULL = none */
};

#define OPT_BOOL(s, l, v, h) { OPT_BOOL, (s), (l), (v), NULL, (h), NULL }
#define OPT_COUNT(s, l, v, h) { OPT_COUNT, (s), (l), (v), NULL, (h), NULL }
#define OPT_STRING(s, l, v, a, h, c) { OPT_STRING, (s), (l), (v), (a), (h), (c) }
#define OPT_INT(s, l, v, a, h) { OPT_INT, (s), (l), (v), (a), (h), NULL }
#define OPT_LIST(s, l, v, a, h, c) { OPT_LIST, (s), (l), (v), (a), (h), (c) }
#define OPT_GROUP(h) { OPT_GROUP, 0, NULL, NULL, NULL, (h), NULL }
#define OPT_END() { OPT_END, 0, NULL, NULL, NULL, NULL, NULL }

enum {
	PARSE_STOP_AT_NON_OPTION = 1 << 0 /* everything from the first positional on is left as is */
};

/*
 * Parse argv (argv[0] is the command's name) against `opts` and the global
 * options. Handles -h (usage and options on stdout, exit 0), --help (the man
 * page, or -h output), `--` and the hidden --insight-complete-options.
 * Returns the number of positional arguments, moved to the front of argv,
 * or -1 after printing a usage error (the caller returns EXIT_USAGE).
 */
int cmd_parse_options(ins_ctx *ctx, int argc, const char **argv, const struct ins_option *opts,
		      const char *const *usage, unsigned flags);

/*
 * Replace this process with man(1) showing manual page `page` (e.g.
 * "insight-session"): the installed copy, else the source tree's. Returns
 * only when it cannot: stdout is not a terminal, man is not installed, or
 * the page is not found; the caller then prints its built-in help.
 */
void cmd_show_man(const char *page);

/* Reserve the heap in huge pages, as the command line's command needs (heap.c); first thing in main. */
void cmd_heap_setup(int argc, char **argv);

/* Print the usage lines and option help to `fp`. */
void cmd_usage_print(FILE *fp, const char *const *usage, const struct ins_option *opts);

/* The global options, shared by the dispatcher and every command. */
extern const struct ins_option cmd_global_options[];

/* ---- the command table ---- */

typedef int (*cmd_fn)(int argc, const char **argv, ins_ctx *ctx);

struct ins_subcmd {
	const char *name;
	cmd_fn fn;
	const char *summary;
	unsigned store;        /* CMD_NO_STORE, CMD_STORE_READ, CMD_STORE_WRITE */
	unsigned text_only;    /* answers in text only (or not on stdout): --format is refused */
};

struct ins_group {
	const char *name;
	const char *summary;
	const struct ins_subcmd *subs; /* NULL-terminated; NULL for a command without subcommands */
	cmd_fn fn;                     /* for a command without subcommands */
	unsigned store;
	int hidden;                    /* not listed in help */
};

/* All built-in groups, NULL-terminated (defined in insight.c). */
extern const struct ins_group *const cmd_groups[];

/* The group named `name`, or NULL. */
const struct ins_group *cmd_find_group(const char *name);

/*
 * Set in a child process that runs a command only to list its options for
 * completion (cmd_complete.c): cmd_store() ends such a process at once.
 */
extern int cmd_probing;

/* ---- helpers ---- */

/*
 * Print "insight: <last libcore error>" on stderr and return the exit code
 * that goes with libcore error `code`.
 */
int cmd_fail(int code);
/* Print "insight: <message>" on stderr; returns EXIT_USAGE. */
int cmd_usage_error(ins_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "insight: <message>" on stderr; returns `exit_code`. */
int cmd_error(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "insight: <message>" on stderr, control characters escaped. */
void cmd_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "insight: warning: <message>" on stderr. */
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress or a note on stderr, unless -q. */
void cmd_note(ins_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The exit code for a libcore error code. */
int cmd_exit_code(int code);
/*
 * The check of a --sut option: absent, or a name. An empty name (--sut "",
 * a variable that was not set) is refused rather than read as every SUT.
 * Returns 0, or EXIT_USAGE with the error printed.
 */
int cmd_sut_check(ins_ctx *ctx, const char *sut);

/*
 * Open the history for reading or writing (CMD_STORE_READ / WRITE), once per
 * run; later calls return the same handle. Reading a history that does not
 * exist yet, found by discovery rather than named, gives an empty history.
 * Returns 0 or an exit code (the error already printed).
 */
int cmd_store(ins_ctx *ctx, unsigned mode, ins_store **out);

/*
 * The configuration for this run (insight/config.h): the user file, the
 * project file beside the history in use, and --config FILE, read once.
 * Warns once about a file that holds a secret and is readable by others.
 * Sets *out (may be NULL when no file exists: the getters accept it) and
 * returns 0, or an exit code (the error already printed).
 */
int cmd_config(ins_ctx *ctx, const struct ins_config **out);
/*
 * The failure categories of the configuration (insight/category.h), read
 * once and kept in ctx; 0 or an exit status.
 */
int cmd_categories(ins_ctx *ctx, const struct ins_categories **out);
/* The project config file for the history in use (`config` beside it). */
void cmd_config_project_path(ins_ctx *ctx, ins_buf *out);
/* A level's name, as config get --show-origin, config list and remote list and show print it. */
const char *cmd_config_level_name(ins_config_level level);

/*
 * A network context for a publishing command (insight/net.h): timeouts,
 * retries and budget from the configuration (net.*), -vv traces each
 * request and answer on stderr (masked), and with `dry_run` each request is
 * printed on stdout (masked) and none is sent. Free it with ins_net_free().
 * Returns 0 or an exit code (printed).
 */
struct ins_net;
int cmd_net_open(ins_ctx *ctx, int dry_run, struct ins_net **out);
/*
 * End a publishing command: print the delivery summary line ("delivered:
 * ...; not delivered: ..."; on stderr, as a note unless something was not
 * delivered) and return EXIT_NET when anything was not delivered, else
 * EXIT_OK.
 */
struct ins_delivery;
int cmd_delivery_finish(ins_ctx *ctx, const struct ins_delivery *d);

/*
 * Store the runs of `history` whose insight was killed, as interrupted
 * sessions, saying so on stderr (cmd_recover.c). Called by cmd_store():
 * after opening for writing, before opening for reading (then only where
 * the history is writable).
 */
void cmd_recover_orphans(ins_ctx *ctx, const char *history, unsigned mode);
/* The secrets to hide in captured output (insight/redact.h), NULL for none. */
struct ins_redactor *cmd_redactor(ins_ctx *ctx);

/* Render `doc` in the chosen output format to stdout or --output; frees doc. Returns an exit code. */
int cmd_render(ins_ctx *ctx, ins_doc *doc);

/* The closest of `names` to `word` (a did-you-mean guess), or NULL when nothing is close. */
const char *cmd_closest(const char *word, const char *const *names, size_t n);

/*
 * Ask before something that cannot be undone, when a person is there to
 * answer (stdin and stderr are terminals): the question on stderr, "y" or
 * "yes" to go on. Returns 1 to go on (also with `yes`, or without a
 * terminal, as in scripts), 0 when the answer is no.
 */
int cmd_confirm(ins_ctx *ctx, int yes, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * After `session run` stored `session` (its uid): with ci.report = auto and
 * a CI provider detected, publish it as `ci report --sut SUT --session ID`
 * would. Returns that command's exit code (EXIT_OK when nothing was to do).
 */
int cmd_ci_report_after_run(ins_ctx *ctx, const char *sut, const char *session);
/*
 * After `session run` stored `session` (its uid): when `want` is 1 (--publish),
 * or -1 and publish.after-run is true, publish it to every target of
 * publish.targets as `insight publish --all` would, the lines on stderr.
 * Returns that command's exit code (EXIT_OK when nothing was to do).
 */
int cmd_publish_after_run(ins_ctx *ctx, const char *session, int want);
/*
 * Before `session run --publish` runs anything: EXIT_OK when publish.targets
 * names known targets, else a usage exit code after saying why.
 */
int cmd_publish_check_targets(ins_ctx *ctx);
/*
 * After `session run` or `session import` stored sessions in `store`: with
 * remote.auto-push naming a remote, push to it as `insight push NAME` would
 * (every session it lacks). A push that fails is one warning line on
 * stderr: the sessions stay in the history and go with the next push.
 * Returns EXIT_OK, or EXIT_NET when the push failed; the callers' exit
 * status does not change either way.
 */
int cmd_remote_auto_push(ins_ctx *ctx, ins_store *store);

/*
 * Where an answer is written: stdout, or the file of -o (output.c says how
 * each kind of path is treated). cmd_out_open() reports its own failure and
 * returns its exit code; cmd_out_close() finishes the file (or drops it when
 * `rc` is a failure) and returns `rc` or the write's own failure.
 */
typedef struct cmd_out {
	FILE *fp;
	const char *shown;      /* the path as the user gave it */
	char *target, *tmp;     /* a regular file: written as tmp, renamed to target */
	mode_t mode;
	int keep_mode;
} cmd_out;

int cmd_out_open(ins_ctx *ctx, cmd_out *o);
int cmd_out_close(cmd_out *o, int rc);
/*
 * Where a command that writes a directory (export allure) puts it: written
 * under a temporary name beside the path of -o, renamed into place by
 * cmd_outdir_close() when `rc` is EXIT_OK, else removed (output.c says
 * which paths are accepted and what `replace` allows).
 */
typedef struct cmd_outdir {
	const char *shown;      /* the path as the user gave it */
	char *target, *tmp;     /* tmp is the directory being written */
	int replace;            /* a directory of Allure results is at target */
} cmd_outdir;

int cmd_outdir_open(const char *path, int replace, cmd_outdir *o);
int cmd_outdir_close(ins_ctx *ctx, cmd_outdir *o, int rc);
/* Delete the directory tree at `path` (symbolic links are not followed); 0 or -1. */
int cmd_remove_tree(const char *path);
/* Report a failed write to stdout, once per run; the exit code (3). */
int cmd_stdout_error(int err);
mode_t cmd_umask(void);

/* Parse a whole number (strict); 0 or -1 with nothing printed. */
int cmd_parse_long(const char *s, long *out);

/* Whether colour is wanted on `fp` for the --color setting and NO_COLOR. */
int cmd_want_color(const ins_ctx *ctx, FILE *fp);
/* The terminal width for stdout: COLUMNS, the tty, else 80. */
int cmd_term_width(void);

#endif
