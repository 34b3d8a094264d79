#!/usr/bin/python3
"""peer_junitparser.py - the peer baseline of insight's benchmark.

What a user would otherwise write to keep JUnit results in SQLite: parse
the report with junitparser (Debian's python3-junitparser) and store every
case with sqlite3.executemany in one transaction, keeping the failure text
of non-passing cases only (as insight does). Prints the number of cases.

    peer_junitparser.py REPORT.xml STORE.db
"""
import sqlite3
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def rows(xml):
    suites = [xml] if xml._tag == "testsuite" else xml
    for suite in suites:
        for case in suite:
            outcome, message, text = "passed", None, None
            for r in case.result:
                if isinstance(r, Error):
                    outcome = "error"
                elif isinstance(r, Failure) and outcome != "error":
                    outcome = "failed"
                elif isinstance(r, Skipped) and outcome == "passed":
                    outcome = "skipped"
                message, text = r.message, r.text
            yield (case.classname, case.name, outcome, case.time, message, text)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: peer_junitparser.py REPORT.xml STORE.db\n")
        return 2
    xml = JUnitXml.fromfile(sys.argv[1])
    con = sqlite3.connect(sys.argv[2])
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE IF NOT EXISTS result (classname TEXT, name TEXT, outcome TEXT, "
                "duration REAL, message TEXT, detail TEXT)")
    with con:
        cur = con.executemany("INSERT INTO result VALUES (?, ?, ?, ?, ?, ?)", rows(xml))
    print(cur.rowcount)
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
