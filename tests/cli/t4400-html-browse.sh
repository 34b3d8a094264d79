#!/bin/bash
# t4400-html-browse: the HTML page of a session as a person browses it, in
# headless Chromium.
#
# A session of 250 results with known outcomes (so that tables page), hostile
# test names and messages (markup, quotes, control characters, a javascript:
# URL) and CI facts whose build URL is javascript: on one session and https on
# another. The page is loaded with actions set through the URL fragment
# (#filter=failed, #q=..., #sort=..., #test=...) and the DOM Chromium ends with
# is checked: exactly the failed rows, the chips' counts, the detail panel,
# hostile strings as text, links only from http(s). Screenshots are checked
# to be real PNG images of a plausible size. Chromium is required: without it
# this test fails, it does not skip.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)

# browse OUT ERR ARGS...: headless Chromium, a fresh profile, console to ERR.
browse() {
	out=$1 err=$2
	shift 2
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
}

# dom NAME FRAGMENT: the live DOM of page.html opened at #FRAGMENT, in NAME.dom.
dom() {
	browse "$1.dom" "$1.err" --dump-dom "file://$TRASH/page.html#$2" &&
	test -s "$1.dom" &&
	no_console "$1.err"
}

# Any console message means a script error, a CSP violation or a blocked load.
no_console() {
	if grep ':CONSOLE' "$@" >&2; then
		return 1
	fi
}

# rows FILE: the outcome of every row drawn in the results table, one a line.
rows() {
	"$INSIGHT_PYTHON" - "$1" <<-\PY
	import re, sys
	html = open(sys.argv[1], encoding="utf-8").read()
	box = re.search(r'<div class="tbl" id="t-0"[^>]*>(.*?)</table>', html, re.S).group(1)
	body = re.search(r"<tbody>(.*?)</tbody>", box, re.S).group(1)
	for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
	    m = re.search(r'<span class="badge o-[a-z]+">([a-z]+)</span>', row)
	    print(m.group(1) if m else "-")
	PY
}

# A JUnit report: N passing tests, 7 failures, 3 errors, 5 skipped, and the
# hostile ones.
make_report() {
	"$INSIGHT_PYTHON" - >report.xml <<-\PY
	from xml.sax.saxutils import escape, quoteattr
	cases = []
	for i in range(230):
	    cases.append('<testcase classname="tests.test_shop" name="test_ok_%03d" time="0.%03d"/>' % (i, i + 1))
	for i in range(7):
	    cases.append('<testcase classname="tests.test_cart" name="test_broken_%d" time="1.5">'
	                 '<failure message="assert %d == 0" type="AssertionError">Traceback line %d\nAssertionError</failure></testcase>' % (i, i, i))
	for i in range(3):
	    cases.append('<testcase classname="tests.test_db" name="test_db_%d" time="2"><error message="ConnectionError: refused" type="ConnectionError">boom</error></testcase>' % i)
	for i in range(5):
	    cases.append('<testcase classname="tests.test_skip" name="test_skip_%d" time="0"><skipped message="not today"/></testcase>' % i)
	hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>"
	cases.append('<testcase classname="tests.test_evil" name=%s time="0.5"><failure message=%s type="X">%s</failure></testcase>'
	             % (quoteattr("test_evil[" + hostile + "]"), quoteattr("javascript:alert(2) " + hostile + " \u2028 end"),
	                escape("</script><!-- " + hostile)))
	cases.append('<testcase classname="tests.test_evil" name="test_link" time="0.5"><failure message="javascript:alert(3)" type="X">x</failure></testcase>')
	print('<?xml version="1.0" encoding="utf-8"?>')
	print('<testsuite name="shop" tests="%d">' % len(cases))
	print("\n".join(cases))
	print("</testsuite>")
	PY
}

test_expect_success 'chromium is installed' '
	if [ -z "$CHROMIUM" ]; then
		echo "headless Chromium is needed for this test: apt-get install -y chromium" >&2
		false
	fi
'

test_expect_success 'a session with hostile names and a javascript: build URL' '
	insight init >/dev/null &&
	make_report &&
	JENKINS_URL=https://ci.example/ BUILD_NUMBER=4 BUILD_URL=javascript:alert\(4\)// \
		insight session import --sut shop report.xml >/dev/null 2>&1 &&
	insight session show latest --outcome all --all --format html -o page.html &&
	html_well_formed page.html &&
	no_raw_controls page.html
'

test_expect_success 'the page loads without console messages; all rows, first page drawn' '
	dom all "" &&
	test_grep "<body class=\"js\" data-ready=\"1\"" all.dom &&
	test_grep "<div class=\"tbl\" id=\"t-0\" data-rows=\"247\">" all.dom &&
	rows all.dom >all.rows &&
	test_line_count = 100 all.rows &&
	test_grep "rows 1–100 of 247" all.dom
'

