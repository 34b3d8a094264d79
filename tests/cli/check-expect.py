"""Compare what `insight session import` stored for one conformance report
with the report's .expect file: one line per test case,
classname<TAB>name<TAB>outcome<TAB>time ("-" = attribute absent).

A test case listed more than once follows insight's repeat rule: it is a
retry when every earlier line with that classname and name failed or
errored (the last retry is then the final outcome), and otherwise a test
of its own, stored with the suffix "[#k]", k = 2, 3, ...
Cases with neither name nor classname are left out of the .expect files;
insight keeps them under a synthesised name, so they are not "unexpected".

usage: check-expect.py HISTORY.db REPORT.expect
Exit 0 when they agree; otherwise the differences on stdout and exit 1.
"""
import re
import sqlite3
import sys

OUTCOMES = ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]


def expected(path):
    tests = {}
    latest = {}  # (classname, name) -> [last k, every line so far failed]
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        classname, name, outcome, secs = line.split("\t")
        key = (None if classname == "-" else classname, None if name == "-" else name)
        state = latest.get(key)
        if state is None:
            state = latest[key] = [1, True]
        if state[1]:  # the first occurrence, or a retry: every earlier one failed
            state[1] = outcome in ("failed", "error")
            k = 1
        else:
            state[0] += 1
            k = state[0]
        tests[key + (k,)] = (outcome, None if secs == "-" else float(secs))
    return tests


def suffix(nodeid):
    m = re.search(r"\[#(\d+)\]$", nodeid)
    return int(m.group(1)) if m else 1


def stored(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT t.classname, t.name, t.nodeid, r.outcome, r.duration FROM result r "
        "JOIN test t ON t.id = r.test_id WHERE r.final = 1").fetchall()
    return {(c, n, suffix(i)): (OUTCOMES[o], d) for c, n, i, o, d in rows}


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
        if key not in want and key[:2] != (None, None):
            problems.append("unexpected: %r" % (key,))
    for p in problems:
        print(p)
    return 1 if problems else 0


sys.exit(main())
