#!/bin/bash
# insight session import: the conformance corpus end to end, bad input, duplicates,
# directories, stdin, --split, and the other formats.
. "$(dirname "$0")/lib.sh"

CORPUS="$INSIGHT_SHARED_DIR/conformance/junit"
q() { sqlite3 -separator ' ' "${DB:-.insight/history.db}" "$@"; }

test_expect_success 'the conformance corpus is there' '
	test -d "$CORPUS/enricomi" && test -d "$CORPUS/jenkins-junit-plugin" &&
	test -d "$CORPUS/action-junit-report"
'

test_expect_success 'every report with an .expect file stores exactly what it expects' '
	n=0 &&
	for expect in $(find "$CORPUS" -name "*.expect" | sort); do
		xml=${expect%.expect}.xml &&
		db=db-$n.db && n=$((n + 1)) &&
		if grep -q "is rejected" "$expect"; then
			test_must_fail --exit 3 insight --db "$db" session import --sut conf "$xml" >out 2>err ||
				{ echo "accepted: $xml"; return 1; }
			test_grep "$(basename "$xml")" err &&
			test "$(DB=$db q "SELECT count(*) FROM session")" = 0 ||
				{ echo "stored something of rejected $xml"; return 1; }
		else
			insight --db "$db" session import --sut conf "$xml" >out 2>err ||
				{ echo "failed: $xml"; cat err; return 1; }
			"$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/tests/cli/check-expect.py" "$db" "$expect" ||
				{ echo "in $xml"; return 1; }
		fi || return 1
	done &&
	test "$n" -ge 29
'

test_expect_success 'every other report of the corpus imports or is refused cleanly' '
	for xml in $(find "$CORPUS" -name "*.xml" | sort); do
		test -f "${xml%.xml}.expect" && continue
		rm -f one.db* &&
		insight --db one.db session import --sut conf "$xml" >out 2>err
		rc=$?
		case $(basename "$xml") in
		corrupt.xml|testXxe-*)
			test $rc = 3 && test_line_count = 2 err &&
			test "$(DB=one.db q "SELECT count(*) FROM result")" = 0 ||
				{ echo "not refused: $xml (rc=$rc)"; cat err; return 1; } ;;
		*)
			test $rc = 0 && test "$(DB=one.db q "SELECT count(*) FROM result")" -gt 0 ||
				{ echo "not imported: $xml (rc=$rc)"; cat err; return 1; } ;;
		esac
	done
'

test_expect_success 'Surefire reruns: flaky passes after failed attempts, always-failing fails each time' '
	insight --db s.db session import --sut java "$CORPUS/jenkins-junit-plugin/gh-237/" >/dev/null 2>&1 &&
	DB=s.db q "SELECT t.name, group_concat(r.outcome, \",\") FROM result r JOIN test t ON t.id = r.test_id
		GROUP BY t.id ORDER BY t.name" >actual &&
	test_grep "1,1,1,0\|1,1,0\|1,0" actual &&
	test "$(DB=s.db q "SELECT n_flaky > 0 FROM session")" = 1
'

test_expect_success 'XXE reports are refused without reading any other file' '
	for f in "$CORPUS"/jenkins-junit-plugin/testXxe-*.xml; do
		strace -f -e trace=open,openat,connect -o trace.txt \
			"$INSIGHT_BIN" --db x.db session import --sut x "$f" >/dev/null 2>err;
		test_grep "entities; refused\|not well-formed" err || return 1
		# a call another thread interrupted ends on a line of its own
		# ("<... openat resumed>"); its path is on the line that began it
		grep -v -e "/etc/ld.so" -e "/etc/ssl/" -e "/etc/gitconfig" -e "/home/" -e "/lib/" -e "/usr/lib" -e "x.db" -e "/proc/" -e "/dev/urandom" \
			-e "$(basename "$f")" -e "ENOENT" -e "/tmp/" -e "<\.\.\. [a-z]* resumed>" trace.txt |
			grep -e "open" -e "connect" >leaks || true
		test_line_count = 0 leaks || return 1
	done
