#!/bin/bash
# .insight/hooks/post-session: run after a session is stored, with its JSON on stdin.
. "$(dirname "$0")/lib.sh"

REPORT="$INSIGHT_SHARED_DIR/conformance/junit/enricomi/pytest/junit.fail.xml"

test_expect_success 'no hook: nothing happens' '
	insight init >/dev/null &&
	insight session import --sut api "$REPORT" >out 2>err &&
	test_line_count = 1 out && test_grep -v hook err
'

test_expect_success 'post-session gets the session as JSON and its id and history in the environment' '
	mkdir -p .insight/hooks &&
	cat >.insight/hooks/post-session <<-\EOF &&
	#!/bin/sh
	cat >"$(dirname "$INSIGHT_DB")/hook-input.json"
	echo "$INSIGHT_SESSION" >"$(dirname "$INSIGHT_DB")/hook-session"
	echo "hook says hi"
	EOF
	chmod +x .insight/hooks/post-session &&
	insight session import --sut api --force "$REPORT" >out 2>err &&
	test_line_count = 1 out &&
	test_grep "hook says hi" err &&
	test "$(cat .insight/hook-session)" = "$(cat out)" &&
	test "$(json_get .insight/hook-input.json "d[\"facts\"][\"id\"]")" = "$(cat out)" &&
	test "$(json_get .insight/hook-input.json "d[\"schema\"]")" = insight.session.show &&
	"$INSIGHT_SRCDIR/scripts/validate-json" .insight/hook-input.json
'

test_expect_success 'a failing hook is reported; the session is stored and the exit status kept' '
	printf "#!/bin/sh\nexit 9\n" >.insight/hooks/post-session &&
	insight session import --sut api --force "$REPORT" >out 2>err &&
	test_grep "hook .*post-session. failed (exit status 9); the session is stored all the same" err &&
	test "$(sqlite3 .insight/history.db "SELECT count(*) FROM session")" = 3
'

test_expect_success 'a hook that does not read its input does not break insight' '
	printf "#!/bin/sh\nexit 0\n" >.insight/hooks/post-session &&
	insight session import --sut api --force "$REPORT" >out 2>err &&
	test_line_count = 1 out
'

test_expect_success 'session run runs the hook too; a hook that is not executable is left alone' '
	printf "#!/bin/sh\necho ran-after-run\n" >.insight/hooks/post-session &&
	insight session run --sut api --report "$REPORT" -- true 2>err &&
	test_grep ran-after-run err &&
	chmod -x .insight/hooks/post-session &&
	insight session run --sut api --report "$REPORT" -- true 2>err &&
	test_grep -v ran-after-run err
'

test_done
