/*
 * model.h - the data model shared by ingest, the store and the analyses.
 *
 *   SUT 1 - * Session 1 - * Result (one per test per attempt) * - 1 Test
 *                                  `- * - 1 Failure fingerprint
 *
 * The structs here describe data on its way into the store. Their string
 * pointers are borrowed unless a comment says otherwise: a parser fills an
 * ins_result from its own buffers and the store copies what it keeps before
 * the callback returns.
 */
#ifndef INSIGHT_MODEL_H
#define INSIGHT_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* The outcome of one attempt. Values are stored in the history: never renumber. */
typedef enum ins_outcome {
	INS_OUTCOME_PASSED = 0,
	INS_OUTCOME_FAILED = 1,
	INS_OUTCOME_ERROR = 2,   /* setup/teardown/collection error, or a JUnit <error> */
	INS_OUTCOME_SKIPPED = 3, /* includes disabled / not run */
	INS_OUTCOME_XFAILED = 4, /* expected failure that failed */
	INS_OUTCOME_XPASSED = 5  /* expected failure that passed (non-strict) */
} ins_outcome;
#define INS_OUTCOME_COUNT 6

/* "passed", "failed", "error", "skipped", "xfailed", "xpassed". */
const char *ins_outcome_name(ins_outcome o);
/* Parse one of the names above; INS_EUSAGE when unknown. */
int ins_outcome_parse(const char *name, ins_outcome *out);
/* Failed or error: what counts against the pass rate. */
int ins_outcome_is_failure(ins_outcome o);

/* Flags on a result. Stored: never renumber. */
enum {
	INS_RESULT_WARNINGS = 1 << 0,         /* the test emitted warnings */
	INS_RESULT_DURATION_CLAMPED = 1 << 1, /* the reported duration was absurd and was dropped */
	INS_RESULT_FLAKY = 1 << 2,            /* final attempt passed after a failed attempt */
	INS_RESULT_INTERRUPTED = 1 << 3,      /* recorded from an interrupted run */
	/*
	 * Never stored: on the way from a parser to the import only, the first
	 * attempt of an occurrence whose repeat rule the import applies
	 * (ingest/repeat.h).
	 */
	INS_RESULT_OCCURRENCE = 1 << 15
};

typedef struct ins_property {
	const char *key;
	const char *value;
} ins_property;

/*
 * One attempt of one test, as a parser reports it. Attempts of the same test
 * arrive in order; the store numbers them (1, 2, ...) and the last one is the
 * test's final outcome in the session.
 */
typedef struct ins_result {
	const char *nodeid;    /* stable identity: pytest node id, else [file::]classname::name. Required. */
	const char *file;      /* source file, NULL when unknown */
	const char *classname; /* JUnit classname, NULL when unknown */
	const char *name;      /* the test's own name (with parameters), NULL when unknown */
	ins_outcome outcome;
	double duration;       /* seconds; negative when unknown */
	int64_t start_ms;      /* epoch milliseconds (UTC); 0 when unknown */
	unsigned flags;        /* INS_RESULT_* */
	const char *message;   /* one-line failure or skip reason, NULL when none */
	const char *detail;    /* traceback / failure body, NULL when none */
	const char *out;       /* captured stdout */
	const char *err;       /* captured stderr */
	const char *log;       /* captured log records */
	const ins_property *props; /* markers, record_property, case ids ... */
	size_t nprops;
} ins_result;

/* Facts about the git checkout a session ran in. Strings are owned. */
typedef struct ins_git_facts {
	int present;        /* 0 outside a repository */
	char *commit;       /* full hex sha of HEAD */
	char *tree;         /* full hex sha of HEAD's tree */
	char *branch;       /* short branch name, NULL when detached */
	char *parents;      /* parent shas separated by spaces */
	char *author;       /* "Name <email>" */
	char *subject;      /* first line of the commit message */
	int dirty;          /* tracked files modified in the work tree or index */
	int64_t commit_time_ms;
} ins_git_facts;

void ins_git_facts_release(ins_git_facts *g);

/* Facts about the CI job a session ran in, read from the environment. Strings are owned. */
typedef struct ins_ci_facts {
	char *provider;     /* "github", "gitlab", "jenkins", ...; NULL when local */
	char *build_id;
	char *build_url;
	char *job;
	char *pr;           /* pull/merge request number */
	char *branch;
	char *base_branch;
	char *commit;
	char *repo;         /* "owner/name" or project path where the provider says */
	char *head_commit;  /* the PR's head (not a merge commit), else `commit` */
	char *job_url;      /* this job's page, where the provider has one */
	char *api_url;      /* the base URL of the code host's API */
	char *fork;         /* "1" when the pull request comes from a fork (its token is read-only) */
} ins_ci_facts;

void ins_ci_facts_release(ins_ci_facts *c);

typedef struct ins_tag {
	const char *key;
	const char *value;
} ins_tag;

/* Session states. Stored as text. */
#define INS_SESSION_COMPLETE "complete"
#define INS_SESSION_INTERRUPTED "interrupted" /* the run was stopped by a signal */
#define INS_SESSION_INCOMPLETE "incomplete"   /* the tool crashed or wrote a partial report */
#define INS_SESSION_NO_TESTS "no-tests"       /* it ran, and collected no tests (set at commit) */

/* What a session is, as handed to the store when it is written. Borrowed. */
typedef struct ins_session_info {
	const char *sut;          /* required */
	int64_t started_ms;       /* epoch ms UTC; 0 = now */
	int64_t finished_ms;      /* 0 = unknown */
	const char *command;      /* the command line, NULL for an import */
	int has_exit_status;
	int exit_status;
	const char *state;        /* INS_SESSION_*; NULL = complete */
	const char *format;       /* "junit", "reportlog", "ctrf" */
	const char *source;       /* file(s) it came from */
	const char *host;
	const ins_git_facts *git; /* NULL = none */
	const ins_ci_facts *ci;   /* NULL = none */
	const ins_tag *tags;
	size_t ntags;
	const char *uid;          /* the session's id when it has one already (a fetched
				     session keeps its own); NULL = a new id */
} ins_session_info;

#endif
