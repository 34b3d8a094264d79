#!/bin/bash
# t6110-ci-report - insight ci report without the network: the Markdown a
# pull request and a job summary get (marker, counts line, new failures with
# their details, other sections collapsed, rendered by a real GFM renderer),
# its size limit, GitHub's job summary and workflow-command annotations with
# their escaping, the files of a local run, the exit statuses.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
NODE_MODULES="$INSIGHT_SRCDIR/tests/node/node_modules"

# render FILE: FILE's Markdown as HTML, by marked with gfm: true.
render() {
	NODE_PATH="$NODE_MODULES" node "$INSIGHT_SRCDIR/tests/node/render-md.js" "$1"
}

# A clean GitHub Actions environment for the command that follows.
gh() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/shop GITHUB_SHA=$MERGE \
		GITHUB_REF=refs/pull/42/merge GITHUB_EVENT_PATH="$TRASH/event.json" \
		GITHUB_RUN_ID=9001 GITHUB_SERVER_URL=https://github.com \
		GITHUB_STEP_SUMMARY="$TRASH/summary.md" "$@"
}

HEAD=0123456789abcdef0123456789abcdef01234567
MERGE=fedcba9876543210fedcba9876543210fedcba98
echo "{\"pull_request\": {\"number\": 42, \"head\": {\"sha\": \"$HEAD\"}, \"base\": {\"ref\": \"main\"}}}" >event.json

cat >base.xml <<'XML'
<testsuite name="s" tests="3">
<testcase classname="tests/test_a.py" name="test_one"/>
<testcase classname="tests/test_a.py" name="test_two"/>
<testcase classname="tests/test_a.py" name="test_three"><failure message="old">tb</failure></testcase>
</testsuite>
XML
cat >target.xml <<'XML'
<testsuite name="s" tests="3">
<testcase classname="tests/test_a.py" name="test_one"><failure message="assert 1 == 2, 100% | `x` &lt;b&gt;&#10;second line">Traceback
  File "tests/test_a.py", line 3
AssertionError</failure></testcase>
<testcase classname="tests/test_a.py" name="test_two"/>
<testcase classname="tests/test_a.py" name="test_three"/>
</testsuite>
XML

test_expect_success 'setup: a base session and a target session with one new failure' '
	insight -q session import --sut shop base.xml &&
	insight -q session import --sut shop target.xml &&
	test -d "$NODE_MODULES/marked" || { echo "marked is missing: run scripts/setup-deps"; return 1; }
'

test_expect_success 'GitHub: job summary and annotations, exit 0 although a test failed' '
	gh "$INSIGHT_BIN" ci report --sut shop --base latest~1 \
		--report-url https://example.com/report.html >out 2>err &&
	test_grep "delivered: summary, annotations" err &&
	head -n 1 summary.md >first &&
	echo "<!-- insight:report sut=shop -->" >expect && test_cmp expect first &&
	sed -n 2p summary.md >counts &&
	test_grep "1 failing (1 new)" counts && test_grep "1 fixed" counts &&
	test_grep "pass rate 66.7% → 66.7% (+0.0 points)" counts &&
	test_grep "(https://github.com/acme/shop/commit/$HEAD)" summary.md &&
	test_grep "(https://github.com/acme/shop/actions/runs/9001)" summary.md &&
	test_grep "(https://example.com/report.html)" summary.md &&
	test_grep -v "use --all" summary.md
'

test_expect_success 'annotations: one error at the test file, escaped as workflow commands' '
	printf "%s\n" "::error file=tests/test_a.py,title=tests/test_a.py%3A%3Atest_one::assert 1 == 2, 100%25 | \`x\` <b>%0Asecond line" >expect &&
	test_cmp expect out
'

test_expect_success 'the Markdown renders as GFM: the marker hidden, tables, details, no heading jump' '
	render summary.md >summary.html &&
	"$INSIGHT_PYTHON" - summary.html <<-\EOF_PY
	import re, sys
	html = open(sys.argv[1]).read()
	assert html.startswith("<!-- insight:report sut=shop -->"), html[:80]
	visible = re.sub(r"<!--.*?-->", "", html, flags=re.S).strip()
	assert visible.startswith("<p>❌ <strong>3 tests</strong>"), visible[:80]
	tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
	assert len(tables) >= 2, len(tables)
	assert "<th>Test</th>" in tables[0] and "<th>Message</th>" in tables[0]
	assert "<code>tests/test_a.py::test_one</code>" in tables[0], tables[0]
	# the cell keeps its text: the pipe did not split it into more columns
	assert tables[0].count("<td>") == 2, tables[0]
	details = re.findall(r"<details>(.*?)</details>", html, flags=re.S)
	assert any("<code>tests/test_a.py::test_one</code></summary>" in d and "<pre>" in d
	           and "second line" in d for d in details), details
	assert any("<summary>Fixed (1)</summary>" in d for d in details)
	assert "<b>" not in html, "raw HTML from a message got through"
	levels = [int(h) for h in re.findall(r"<h([1-6])", html)]
	assert levels and levels[0] == 2, levels
	assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
	EOF_PY
