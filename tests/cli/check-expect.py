"""Compare what `insight session import` stored for one conformance report
with the report's .expect file: one line per test case,
classname<TAB>name<TAB>outcome<TAB>time ("-" = attribute absent).

A test case listed more than once is one test with several attempts, the
last line being its final outcome (the corpus README's rule).

usage: check-expect.py HISTORY.db REPORT.expect
Exit 0 when they agree; otherwise the differences on stdout and exit 1.
"""
import sqlite3
import sys

OUTCOMES = ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]


def expected(path):
    tests = {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        classname, name, outcome, secs = line.split("\t")
        key = (None if classname == "-" else classname, None if name == "-" else name)
        tests[key] = (outcome, None if secs == "-" else float(secs))
    return tests


def stored(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT t.classname, t.name, r.outcome, r.duration FROM result r "
        "JOIN test t ON t.id = r.test_id WHERE r.final = 1").fetchall()
    return {(c, n): (OUTCOMES[o], d) for c, n, o, d in rows}


def main():
    want, got = expected(sys.argv[2]), stored(sys.argv[1])
    problems = []
    for key, (outcome, secs) in want.items():
        if key not in got:
            problems.append("missing: %r" % (key,))
            continue
        g_outcome, g_secs = got[key]
        if g_outcome != outcome:
            problems.append("%r: outcome %s, expected %s" % (key, g_outcome, outcome))
        if secs is not None and (g_secs is None or abs(g_secs - secs) > 1e-6):
            problems.append("%r: time %r, expected %r" % (key, g_secs, secs))
    for key in got:
        if key not in want:
            problems.append("unexpected: %r" % (key,))
    for p in problems:
        print(p)
    return 1 if problems else 0


sys.exit(main())
