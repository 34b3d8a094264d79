#!/bin/bash
# t3001-pytest-plugin - the pytest plugin insight loads into `session run`
# (share/pytest/insight_pytest.py), driven by real pytest over the fixture
# project tests/fixtures/pyproj (see its EXPECTED.md).
#
# Checks: the report-log is valid JSON lines; its counts per outcome equal
# pytest's own summary line and EXPECTED.md; reruns, wasxfail, markers,
# user_properties, warnings and captured sections are there; a run killed with
# SIGKILL leaves complete lines only; failed collections are written; the
# console output and exit status are unchanged; without INSIGHT_REPORT_LOG the
# plugin does nothing; the plugin's own serialisation of reports without longrepr
# equals pytest_report_to_serializable, and another plugin's serialiser is honoured.

. "$(dirname "$0")/lib.sh"

# check DESCRIPTION COMMAND [ARG...]: one test point, passing when the command succeeds.
check() {
	local desc=$1
	shift
	test_expect_success "$desc" "$(printf '%q ' "$@")"
}

SRCDIR=$INSIGHT_SRCDIR
PY=$INSIGHT_PYTHON
TMP=$TRASH
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0
unset PYTEST_ADDOPTS PYTEST_PLUGINS PYPROJ_STATE PYPROJ_HANG
hang_pid=
trap '[ -n "$hang_pid" ] && kill -9 "$hang_pid" 2>/dev/null' EXIT

if ! "$PY" -c 'import pytest, pytest_rerunfailures' 2>/dev/null; then
	echo "1..0 # SKIP $PY has no pytest or pytest-rerunfailures"
	cd / && rm -rf "$TRASH"
	exit 0
fi

# Run on a copy, so pytest's cache and byte code stay out of the source tree.
cp -r "$SRCDIR/tests/fixtures/pyproj" "$TMP/pyproj"
PLUGIN_DIR=$SRCDIR/share/pytest

# run_pytest OUT STATUSFILE [ENV=VALUE...] -- ARGS...: run pytest in $TMP.
run_pytest() {
	local out=$1 statusfile=$2
	shift 2
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	(cd "$TMP" && env PYTHONPATH="$PLUGIN_DIR" "${envs[@]}" \
		"$PY" -m pytest -p no:cacheprovider "$@" >"$out" 2>&1)
	echo $? >"$statusfile"
}

# --- 1. a full run with the report-log -------------------------------------
mkdir "$TMP/state1"
run_pytest "$TMP/with.out" "$TMP/with.status" \
	INSIGHT_REPORT_LOG="$TMP/run.jsonl" PYPROJ_STATE="$TMP/state1" -- -p insight_pytest pyproj

check "pytest exits with status 1" test "$(cat "$TMP/with.status")" = 1
check "the report-log file was written" test -s "$TMP/run.jsonl"

# One Python checker holds the JSON assertions; each prints its failures and
# exits non-zero, which `check` turns into a failed test point.
cat >"$TMP/checks.py" <<'EOF'
import json, re, sys

def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        sys.exit("last line is not terminated by a newline")
    lines = []
    for i, raw in enumerate(data.split(b"\n")[:-1], 1):
        try:
            obj = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            sys.exit("line %d is not JSON: %s" % (i, e))
        if not isinstance(obj, dict) or "$report_type" not in obj:
            sys.exit("line %d has no $report_type" % i)
        lines.append(obj)
    return lines

def status_counts(lines):
    """Count reports the way pytest's terminal summary does."""
    counts = {}
    def add(key):
        counts[key] = counts.get(key, 0) + 1
    for d in lines:
        t = d["$report_type"]
        if t == "WarningMessage":
            add("warnings")
        elif t == "CollectReport" and d["outcome"] == "failed":
            add("errors")
        elif t == "TestReport":
            o, when = d["outcome"], d["when"]
            if o == "rerun":
                add("rerun")
            elif "wasxfail" in d and o == "skipped":
                add("xfailed")
            elif "wasxfail" in d and o == "passed":
                add("xpassed")
            elif o == "failed":
                add("failed" if when == "call" else "errors")
            elif o == "skipped":
                add("skipped")
            elif o == "passed" and when == "call":
                add("passed")
    return counts

