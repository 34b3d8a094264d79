/*
 * dynlib.h - a shared library opened when a command first needs it.
 *
 * insight links at start-up only what every command uses (SQLite, expat,
 * cJSON, zlib, yajl). libgit2, libcurl and libpq, with the TLS, SSH,
 * Kerberos and LDAP libraries they bring, would otherwise be mapped and
 * relocated by every run, `insight --version` included: most of insight's
 * start-up. Each is built against its headers and opened by the soname of
 * the library those headers came with (gitlib.h, curllib.h, pglib.h), its
 * functions reached through a table of pointers typed from the headers'
 * own declarations, so that a mismatch is a compile error.
 */
#ifndef INSIGHT_DYNLIB_H
#define INSIGHT_DYNLIB_H

#include <pthread.h>
#include <stddef.h>

/* One library: what to open and fill, and how that went. */
struct ins__dynlib {
	const char *soname;        /* e.g. "libcurl.so.4" */
	const char *what;          /* "HTTP support", to begin its messages */
	const char *const *names;  /* its functions, in the table's order */
	size_t n;
	void *table;               /* a struct of n function pointers */
	/* NULL, or run once the table is filled: 0, or -1 with a message in msg */
	int (*init)(struct ins__dynlib *lib);
	int code;                  /* the error code of a failure (INS_ENET, ...) */
	pthread_mutex_t lock;
	int state;                 /* 0: not tried yet, 1: loaded, -1: failed */
	char msg[512];
};

/*
 * Define a library's loader, `int <table>_load(void)`: `table` is the
 * struct of pointers, `funcs` its X-macro list of functions, `init` run
 * once after the table is filled (or NULL), `code` the error code of a
 * failure.
 */
#define INS__DYNLIB_DEFINE(table, funcs, soname, what, init, code) \
	static const char *const table##_names[] = { funcs(INS__DYNLIB_NAME) }; \
	_Static_assert(sizeof(table) == sizeof(table##_names) / sizeof(table##_names[0]) * \
		       sizeof(void *), "the table is one pointer per function"); \
	static struct ins__dynlib table##_lib = { \
		(soname), (what), table##_names, \
		sizeof(table##_names) / sizeof(table##_names[0]), &(table), (init), (code), \
		PTHREAD_MUTEX_INITIALIZER, 0, "" }; \
	int table##_load(void) \
	{ \
		return ins__dynlib_load(&table##_lib); \
	}

/*
 * Open the library and fill its table, once per process (later calls, from
 * any thread, return the first one's result). Returns 0, or lib->code with
 * the error set: "<what> is unavailable: cannot load <soname>: <why>", or
 * that <soname> lacks a function, or what init said. The library stays
 * loaded until the process exits.
 */
int ins__dynlib_load(struct ins__dynlib *lib);

/* The two X-macro helpers of a table: its member, and its name for `names`. */
#define INS__DYNLIB_MEMBER(name) __typeof__(name) *name;
#define INS__DYNLIB_NAME(name) #name,

#endif
