/*
 * curllib.h - libcurl, loaded when a command first makes a request (HTTP or
 * SMTP); see dynlib.h. A file that includes this header, instead of
 * <curl/curl.h>, calls libcurl as usual: each name below is a macro that
 * goes through the table. It must call ins__curllib_load() first (net.c's
 * ins_net_new() does) and give up if it fails.
 *
 * curl.h's type-checking macros for curl_easy_setopt() and
 * curl_easy_getinfo() are off: those names are the table's here.
 */
#ifndef INSIGHT_CURLLIB_H
#define INSIGHT_CURLLIB_H

/* before curl.h: its checking macros would take the names of the table's functions */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "dynlib.h"

#define INS__CURLLIB_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_getdate) \
	X(curl_global_init) \
	X(curl_mime_addpart) \
	X(curl_mime_data) \
	X(curl_mime_filename) \
	X(curl_mime_free) \
	X(curl_mime_init) \
	X(curl_mime_name) \
	X(curl_mime_type) \
	X(curl_slist_append) \
	X(curl_slist_free_all)

struct ins__curllib {
	INS__CURLLIB_FUNCS(INS__DYNLIB_MEMBER)
};

/* Filled by ins__curllib_load(); read-only afterwards. */
extern struct ins__curllib ins__curllib;

/*
 * Load the library, once per process (later calls, from any thread, return
 * the first one's result). Returns 0, or INS_ENET with an error that names
 * the library and says why it could not be loaded.
 */
int ins__curllib_load(void);

#ifndef INS__CURLLIB_IMPL
/* curl.h's own macros for these two only check the number of arguments */
#undef curl_easy_getinfo
#undef curl_easy_setopt
#define curl_easy_cleanup (ins__curllib.curl_easy_cleanup)
#define curl_easy_getinfo (ins__curllib.curl_easy_getinfo)
#define curl_easy_init (ins__curllib.curl_easy_init)
#define curl_easy_perform (ins__curllib.curl_easy_perform)
#define curl_easy_reset (ins__curllib.curl_easy_reset)
#define curl_easy_setopt (ins__curllib.curl_easy_setopt)
#define curl_easy_strerror (ins__curllib.curl_easy_strerror)
#define curl_getdate (ins__curllib.curl_getdate)
#define curl_global_init (ins__curllib.curl_global_init)
#define curl_mime_addpart (ins__curllib.curl_mime_addpart)
#define curl_mime_data (ins__curllib.curl_mime_data)
#define curl_mime_filename (ins__curllib.curl_mime_filename)
#define curl_mime_free (ins__curllib.curl_mime_free)
#define curl_mime_init (ins__curllib.curl_mime_init)
#define curl_mime_name (ins__curllib.curl_mime_name)
#define curl_mime_type (ins__curllib.curl_mime_type)
#define curl_slist_append (ins__curllib.curl_slist_append)
#define curl_slist_free_all (ins__curllib.curl_slist_free_all)
#endif

#endif
