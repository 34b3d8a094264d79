#!/usr/bin/python3
"""gen_junit.py - one large, realistic JUnit XML report for insight's ingest benchmark.

  gen_junit.py --cases N [--seed S] [--light] --out FILE

One report with N distinct test cases, as pytest (junit_family=xunit2)
writes it: lognormal durations, about 8 % failures whose messages carry
numbers and paths, 4 % skips, 1 % errors, 0.6 % flaky cases (a Surefire
<flakyFailure> before the passing attempt), parametrised and unicode names.
With --light, the same number of cases in about half the bytes: short
names, 2 % failures with a one-line message and nothing else, as a
minimal reporter (gtest, Go's go-junit-report) writes them; it weighs
the per-case cost of the store against the bytes of the parse.
Whole histories (many sessions of the same tests) come from
scripts/gen-history. The same arguments always give the same bytes.
"""
import argparse
import math
import random
import sys
import time

PACKAGES = ["api", "core", "db", "io", "net", "parse", "render", "sched", "store", "util"]
CLASSES = ["TestBasic", "TestEdgeCases", "TestErrors", "TestRoundTrip", "TestConcurrency"]
VERBS = ["parse", "load", "store", "render", "connect", "merge", "split", "resolve", "encode",
         "decode", "retry", "compare", "sort", "validate", "migrate", "schedule"]
PARAMS = ["small", "large", "empty", "unicode-\u00e9\u00e8", "none", "negative", "utf8-\u65e5\u672c",
          "x86_64", "aarch64", "sqlite", "pg"]

# Failure messages as pytest prints them: numbers, temp paths, addresses, ids.
FAIL_TEMPLATES = [
    "AssertionError: assert {a} == {b}",
    "AssertionError: expected {a} rows in /tmp/pytest-of-ci/pytest-{c}/test_{v}0/data_{d}.csv, got {b}",
    "TimeoutError: operation timed out after {a}.{d}s (deadline {b}ms)",
    "ConnectionRefusedError: [Errno 111] Connection refused: 127.0.0.1:{c}",
    "KeyError: 'item-{a}'",
    "ValueError: invalid literal for int() with base 10: '{a}x{b}'",
    "AssertionError: <Response [{c}]> object at 0x7f{a:06x}{b:04x} != <Response [200]>",
    "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/tmp{a:x}/out-{b}.json'",
    "AssertionError: {a} != {b} within 7 places ({d}.{c} difference)",
    "RuntimeError: worker {d} exited with status {c} after {a} tasks",
]
ERROR_TEMPLATES = [
    "failed on setup with \"fixture 'db_{v}' raised OperationalError: database is locked "
    "(attempt {d}/{c})\"",
    "failed on setup with \"OSError: [Errno 98] Address already in use: ('127.0.0.1', {c})\"",
    "failed on teardown with \"PermissionError: [Errno 13] Permission denied: "
    "'/tmp/pytest-of-ci/pytest-{c}/lock-{a}'\"",
]
SKIP_MESSAGES = [
    "requires linux", "needs network access", "slow test: use --runslow",
    "unsupported on this platform", "condition: sys.version_info < (3, 12)",
]