def summary_counts(console):
    last = [l for l in open(console, encoding="utf-8").read().splitlines() if l.strip()][-1]
    m = re.match(r"^=+ (.*) in [0-9.]+s(?: \([^)]*\))? =+$", last)
    if not m:
        sys.exit("no summary line: %r" % last)
    counts = {}
    for part in m.group(1).split(", "):
        n, word = part.split(" ", 1)
        word = {"error": "errors", "warning": "warnings"}.get(word, word)
        counts[word] = int(n)
    return counts

def final_outcomes(lines):
    """Final outcome and attempt count per node id, as ingest must derive them."""
    tests = {}
    for d in lines:
        if d["$report_type"] != "TestReport":
            continue
        t = tests.setdefault(d["nodeid"], {"attempts": 1, "outcome": None, "new": False})
        if t["new"]:
            t["attempts"] += 1
            t["outcome"] = None
            t["new"] = False
        o, when = d["outcome"], d["when"]
        if o == "rerun":
            t["new"] = True
            continue
        if o == "failed":
            t["outcome"] = "failed" if when == "call" else "error"
        elif "wasxfail" in d:
            t["outcome"] = "xfailed" if o == "skipped" else "xpassed"
        elif o == "skipped" and t["outcome"] != "error":
            t["outcome"] = "skipped"
        elif o == "passed" and when == "call" and t["outcome"] is None:
            t["outcome"] = "passed"
    return {k: (v["outcome"], v["attempts"]) for k, v in tests.items()}

def reports(lines, nodeid, when=None):
    return [d for d in lines if d["$report_type"] == "TestReport" and d["nodeid"] == nodeid
            and (when is None or d["when"] == when)]

def fail(msg):
    print(msg)
    sys.exit(1)

what, path = sys.argv[1], sys.argv[2]
lines = load(path)

if what == "valid":
    print("%d lines" % len(lines))
elif what == "frame":
    if lines[0] != {"$report_type": "SessionStart", "pytest_version": lines[0].get("pytest_version")}:
        fail("first line: %r" % lines[0])
    import pytest
    if lines[0]["pytest_version"] != pytest.__version__:
        fail("pytest_version %r" % lines[0]["pytest_version"])
    if lines[-1] != {"$report_type": "SessionFinish", "exitstatus": int(sys.argv[3])}:
        fail("last line: %r" % lines[-1])
    if [d for d in lines[1:-1] if d["$report_type"] in ("SessionStart", "SessionFinish")]:
        fail("session lines in the middle")
elif what == "summary":
    got, want = status_counts(lines), summary_counts(sys.argv[3])
    if got != want:
        fail("report-log counts %r, pytest's summary %r" % (got, want))
elif what == "expected":
    want = {"failed": 5, "passed": 10, "skipped": 2, "xfailed": 1, "xpassed": 1,
            "warnings": 2, "errors": 2, "rerun": 3}
    got = status_counts(lines)
    if got != want:
        fail("counts %r, EXPECTED.md says %r" % (got, want))
elif what == "finals":
    want = {
        "test_basic.py::test_pass": ("passed", 1),
        "test_basic.py::test_fail_diff": ("failed", 1),
        "test_basic.py::test_skip_marker": ("skipped", 1),
        "test_basic.py::test_skip_imperative": ("skipped", 1),
        "test_basic.py::test_xfail": ("xfailed", 1),
        "test_basic.py::test_xpass": ("xpassed", 1),
        "test_basic.py::test_xpass_strict": ("failed", 1),
        "test_basic.py::test_warning": ("passed", 1),
        "test_basic.py::test_record_property": ("passed", 1),
        "test_basic.py::test_unknown_mark": ("passed", 1),
        "test_classes.py::TestAccount::test_deposit": ("passed", 1),
        "test_classes.py::TestAccount::test_withdraw_overdraft": ("failed", 1),
        "test_fixtures.py::test_setup_error": ("error", 1),
        "test_fixtures.py::test_teardown_error": ("error", 1),
        "test_hang.py::test_hang_when_asked": ("passed", 1),
        "test_params.py::test_ids[a::b]": ("passed", 1),
        "test_params.py::test_ids[\u00fcn\u00ef]": ("passed", 1),
        "test_params.py::test_ids[x[1]]": ("failed", 1),
        "test_reruns.py::test_recovers": ("passed", 2),
        "test_reruns.py::test_never_recovers": ("failed", 3),
    }
    got = final_outcomes(lines)
    if got != want:
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                print("%s: got %r, want %r" % (k, got.get(k), want.get(k)))
        sys.exit(1)