'

test_expect_success 'bad input: one clear line each, exit 3, the history unchanged' '
	insight init >/dev/null &&
	cp "$CORPUS/enricomi/pytest/junit.fail.xml" good.xml &&
	insight session import --sut api good.xml >/dev/null 2>&1 &&
	before=$(q "SELECT count(*), (SELECT count(*) FROM result) FROM session") &&
	: >empty.xml &&
	head -c 4096 /dev/urandom >garbage.xml &&
	head -c 700 good.xml >truncated.xml &&
	printf "<testsuite><testcase name=\"\\xff\\xfe\"/></testsuite>" >badutf8.xml &&
	"$INSIGHT_PYTHON" -c "import sys; sys.stdout.write(\"<testsuite><testcase name=\\\"\" + \"a\" * (50 << 20) + \"\\\"/></testsuite>\")" >huge.xml &&
	"$INSIGHT_PYTHON" -c "import sys; sys.stdout.write(\"<testsuite>\" * 100000)" >deep.xml &&
	cat >laughs.xml <<-\XML &&
	<?xml version="1.0"?>
	<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
	<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
	<testsuite><testcase name="&lol3;"/></testsuite>
	XML
	printf "{\"reportFormat\": \"CTRF\", \"results\": {\"tests\": [{\"name\": \"x\", \"status\": \"passed\", \"duration\": \"soon\"" >ctrf-cut.json &&
	printf "{\"\$report_type\": \"SessionStart\"}\nnot json at all\n{\"\$report_type\": \"SessionFinish\"}\n" >log-garbage.jsonl &&
	for f in empty.xml garbage.xml truncated.xml badutf8.xml huge.xml deep.xml laughs.xml ctrf-cut.json log-garbage.jsonl; do
		test_must_fail --exit 3 insight session import --sut api "$f" >out 2>err ||
			{ echo "not refused: $f"; return 1; }
		test_line_count = 0 out &&
		test_line_count = 2 err &&
		head -1 err | grep -q "^insight: skipped $f" ||
			{ echo "bad message for $f:"; cat err; return 1; }
	done &&
	test "$(q "SELECT count(*), (SELECT count(*) FROM result) FROM session")" = "$before" &&
	insight db check >/dev/null
'

test_expect_success 'a directory import stores the good reports and says how many it skipped' '
	mkdir dir && cp good.xml dir/a.xml && cp truncated.xml dir/b.xml &&
	cp "$CORPUS/enricomi/jest/jest-junit.xml" dir/c.xml && echo "not a report" >dir/notes.txt &&
	test_must_fail --exit 3 insight session import --force --sut dirs dir >out 2>err &&
	test_line_count = 1 out &&
	test_grep "1 of 3 reports skipped" err &&
	id=$(cat out) &&
	test "$(q "SELECT count(*) FROM report_file r JOIN session s ON s.id = r.session_id WHERE s.uid = \"$id\"")" = 2
'

test_expect_success 'a directory named through a link is read, and links to reports in it' '
	mkdir -p real/sub elsewhere && cp good.xml real/a.xml &&
	cp "$CORPUS/enricomi/jest/jest-junit.xml" elsewhere/c.xml &&
	ln -s ../../elsewhere/c.xml real/sub/c.xml && ln -s ../elsewhere real/loop &&
	ln -s real latest &&
	insight session import --force --split --sut linked latest >out 2>err &&
	test_line_count = 2 out &&
	q "SELECT r.path FROM report_file r JOIN session s ON s.id = r.session_id
		JOIN sut u ON u.id = s.sut_id WHERE u.name = \"linked\" ORDER BY 1" >paths &&
	printf "%s\n" latest/a.xml latest/sub/c.xml >expect &&
	test_cmp expect paths
'

test_expect_success 'the same report again is skipped unless --force' '
	insight session import --sut api good.xml >out 2>err &&
	test_line_count = 0 out &&
	test_grep "was imported before" err &&
	insight session import --sut api --force good.xml >out 2>err &&
	test_line_count = 1 out