def xml_attr(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;"))


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Universe:
    """The tests of a code base: classname and name of test number i."""

    def __init__(self, count):
        self.count = count

    def case(self, i):
        pkg = PACKAGES[i % len(PACKAGES)]
        module = i // 40
        cls = CLASSES[(i // 8) % len(CLASSES)]
        verb = VERBS[(i * 7 + module) % len(VERBS)]
        classname = "tests.%s.test_%s_%04d.%s" % (pkg, pkg, module, cls)
        if i % 3 == 0:
            name = "test_%s_%d[%s-%d]" % (verb, i % 8, PARAMS[i % len(PARAMS)], i % 5)
        else:
            name = "test_%s_%d" % (verb, i % 8)
        return classname, name, "tests/%s/test_%s_%04d.py" % (pkg, pkg, module)


def fill(rng, template, verb):
    return template.format(a=rng.randrange(1, 100000), b=rng.randrange(1, 10000),
                           c=rng.randrange(100, 65000), d=rng.randrange(0, 100), v=verb)


def traceback(rng, path, name, message):
    line = rng.randrange(20, 900)
    fn = name.split("[")[0]
    return ("%s:%d: in %s\n    result = subject.%s(payload)\n"
            "src/%s:%d: in %s\n    raise\nE   %s\n" %
            (path, line, fn, fn[5:], path.split("/")[1] + ".py", rng.randrange(10, 400),
             fn[5:], message))


def duration(rng):
    # Lognormal: median 15 ms, a long tail of slow tests.
    return rng.lognormvariate(math.log(0.015), 1.4)


def emit_case(out, rng, uni, i, outcome, dur, flaky_fail=False):
    classname, name, path = uni.case(i)
    head = '<testcase classname="%s" name="%s" time="%.3f"' % (classname, xml_attr(name), dur)
    verb = name[5:].split("_")[0]
    if outcome == "passed" and not flaky_fail:
        out.append(head + " />\n")
        return
    parts = [head, ">"]
    if flaky_fail:
        msg = fill(rng, rng.choice(FAIL_TEMPLATES), verb)
        parts.append('<flakyFailure message="%s" type="AssertionError"><stackTrace>%s'
                     '</stackTrace></flakyFailure>' %
                     (xml_attr(msg), xml_text(traceback(rng, path, name, msg))))
    if outcome == "failed":
        msg = fill(rng, FAIL_TEMPLATES[(i + rng.randrange(3)) % len(FAIL_TEMPLATES)], verb)
        parts.append('<failure message="%s">%s</failure>' %
                     (xml_attr(msg), xml_text(traceback(rng, path, name, msg))))
    elif outcome == "error":
        msg = fill(rng, ERROR_TEMPLATES[i % len(ERROR_TEMPLATES)], verb)
        parts.append('<error message="%s">%s</error>' %
                     (xml_attr(msg), xml_text(traceback(rng, path, name, msg))))
    elif outcome == "skipped":
        msg = SKIP_MESSAGES[i % len(SKIP_MESSAGES)]
        parts.append('<skipped type="pytest.skip" message="%s">%s:%d: %s</skipped>' %
                     (xml_attr(msg), path, rng.randrange(10, 500), xml_text(msg)))
    parts.append("</testcase>\n")
    out.append("".join(parts))


def light_report(args):
    rng = random.Random(args.seed)
    started = 1780000000
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="all" '
                'tests="%d" timestamp="%s">\n' % (args.cases, stamp))
        buf = []
        for i in range(args.cases):
            head = '<testcase classname="m%04d.C%d" name="t%d" time="%.3f"' % (
                i // 100, (i // 20) % 5, i, duration(rng))
            if rng.random() < 0.02:
                buf.append(head + '><failure message="want %d, got %d"/></testcase>\n' %
                           (rng.randrange(100), rng.randrange(100)))
            else:
                buf.append(head + "/>\n")
            if len(buf) >= 4096:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
        f.write("</testsuite></testsuites>\n")


def one_report(args):
    rng = random.Random(args.seed)
    uni = Universe(args.cases)
    started = 1780000000  # 2026-05-28, a fixed day: the bytes never depend on the clock
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)) + ".000000+00:00"
    with open(args.out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="pytest tests">'
                '<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="%d" '
                'time="0.000" timestamp="%s" hostname="ci-runner-1">\n' % (args.cases, stamp))
        buf = []
        for i in range(args.cases):
            r = rng.random()
            if r < 0.08:
                outcome = "failed"
            elif r < 0.09:
                outcome = "error"
            elif r < 0.13:
                outcome = "skipped"
            else:
                outcome = "passed"
            flaky = outcome == "passed" and rng.random() < 0.006
            emit_case(buf, rng, uni, i, outcome, duration(rng), flaky)
            if len(buf) >= 4096:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
        f.write("</testsuite></testsuites>\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--light", action="store_true", help="fewer bytes per case (see above)")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    (light_report if args.light else one_report)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