elif what == "reruns":
    calls = [(d["outcome"], d.get("rerun")) for d in reports(lines, "test_reruns.py::test_recovers", "call")]
    if calls != [("rerun", 0), ("passed", 1)]:
        fail("test_recovers calls %r" % calls)
    calls = [(d["outcome"], d.get("rerun")) for d in reports(lines, "test_reruns.py::test_never_recovers", "call")]
    if calls != [("rerun", 0), ("rerun", 1), ("failed", 2)]:
        fail("test_never_recovers calls %r" % calls)
    msg = reports(lines, "test_reruns.py::test_never_recovers", "call")[-1]["longrepr"]["reprcrash"]["message"]
    if "attempt 3" not in msg:
        fail("last attempt's message %r" % msg)
elif what == "markers":
    bad = [d["nodeid"] for d in lines if d["$report_type"] == "TestReport"
           and not isinstance(d.get("markers"), list)]
    if bad:
        fail("TestReports without a markers list: %r" % bad)
    want = {
        "test_basic.py::test_pass": [],
        "test_basic.py::test_record_property": ["smoke"],
        "test_basic.py::test_skip_marker": ["skip"],
        "test_basic.py::test_xfail": ["xfail"],
        "test_basic.py::test_unknown_mark": ["unregistered_mark"],
        "test_classes.py::TestAccount::test_deposit": ["smoke"],
        "test_classes.py::TestAccount::test_withdraw_overdraft": ["slow", "smoke"],
        "test_params.py::test_ids[x[1]]": ["parametrize"],
        "test_reruns.py::test_recovers": ["flaky"],
    }
    for nodeid, marks in want.items():
        for d in reports(lines, nodeid):
            if d["markers"] != marks:
                fail("%s %s: markers %r, want %r" % (nodeid, d["when"], d["markers"], marks))
elif what == "properties":
    call = reports(lines, "test_basic.py::test_record_property", "call")
    if len(call) != 1 or call[0]["user_properties"] != [["testrail_case_id", "C123"]]:
        fail("user_properties %r" % [d.get("user_properties") for d in call])
    others = [d["nodeid"] for d in lines if d["$report_type"] == "TestReport"
              and d["nodeid"] != "test_basic.py::test_record_property" and d["user_properties"]]
    if others:
        fail("unexpected user_properties on %r" % others)
elif what == "wasxfail":
    x = reports(lines, "test_basic.py::test_xfail", "call")
    p = reports(lines, "test_basic.py::test_xpass", "call")
    s = reports(lines, "test_basic.py::test_xpass_strict", "call")
    if [(d["outcome"], d.get("wasxfail")) for d in x] != [("skipped", "known bug #12")]:
        fail("xfail %r" % x)
    if [(d["outcome"], d.get("wasxfail")) for d in p] != [("passed", "maybe fixed")]:
        fail("xpass %r" % p)
    if len(s) != 1 or s[0]["outcome"] != "failed" or "wasxfail" in s[0] \
            or "[XPASS(strict)] must fail" not in str(s[0]["longrepr"]):
        fail("strict xpass %r" % s)
elif what == "warnings":
    w = [(d["when"], d["nodeid"], d["category"]) for d in lines if d["$report_type"] == "WarningMessage"]
    if w != [("collect", "", "PytestUnknownMarkWarning"), ("runtest", "test_basic.py::test_warning", "UserWarning")]:
        fail("warnings %r" % w)
    d = [d for d in lines if d["$report_type"] == "WarningMessage"][1]
    if d["warning_message"] != "UserWarning: the old API is deprecated" or \
            not d["filename"].endswith("test_basic.py") or not isinstance(d["lineno"], int):
        fail("warning line %r" % d)