test_expect_success 'the outcome chips count the results' '
	"$INSIGHT_PYTHON" - all.dom >chips <<-\PY &&
	import re, sys
	html = open(sys.argv[1], encoding="utf-8").read()
	for o, n in re.findall(r"data-outcome=\"([a-z]+)\" aria-pressed=\"false\"><span>[a-z]+</span><b>([0-9]+)</b>", html):
	    print(o, n)
	PY
	cat >expect <<-\EOF &&
	failed 9
	error 3
	skipped 5
	passed 230
	EOF
	test_cmp expect chips
'

test_expect_success '#filter=failed shows exactly the failed rows' '
	dom failed "filter=failed" &&
	rows failed.dom >failed.rows &&
	test_line_count = 9 failed.rows &&
	! grep -v -x failed failed.rows &&
	test_grep "data-outcome=\"failed\" aria-pressed=\"true\"" failed.dom &&
	test_grep "rows 1–9 of 9 (filtered from 247)" failed.dom
'

test_expect_success 'two chips together, and the text filter over names and messages' '
	dom two "filter=failed,error" &&
	rows two.dom >two.rows &&
	test_line_count = 12 two.rows &&
	dom text "q=ConnectionError" &&
	rows text.dom >text.rows &&
	printf "error\nerror\nerror\n" >expect &&
	test_cmp expect text.rows &&
	dom name "q=test_broken_3" &&
	rows name.dom >name.rows &&
	test_line_count = 1 name.rows
'

test_expect_success 'sorting on a column, descending, through the fragment' '
	dom sorted "sort=-duration" &&
	test_grep "aria-sort=\"descending\" data-col=\"duration\"\|data-col=\"duration\" aria-sort=\"descending\"" sorted.dom &&
	rows sorted.dom >sorted.rows &&
	head -3 sorted.rows >top &&
	printf "error\nerror\nerror\n" >expect &&
	test_cmp expect top
'

test_expect_success 'paging keeps its place in the fragment' '
	dom page2 "page.results=2" &&
	test_grep "rows 201–247 of 247" page2.dom &&
	rows page2.dom >page2.rows &&
	test_line_count = 47 page2.rows
'

test_expect_success 'a test name opens its detail panel' '
	dom detail "test=tests.test_cart%3A%3Atest_broken_3" &&
	test_grep -v "<aside id=\"detail\"[^>]*hidden" detail.dom &&
	test_grep "<h2 id=\"detail-title\">tests.test_cart::test_broken_3</h2>" detail.dom &&
	test_grep "assert 3 == 0" detail.dom &&
	test_grep "Traceback line 3" detail.dom
'

test_expect_success 'hostile names and messages stay text' '
	dom evil "q=evil" &&
	rows evil.dom >evil.rows &&
	test_line_count = 2 evil.rows &&
	test_grep -v "<img" evil.dom &&
	grep -o "<script" evil.dom >scripts &&
	test_line_count = 2 scripts &&
	test_grep "&lt;img src=x onerror=alert(1)&gt;" evil.dom &&
	test_grep -v "<!-- " evil.dom
'

test_expect_success 'javascript: URLs stay text; only http(s) ones become links' '
	test_grep -v "href=\"javascript" all.dom &&
	test_grep -v "href=\"javascript" evil.dom &&
	test_grep "javascript:alert(4)//" all.dom &&
	test_grep "javascript:alert(3)" evil.dom &&
	sed "s/test_ok_000/test_ok_first/" report.xml >report2.xml &&
	JENKINS_URL=https://ci.example/ BUILD_NUMBER=5 BUILD_URL=https://ci.example/job/shop/5/ \
		insight session import --sut shop report2.xml >/dev/null 2>&1 &&
	insight session show latest --outcome all --all --format html >page.html &&
	test_grep "<a href=\"https://ci.example/job/shop/5/\" rel=\"noopener noreferrer\">" page.html
'

test_expect_success 'nothing leaves the page: a strict CSP, no URL to fetch' '
	test_grep "content=\"default-src '"'"'none'"'"'; style-src '"'"'unsafe-inline'"'"'; img-src data:; script-src '"'"'sha256-" page.html &&
	grep -o "https\?://[^\"'"'"' <>]*" page.html | sort -u >urls &&
	printf "%s\n" "http://www.w3.org/2000/svg" "https://ci.example/job/shop/5/" >expect &&
	sort expect >expect.sorted &&
	test_cmp expect.sorted urls
'

test_expect_success 'screenshots: a wide and a phone-sized window' '
	browse shot.out shot.err --screenshot="$TRASH/wide.png" --window-size=1280,1600 \
		--hide-scrollbars "file://$TRASH/page.html#filter=failed&test=tests.test_cart%3A%3Atest_broken_1" &&
	browse narrow.out narrow.err --screenshot="$TRASH/narrow.png" --window-size=400,900 \
		"file://$TRASH/page.html" &&
	no_console shot.err narrow.err &&
	for f in wide.png narrow.png; do
		test "$(head -c 8 $f | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
		size=$(wc -c <$f) &&
		test "$size" -gt 20000 || return 1
	done &&
	cp wide.png "$INSIGHT_BUILDDIR/t4400-html-browse.png" 2>/dev/null || true
'

test_done