'

test_expect_success 'a second summary is appended, as GitHub expects of $GITHUB_STEP_SUMMARY' '
	gh "$INSIGHT_BIN" ci summary --sut shop --base latest~1 >out 2>err &&
	test_line_count = 0 out &&
	test "$(grep -c "^<!-- insight:report sut=shop -->" summary.md)" = 2
'

test_expect_success 'ci annotate: annotations alone' '
	rm -f summary.md &&
	gh "$INSIGHT_BIN" ci annotate --sut shop --base latest~1 >out 2>err &&
	test_grep "^::error file=tests/test_a.py," out && test ! -e summary.md
'

test_expect_success 'no base session: the comment says so and shows the session alone' '
	rm -f summary.md &&
	gh "$INSIGHT_BIN" ci report --sut shop --only summary >out 2>err &&
	test_grep "no base session" summary.md &&
	test_grep "^## Failures (1)" summary.md && test_grep -v "new)" summary.md
'

test_expect_success 'the base defaults to the PR target branch; without its sessions, the session alone' '
	rm -f summary.md &&
	gh GITHUB_BASE_REF=main "$INSIGHT_BIN" ci report --sut shop --only summary >out 2>err &&
	test_grep "no base session for main" err && test_grep "no base session" summary.md
'

test_expect_success '--fail-on publishes first, then exits 1' '
	rm -f summary.md &&
	gh "$INSIGHT_BIN" ci report --sut shop --base latest~1 --fail-on new-failures >out 2>err
	test $? = 1 && test -s summary.md && test_grep "gate failed" err
'

test_expect_success 'a summary that cannot be written: exit 5, saying what was not delivered' '
	gh GITHUB_STEP_SUMMARY="$TRASH/no/such/dir/summary.md" "$INSIGHT_BIN" ci report --sut shop \
		--base latest~1 --only summary >out 2>err
	test $? = 5 && test_grep "not delivered: summary" err
'

test_expect_success 'local: Markdown, HTML, JSON and JUnit in --out-dir, their paths printed' '
	insight ci report --sut shop --base latest~1 --out-dir reports >out 2>err &&
	printf "%s\n" reports/insight-report.md reports/insight-report.html reports/insight-report.json \
		reports/insight-report.xml >expect &&
	test_cmp expect out &&
	test_grep "<testsuite name=\"shop\"" reports/insight-report.xml &&
	"$INSIGHT_SRCDIR/scripts/validate-json" reports/insight-report.json &&
	test_grep "<!-- insight:report sut=shop -->" reports/insight-report.md &&
	test_grep "<html" reports/insight-report.html
'

test_expect_success 'local without --out-dir: nothing delivered, exit 5' '
	insight ci report --sut shop >out 2>err
	test $? = 5 && test_grep "out-dir" err
'

test_expect_success 'usage: unknown channel, no SUT' '
	insight ci report --sut shop --only mail 2>err; test $? = 2 &&
	test_grep "unknown channel" err &&
	insight ci report 2>err; test $? = 2 && test_grep "needs --sut" err
'

test_expect_success 'a large session: within 65,536 characters, the cut said, at most 10 annotations' '
	"$INSIGHT_PYTHON" - <<-\EOF_PY &&
	with open("big-base.xml", "w") as f:
	    f.write("<testsuite name=\"s\">\n")
	    for i in range(3000):
	        f.write("<testcase classname=\"tests/test_big.py\" name=\"test_%04d\"/>\n" % i)
	    f.write("</testsuite>\n")
	with open("big.xml", "w") as f:
	    f.write("<testsuite name=\"s\">\n")
	    for i in range(3000):
	        f.write("<testcase classname=\"tests/test_big.py\" name=\"test_%04d\">"
	                "<failure message=\"%s\">tb</failure></testcase>\n" % (i, "x" * 300))
	    f.write("</testsuite>\n")
	EOF_PY
	insight -q session import --sut big big-base.xml &&
	insight -q session import --sut big big.xml &&
	gh "$INSIGHT_BIN" ci report --sut big --base latest~1 --out-dir big >ann 2>err &&
	test "$(wc -c <big/insight-report.md)" -le 65536 &&
	test_grep "and [0-9]* more" big/insight-report.md &&
	test_grep "shortened to fit" big/insight-report.md &&
	test "$(grep -c "^::error " ann)" = 10 &&
	test_grep "^::notice title=insight::2990 more new failures" ann &&
	render big/insight-report.md >big.html &&
	test "$(grep -c "<details>" big.html)" -ge 2
'

test_done