'

test_expect_success 'stdin, globs, --split, tags and JSON output' '
	insight session import --sut stdin - <"$CORPUS/enricomi/xunit/xunit.xml" >out &&
	test_line_count = 1 out &&
	test "$(q "SELECT source FROM session WHERE uid = \"$(cat out)\"")" = "<stdin>" &&
	insight session import --sut glob --split --tag env=ci --tag "owner=QA team" \
		"$CORPUS/enricomi/pytest/junit.spark.*.xml" >out &&
	test_line_count = 2 out &&
	test "$(q "SELECT count(*) FROM session_tag t JOIN session s ON s.id = t.session_id
		JOIN sut u ON u.id = s.sut_id WHERE u.name = \"glob\"")" = 4 &&
	insight session import --sut js --format json "$CORPUS/enricomi/mocha/latex-utensils.xml" >j &&
	test "$(json_get j "d[\"facts\"][\"imported\"]")" = 1 &&
	"$INSIGHT_SRCDIR/scripts/validate-json" j
'

test_expect_success 'CTRF and pytest report-log import, sniffed or forced' '
	insight session import --sut ctrf "$INSIGHT_SRCDIR/tests/fixtures/ctrf/playwright-retries.json" >out &&
	test "$(q "SELECT format FROM session WHERE uid = \"$(cat out)\"")" = ctrf &&
	mkdir st && cp -r "$INSIGHT_SRCDIR/tests/fixtures/pyproj" pyproj &&
	PYTHONPATH="$INSIGHT_SRCDIR/share/pytest" INSIGHT_REPORT_LOG=$PWD/run.log PYPROJ_STATE=$PWD/st \
		"$INSIGHT_PYTHON" -m pytest -q -p insight_pytest pyproj >/dev/null 2>&1;
	insight session import --sut log --format reportlog run.log >out &&
	test "$(q "SELECT n_tests, n_flaky, format FROM session WHERE uid = \"$(cat out)\"")" = "20 1 reportlog" &&
	test_must_fail --exit 3 insight session import --sut log --force --format junit run.log 2>err &&
	test_grep "run.log" err
'

test_expect_success 'text from a report reaches stderr with its control characters escaped' '
	printf "{\"reportFormat\":\"CTRF\",\"results\":{\"tool\":{\"name\":\"x\"},\"tests\":[{\"name\":\"evil\\u001b[2J\\u001b]0;owned\\u0007\",\"status\":\"weird\",\"duration\":1}]}}" >evil.json &&
	test_must_fail --exit 3 insight session import --sut x evil.json 2>err &&
	test_grep "evil\\\\x1b\[2J" err &&
	! grep -q "$(printf "\033")" err && ! grep -q "$(printf "\007")" err
'

if mkdir full && mount -t tmpfs -o size=2M tmpfs full 2>/dev/null; then
	test_expect_success 'a full disk: nothing stored, exit 4, the cause named' '
		"$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/bench/gen_junit.py" --cases 30000 --out big.xml &&
		test_must_fail --exit 4 insight --db full/h.db session import --sut a big.xml 2>err &&
		test_line_count = 1 err &&
		test_grep "database or disk is full" err &&
		test "$(sqlite3 full/h.db "SELECT count(*) FROM session")" = 0
	'
	umount full
else
	test_skip 'a full disk: nothing stored, exit 4, the cause named' 'cannot mount a tmpfs here'
fi

test_expect_success 'usage errors: no SUT, no report, unknown format, missing path' '
	test_must_fail --exit 2 insight session import good.xml 2>err && test_grep "needs --sut" err &&
	test_must_fail --exit 2 insight session import --sut a 2>err && test_grep "needs a report" err &&
	test_must_fail --exit 2 insight session import --sut a --format yaml good.xml 2>err &&
	test_grep "unknown format .yaml." err &&
	test_must_fail --exit 2 insight session import --sut a nowhere.xml 2>err &&
	test_grep "no report at .nowhere.xml." err
'

test_done