elif what == "sections":
    call = reports(lines, "test_basic.py::test_fail_diff", "call")[0]
    sec = dict((k, v) for k, v in call["sections"])
    if "stdout line from test_fail_diff" not in sec.get("Captured stdout call", "") or \
            "stderr line from test_fail_diff" not in sec.get("Captured stderr call", "") or \
            "log line from test_fail_diff" not in sec.get("Captured log call", ""):
        fail("sections %r" % call["sections"])
    text = json.dumps(call["longrepr"])
    if "'price': 12" not in text or "Differing items" not in text:
        fail("no assertion diff in %s" % text[:400])
elif what == "collect-none":
    c = [d for d in lines if d["$report_type"] == "CollectReport"]
    if c:
        fail("CollectReport lines %r" % c)
elif what == "collect-error":
    c = [(d["nodeid"], d["outcome"]) for d in lines if d["$report_type"] == "CollectReport"]
    if c != [("test_broken.py", "failed")]:
        fail("CollectReports %r" % c)
    d = [d for d in lines if d["$report_type"] == "CollectReport"][0]
    if "SyntaxError" not in json.dumps(d["longrepr"]):
        fail("longrepr %r" % d["longrepr"])
elif what == "killed":
    types = [d["$report_type"] for d in lines]
    if types[0] != "SessionStart" or "SessionFinish" in types:
        fail("types %r" % types)
    ids = set(d["nodeid"] for d in lines if d["$report_type"] == "TestReport")
    for n in ("test_basic.py::test_pass", "test_fixtures.py::test_teardown_error",
              "test_classes.py::TestAccount::test_withdraw_overdraft"):
        if n not in ids:
            fail("%s missing from the killed run's log" % n)
    hang = reports(lines, "test_hang.py::test_hang_when_asked")
    if [d["when"] for d in hang] != ["setup"]:
        fail("hang test reports %r" % [d["when"] for d in hang])
    if [n for n in ids if n.startswith(("test_params.py", "test_reruns.py"))]:
        fail("tests after the kill are in the log")
else:
    fail("unknown check " + what)
EOF
J() { "$PY" "$TMP/checks.py" "$@"; }

check "every line is a JSON object with a \$report_type" J valid "$TMP/run.jsonl"
check "SessionStart first, SessionFinish last with pytest's exit status" \
	J frame "$TMP/run.jsonl" "$(cat "$TMP/with.status")"
check "counts per outcome equal pytest's summary line" J summary "$TMP/run.jsonl" "$TMP/with.out"
check "counts per outcome equal EXPECTED.md" J expected "$TMP/run.jsonl"
check "final outcome and attempts per node id equal EXPECTED.md" J finals "$TMP/run.jsonl"
check "rerun attempts are TestReports with outcome rerun" J reruns "$TMP/run.jsonl"
check "every TestReport has the item's markers" J markers "$TMP/run.jsonl"
check "record_property reaches user_properties" J properties "$TMP/run.jsonl"
check "xfail and xpass carry wasxfail, strict xpass fails" J wasxfail "$TMP/run.jsonl"
check "the two warnings are WarningMessage lines" J warnings "$TMP/run.jsonl"
check "captured stdout, stderr, log and the assertion diff are kept" J sections "$TMP/run.jsonl"
check "no CollectReport lines for a clean collection" J collect-none "$TMP/run.jsonl"
check "the report-log is UTF-8 with the unicode id as it is" \
	grep -q 'test_ids\[ünï\]' "$TMP/run.jsonl"

# --- 2. the console output and exit status do not change -------------------
mkdir "$TMP/state2"
run_pytest "$TMP/without.out" "$TMP/without.status" PYPROJ_STATE="$TMP/state2" -- pyproj
# Durations, object addresses and temporary paths differ from run to run.
mask() { sed -E 's/ in [0-9.]+s( \([^)]*\))? / in Xs /; s/0x[0-9a-f]+/0xADDR/g; s#/tmp/[^ ]*##g' "$1"; }
mask "$TMP/with.out" >"$TMP/with.masked"
mask "$TMP/without.out" >"$TMP/without.masked"
check "exit status is the same with and without the plugin" \
	test "$(cat "$TMP/with.status")" = "$(cat "$TMP/without.status")"
check "console output is the same with and without the plugin" \
	diff "$TMP/with.masked" "$TMP/without.masked"

