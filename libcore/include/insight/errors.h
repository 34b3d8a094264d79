/*
 * errors.h - error codes and the last-error message of libcore.
 *
 * Every fallible libcore function returns 0 on success or one of the
 * negative codes below. The human-readable message that goes with the most
 * recent failure is kept per thread (as libgit2's git_error_last() does) and
 * read with ins_error_last(). libcore never prints and never exits: the
 * front end decides how to show the message and which exit status to use.
 */
#ifndef INSIGHT_ERRORS_H
#define INSIGHT_ERRORS_H

#include <stdarg.h>

enum {
	INS_OK = 0,
	INS_ERROR = -1,      /* generic failure */
	INS_ENOTFOUND = -2,  /* the named object does not exist */
	INS_EINVALID = -3,   /* input data is malformed (a report, a file) */
	INS_EUSAGE = -4,     /* a value given by the caller is not acceptable */
	INS_EAMBIGUOUS = -5, /* a prefix or name matches more than one object */
	INS_EBUSY = -6,      /* the store is locked by another writer */
	INS_ESTORE = -7,     /* the SQLite store failed */
	INS_ESCHEMA = -8,    /* the store was written by a newer insight */
	INS_EIO = -9,        /* reading or writing a file failed */
	INS_ENET = -10,      /* a network request failed */
	INS_EEXISTS = -11,   /* the object exists already (e.g. duplicate import) */
	INS_ECORRUPT = -12,  /* the store failed its consistency checks */
	INS_EINTR = -13      /* interrupted by a signal */
};

/*
 * Record `code` with a printf-style message as this thread's last error and
 * return `code`, so that callers can write `return ins_error_set(...)`.
 */
int ins_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ins_error_setv(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * Prefix the current message with "prefix: " (used to add a file name or
 * context on the way up). Returns the current code.
 */
int ins_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last error's message (borrowed; never NULL) and code (0 when none). */
const char *ins_error_last(void);
int ins_error_code(void);
void ins_error_clear(void);

/* A short constant name for a code, e.g. "not found". */
const char *ins_error_name(int code);

#endif
