/*
 * pytest_console.h - pytest's terminal output, split into its named sections.
 *
 * While `insight session run` records a pytest run it also keeps what pytest
 * printed, cut into the sections pytest itself draws with "=" rules:
 *
 *   "test session starts"  the header and progress lines (also the text
 *                          before the first rule in -q mode)
 *   "errors"               ==== ERRORS ====
 *   "failures"             ==== FAILURES ====
 *   "passes"               ==== PASSES ==== (-rP)
 *   "warnings summary"     ==== warnings summary ====
 *   "rerun test summary"   ==== rerun test summary info ==== (pytest-rerunfailures -rR)
 *   "short test summary"   ==== short test summary info ====
 *   "last line"            the final "3 failed, 5 passed in 1.2s" line, without its rules
 *
 * Any other rule ("slowest 10 durations", plugins' own) names a section by its
 * title in lower case. "---- Captured stdout call ----" and "____ test_x ____"
 * lines stay inside the section they belong to, as on the terminal. ANSI
 * colour sequences are removed first.
 */
#ifndef INSIGHT_PYTEST_CONSOLE_H
#define INSIGHT_PYTEST_CONSOLE_H

#include <stddef.h>

#include "model.h"

/*
 * Call fn(data, name, text) for each section of `text[0..len)` in order of
 * appearance; `name` and `text` are borrowed for the call. The text of a
 * section has no header line and no trailing newline. Returns 0, or the first
 * non-zero value fn returned.
 */
int ins_pytest_sections(const char *text, size_t len,
			int (*fn)(void *data, const char *name, const char *text), void *data);

/*
 * Parse pytest's final summary line ("1 failed, 2 passed, 1 skipped, 1 xfailed,
 * 1 xpassed, 2 errors, 3 rerun, 1 warning in 0.12s", with or without the "="
 * rules and colours; "no tests ran in 0.01s" too). counts[] is indexed by
 * ins_outcome; *rerun (may be NULL) gets the rerun count. Words pytest adds
 * that are no outcome (warnings, deselected) are accepted and ignored.
 * Returns 0, or INS_EINVALID when the line is no summary line.
 */
int ins_pytest_summary_counts(const char *last_line, int counts[INS_OUTCOME_COUNT], int *rerun);

#endif