# --- 3. inert without INSIGHT_REPORT_LOG -----------------------------------
mkdir "$TMP/state3"
(cd "$TMP" && find . -path ./state3 -prune -o -print | sort) >"$TMP/before.list"
run_pytest "$TMP/inert.out" "$TMP/inert.status" PYPROJ_STATE="$TMP/state3" -- -p insight_pytest pyproj
(cd "$TMP" && find . -path ./state3 -prune -o -print | sort) >"$TMP/after.list"
check "without INSIGHT_REPORT_LOG: same exit status" test "$(cat "$TMP/inert.status")" = 1
mask "$TMP/inert.out" >"$TMP/inert.masked"
grep -v -e 'inert\.' -e '\.list$' -e '\.masked$' -e '\.out$' "$TMP/before.list" >"$TMP/before.files"
grep -v -e 'inert\.' -e '\.list$' -e '\.masked$' -e '\.out$' -e '\.files$' "$TMP/after.list" \
	>"$TMP/after.files"
check "without INSIGHT_REPORT_LOG: same console output" \
	diff "$TMP/inert.masked" "$TMP/without.masked"
check "without INSIGHT_REPORT_LOG: no file is written" \
	diff "$TMP/before.files" "$TMP/after.files"
cat >"$TMP/probe.py" <<'EOF'
def test_probe(pytestconfig):
    names = [name for name, _ in pytestconfig.pluginmanager.list_name_plugin()]
    assert "insight_pytest" in names, names
    assert not [n for n in names if str(n).startswith("insight-")], names
EOF
run_pytest "$TMP/probe.out" "$TMP/probe.status" INSIGHT_REPORT_LOG= -- -p insight_pytest probe.py
check "with INSIGHT_REPORT_LOG empty the plugin registers nothing" \
	test "$(cat "$TMP/probe.status")" = 0

# --- 4. SIGKILL in the middle leaves complete lines only --------------------
mkdir "$TMP/state4"
(cd "$TMP" && exec env PYTHONPATH="$PLUGIN_DIR" INSIGHT_REPORT_LOG="$TMP/killed.jsonl" \
	PYPROJ_STATE="$TMP/state4" PYPROJ_HANG=1 \
	"$PY" -m pytest -p no:cacheprovider -p insight_pytest pyproj >"$TMP/killed.out" 2>&1) &
hang_pid=$!
for _ in $(seq 1 300); do
	[ -e "$TMP/state4/hanging" ] && break
	sleep 0.1
done
check "the hang test started" test -e "$TMP/state4/hanging"
kill -9 "$hang_pid" 2>/dev/null
wait "$hang_pid" 2>/dev/null
hang_pid=
check "the killed run's log is complete JSON lines" J valid "$TMP/killed.jsonl"
check "the killed run's log holds every finished test and nothing after" \
	J killed "$TMP/killed.jsonl"

# --- 5. failed collections and an unwritable log -----------------------------
mkdir "$TMP/broken"
printf 'def test_ok():\n    pass\n' >"$TMP/broken/test_ok.py"
printf 'def test_bad(:\n    pass\n' >"$TMP/broken/test_broken.py"
: >"$TMP/broken/pytest.ini"
run_pytest "$TMP/broken.out" "$TMP/broken.status" INSIGHT_REPORT_LOG="$TMP/broken.jsonl" -- \
	-p insight_pytest broken
check "a collection error keeps pytest's exit status 2" test "$(cat "$TMP/broken.status")" = 2
check "a failed collection is a CollectReport line, passed ones are not written" \
	J collect-error "$TMP/broken.jsonl"
check "counts equal pytest's summary line after a collection error" \
	J summary "$TMP/broken.jsonl" "$TMP/broken.out"

run_pytest "$TMP/nodir.out" "$TMP/nodir.status" INSIGHT_REPORT_LOG="$TMP/no/such/dir/x.jsonl" -- \
	-p insight_pytest probe.py
check "an unwritable INSIGHT_REPORT_LOG is a usage error (status 4)" \
	test "$(cat "$TMP/nodir.status")" = 4
check "the usage error names the variable and the file" \
	grep -q "INSIGHT_REPORT_LOG: cannot write $TMP/no/such/dir/x.jsonl" "$TMP/nodir.out"

