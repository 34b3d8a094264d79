# lib.sh - the harness for insight's CLI tests (sourced by tests/cli/tNNNN-*.sh).
#
# Each test script runs the real binary in a fresh temporary directory with a
# fixed environment (LC_ALL=C TZ=UTC COLUMNS=80, HOME and XDG dirs inside the
# temp dir, no INSIGHT_* variables leaking in) and prints TAP:
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'what it checks' '
#           insight init &&
#           test_cmp expect actual
#   '
#   test_done
#
# Helpers: test_cmp, test_must_fail [--exit N], test_grep, mask_ids,
# json_get (a field of a JSON document, with python3).

set -u

: "${INSIGHT_BIN:?INSIGHT_BIN must name the insight binary (run the tests through ctest)}"
: "${INSIGHT_SRCDIR:?INSIGHT_SRCDIR must name the source tree}"
INSIGHT_SHARED_DIR=${INSIGHT_SHARED_DIR:-$INSIGHT_SRCDIR/../shared}
INSIGHT_PYTHON=${INSIGHT_PYTHON:-/usr/bin/python3}
export INSIGHT_BIN INSIGHT_SRCDIR INSIGHT_SHARED_DIR INSIGHT_PYTHON

# A clean environment: nothing from the user's shell changes what insight does.
for v in $(env | sed -n 's/^\(INSIGHT_[A-Z_]*\)=.*/\1/p'); do
	case $v in
	INSIGHT_BIN|INSIGHT_SRCDIR|INSIGHT_BUILDDIR|INSIGHT_SHARED_DIR|INSIGHT_PYTHON) ;;
	*) unset "$v" ;;
	esac
done
unset NO_COLOR GITHUB_ACTIONS GITLAB_CI JENKINS_URL TF_BUILD CIRCLECI TRAVIS \
	BITBUCKET_BUILD_NUMBER TEAMCITY_VERSION BUILDKITE CI 2>/dev/null || true
export LC_ALL=C TZ=UTC COLUMNS=80

TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/insight-$TEST_NAME.XXXXXX")
export HOME="$TRASH/home" XDG_DATA_HOME="$TRASH/home/.local/share" \
	XDG_CONFIG_HOME="$TRASH/home/.config"
mkdir -p "$HOME"
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com" \
	GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com" \
	GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
cd "$TRASH" || exit 1

test_count=0
test_failed=0

insight() {
	"$INSIGHT_BIN" "$@"
}

# test_expect_success 'description' 'shell code'
test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		sed 's/^/# /' "$TRASH/.out"
		test_failed=$((test_failed + 1))
	fi
}

# test_skip 'description' 'why': a TAP skip, for checks this machine cannot make.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # SKIP $1: $2"
}

# test_cmp expected actual: fails with a diff when they differ.
test_cmp() {
	diff -u "$1" "$2"
}

# test_must_fail [--exit N] command...: the command must fail (with status N).
test_must_fail() {
	want=""
	if [ "$1" = "--exit" ]; then
		want=$2
		shift 2
	fi
	"$@"
	got=$?
	if [ "$got" -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if [ "$got" -gt 128 ] && [ "$got" -ne 141 ]; then
		echo "test_must_fail: '$*' died of signal $((got - 128))" >&2
		return 1
	fi
	if [ -n "$want" ] && [ "$got" -ne "$want" ]; then
		echo "test_must_fail: '$*' exited $got, expected $want" >&2
		return 1
	fi
	return 0
}

# test_grep [-v] pattern file
test_grep() {
	if [ "$1" = "-v" ]; then
		shift
		if grep -e "$1" "$2" >/dev/null; then
			echo "test_grep: '$1' found in $2:" >&2
			cat "$2" >&2
			return 1
		fi
		return 0
	fi
	if ! grep -e "$1" "$2" >/dev/null; then
		echo "test_grep: '$1' not found in $2:" >&2
		cat "$2" >&2
		return 1
	fi
}

# test_line_count = N file
test_line_count() {
	n=$(wc -l <"$3")
	if ! [ "$n" "$1" "$2" ]; then
		echo "test_line_count: $3 has $n lines, expected $1 $2" >&2
		cat "$3" >&2
		return 1
	fi
}

# Replace session ids and times by placeholders, for golden comparisons.
mask_ids() {
	sed -E -e 's/[0-9A-HJKMNP-TV-Z]{26}/<ID>/g' -e 's/[0-9A-HJKMNP-TV-Z]{12}\b/<SID>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?Z?/<TIME>/g'
}

# json_get FILE EXPR: print a value of the JSON in FILE; EXPR is Python over `d`.
json_get() {
	"$INSIGHT_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1" "$2"
}

# SQL that takes a history of the current schema back to schema 9 (before
# result_recent), for tests that build an older history from a new one.
SCHEMA_9_SQL="DROP INDEX result_recent; DROP INDEX result_by_test;
ALTER TABLE result DROP COLUMN recent;
CREATE INDEX result_by_test ON result(test_id, session_id, final, outcome, flags, duration);
PRAGMA user_version = 9;"

test_done() {
	echo "1..$test_count"
	if [ "$test_failed" -eq 0 ]; then
		echo "# passed all $test_count test(s)"
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	echo "# failed $test_failed among $test_count test(s); left $TRASH"
	exit 1
}
