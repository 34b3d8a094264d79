/*
 * export.h - stored sessions written in other tools' formats.
 */
#ifndef INSIGHT_EXPORT_H
#define INSIGHT_EXPORT_H

#include <stdio.h>

#include "store.h"

/*
 * Write session `uid` (a full id) to `fp` as JUnit XML (see junit_out.c for
 * what each outcome and retry becomes). Returns 0, INS_ENOTFOUND for an
 * unknown session, or a store error; write errors are the caller's to see
 * on `fp`.
 */
int ins_export_junit(ins_store *store, const char *uid, FILE *fp);

#endif