# --- 6. the fast serialisation equals pytest's own -------------------------
# The plugin serialises TestReports without longrepr itself; for every report
# of the fixture project, this checker compares that with what pytest's
# pytest_report_to_serializable gives (key order included). One call report
# gets a path-like attribute and a "result", which pytest converts.
cat >"$TMP/fastcheck.py" <<'EOF'
import json, os, pathlib
import pytest
import insight_pytest

class Checker:
    def __init__(self, config):
        self.config = config
        self.fast = self.slow = 0
        self.bad = []
        self.lines = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if item.name == "test_pass" and call.when == "call":
            report.artifact = pathlib.PurePosixPath("/tmp/artifact.txt")
            report.result = "not serialised"

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report):
        want = self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        self.lines.append(json.dumps(want, ensure_ascii=False, default=str))
        got = insight_pytest.fast_serializable(report)
        if got is None:
            self.slow += 1
            return
        self.fast += 1
        a = json.dumps(want, ensure_ascii=False, default=str)
        b = json.dumps(got, ensure_ascii=False, default=str)
        if a != b:
            self.bad.append({"pytest": a, "insight": b})

    def pytest_unconfigure(self, config):
        # The plugin's TestReport lines, byte for byte what json.dumps makes of pytest's dict.
        with open(os.environ["INSIGHT_REPORT_LOG"], encoding="utf-8") as f:
            written = [l.rstrip("\n") for l in f if '"$report_type": "TestReport"' in l]
        if written != self.lines:
            diff = [(a, b) for a, b in zip(self.lines, written) if a != b][:3]
            self.bad.append({"lines": len(written), "want": len(self.lines), "first": diff})
        with open(os.environ["FASTCHECK_OUT"], "w") as f:
            json.dump({"fast": self.fast, "slow": self.slow, "bad": self.bad}, f)

def pytest_configure(config):
    config.pluginmanager.register(Checker(config), "fastcheck-checker")
EOF
cat >"$TMP/fastcheck_verdict.py" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
# pyproj: 51 reports without longrepr, 13 with (failures, skips, errors, reruns).
if r["bad"]:
    sys.exit("differences: %s" % json.dumps(r["bad"][:3], indent=1))
if r["fast"] < 40 or r["slow"] < 10:
    sys.exit("too few reports on either path: %r" % r)
print("%(fast)d reports serialised by insight, %(slow)d by pytest, no difference" % r)
EOF
mkdir "$TMP/state6"
run_pytest "$TMP/fast.out" "$TMP/fast.status" PYTHONPATH="$PLUGIN_DIR:$TMP" \
	INSIGHT_REPORT_LOG="$TMP/fast.jsonl" FASTCHECK_OUT="$TMP/fastcheck.json" \
	PYPROJ_STATE="$TMP/state6" -- -p insight_pytest -p fastcheck pyproj
check "pytest with the checker exits with status 1" test "$(cat "$TMP/fast.status")" = 1
check "insight's serialisation and the lines written equal pytest_report_to_serializable's" \
	"$PY" "$TMP/fastcheck_verdict.py" "$TMP/fastcheck.json"
check "a path-like attribute is written as a string, result as null" \
	grep -q '"artifact": "/tmp/artifact.txt", "result": null, "markers": \[\]' "$TMP/fast.jsonl"
check "the checked run's counts equal EXPECTED.md" J expected "$TMP/fast.jsonl"

# Another plugin's pytest_report_to_serializable is honoured: the fast path stays out.
cat >"$TMP/customser.py" <<'EOF'
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_report_to_serializable(config, report):
    data = report._to_json()
    data["custom"] = "from another plugin"
    return data
EOF
mkdir "$TMP/state7"
run_pytest "$TMP/custom.out" "$TMP/custom.status" PYTHONPATH="$PLUGIN_DIR:$TMP" \
	INSIGHT_REPORT_LOG="$TMP/custom.jsonl" PYPROJ_STATE="$TMP/state7" -- \
	-p insight_pytest -p customser pyproj
check "with another serialiser every TestReport comes from it" \
	test "$(grep -c '"\$report_type": "TestReport"' "$TMP/custom.jsonl")" = \
	"$(grep -c '"custom": "from another plugin"' "$TMP/custom.jsonl")"
check "with another serialiser the counts still equal EXPECTED.md" J expected "$TMP/custom.jsonl"

test_done
