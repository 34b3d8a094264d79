#!/bin/bash
# Secrets in captured output: a real pytest test prints a token from its
# environment and fails with it in its assertion message; neither the history
# file nor any output of session show holds the value.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -separator ' ' .insight/history.db "$@"; }

SECRET=s3cr3t-Value-9f8e7d
EXTRA=hush-hush-4711
export MY_API_TOKEN=$SECRET CUSTOM_THING=$EXTRA SHORT_TOKEN=ab12x
mkdir tests
cat >tests/test_env.py <<'PY'
import logging
import os
import sys


def test_prints_token():
    token = os.environ["MY_API_TOKEN"]
    print("the token is", token)
    print("stderr has", token, file=sys.stderr)
    logging.getLogger("app").warning("logged %s", token)
    assert token == "expected", "bad token %s" % token


def test_extra_name():
    value = os.environ["CUSTOM_THING"]
    print("value:", value)
    raise RuntimeError("custom " + value)


def test_short_value():
    print("short:", os.environ["SHORT_TOKEN"])
    assert False, "short " + os.environ["SHORT_TOKEN"]


def test_passes():
    pass
PY

# texts NODEID: the stored message, traceback and captured output of a test.
texts() {
	q "SELECT r.message, x.detail, x.stdout, x.stderr, x.log FROM result r
		JOIN test t ON t.id = r.test_id
		LEFT JOIN result_text x USING (session_id, test_id, attempt) WHERE t.nodeid = '$1'"
}

# no_secret FILE...: none of the files holds either value.
no_secret() {
	for f in "$@"; do
		if grep -a -q -e "$SECRET" -e "$EXTRA" "$f"; then
			echo "a secret value is in $f" >&2
			return 1
		fi
	done
}

test_expect_success 'session run hides the values in what it stores' '
	insight init >/dev/null &&
	{ INSIGHT_SECRET_VARS="OTHER:custom_*" insight session run --sut api -- \
		"$INSIGHT_PYTHON" -m pytest -p no:cacheprovider -q tests >out 2>err; echo $? >rc; } &&
	echo 1 >expect && test_cmp expect rc &&
	test_grep "$SECRET" out &&
	test "$(q "SELECT count(*) FROM session")" = 1 &&
	texts tests/test_env.py::test_prints_token >text &&
	test_grep "bad token \*\*\*" text &&
	test_grep "the token is \*\*\*" text &&
	test_grep "stderr has \*\*\*" text &&
	test_grep "logged \*\*\*" text &&
	texts tests/test_env.py::test_extra_name >text &&
	test_grep "custom \*\*\*" text &&
	texts tests/test_env.py::test_short_value >text &&
	test_grep "short ab12x" text
'

test_expect_success 'the history file and its WAL hold neither value' '
	ls .insight/history.db* >files &&
	test_line_count -ge 1 files &&
	no_secret .insight/history.db* &&
	sqlite3 .insight/history.db .dump >dump &&
	test_grep "\*\*\*" dump &&
	no_secret dump
'

test_expect_success 'no output format of session show holds a value' '
	for f in term md html csv json; do
		insight session show latest --all -v --format $f >show.$f || return 1
		no_secret show.$f || return 1
	done &&
	test_grep "\*\*\*" show.json &&
	insight test show "tests/test_env.py::test_prints_token" --format json >test.json &&
	no_secret test.json
'

test_expect_success 'the run files beside the history never held them either' '
	test "$(ls .insight/runs | wc -l)" = 0 &&
	mkdir sync &&
	{ "$INSIGHT_PYTHON" - <<-PY
	import os, sys
	sys.path.insert(0, os.path.join(os.environ["INSIGHT_SRCDIR"], "share", "pytest"))
	import insight_pytest
	env = {"MY_API_TOKEN": "$SECRET", "CUSTOM_THING": "$EXTRA", "SHORT_TOKEN": "ab12x",
	       "INSIGHT_SECRET_VARS": "custom_*", "HOME": "/home/x"}
	print(insight_pytest.secret_values(env))
	PY
	} >values &&
	test_grep "$SECRET" values && test_grep "$EXTRA" values &&
	test_grep -v ab12x values && test_grep -v /home/x values
'

test_expect_success 'session import hides them too' '
	cat >report.xml <<-XML &&
	<testsuite name="s" tests="1"><testcase classname="c" name="t">
	<failure message="login with $SECRET failed">trace $EXTRA</failure>
	<system-out>out $SECRET</system-out></testcase></testsuite>
	XML
	INSIGHT_SECRET_VARS=CUSTOM_THING insight session import --sut imp report.xml >/dev/null 2>&1 &&
	texts c::t >text &&
	test_grep "login with \*\*\* failed" text &&
	test_grep "trace \*\*\*" text &&
	test_grep "out \*\*\*" text &&
	no_secret .insight/history.db*
'

test_expect_success 'the config key session.secret-vars names more variables' '
	insight config set session.secret-vars "CUSTOM_*" &&
	sed -e "s/name=\"t\"/name=\"t2\"/" report.xml >report2.xml &&
	insight session import --sut imp report2.xml >/dev/null 2>&1 &&
	texts c::t2 >text &&
	test_grep "trace \*\*\*" text
'

test_done
