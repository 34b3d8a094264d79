#!/bin/bash
# t4402-html-history: a session's page in its SUT's history, in headless
# Chromium: each test's recent runs as a strip and where its failure began,
# sessions and commits linked within the page, and charts whose axes read as
# dates and durations, never as session ids.
#
# Four sessions of SUT shop, one a day on its own commit: test_late passes
# once then fails, test_new fails only in the last one, test_always errors in
# all four, test_ok always passes. The third session ran on a branch whose
# name is hostile markup. Chromium is required: without it this test fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)

browse() {
	out=$1 err=$2
	shift 2
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
}

# dom NAME PAGE FRAGMENT: the live DOM of PAGE opened at #FRAGMENT, in NAME.dom.
dom() {
	browse "$1.dom" "$1.err" --dump-dom "file://$TRASH/$2#$3" &&
	test -s "$1.dom" &&
	if grep ':CONSOLE' "$1.err" >&2; then return 1; fi
}

# py FILE CODE...: run Python over FILE's text (in `html`), the rest of the arguments in `args`.
py() {
	file=$1 code=$2
	shift 2
	"$INSIGHT_PYTHON" -c "import re, sys
html = open(sys.argv[1], encoding='utf-8').read()
args = sys.argv[2:]
$code" "$file" "$@"
}

test_expect_success 'chromium is installed' '
	if [ -z "$CHROMIUM" ]; then
		echo "headless Chromium is needed for this test: apt-get install -y chromium" >&2
		false
	fi
'

test_expect_success 'four sessions of one SUT, one a day on its own commit' '
	git init -q -b main . &&
	insight init >/dev/null &&
	for i in 1 2 3 4; do
		"$INSIGHT_PYTHON" - $i >r$i.xml <<-\PY || return 1
		import sys
		i = int(sys.argv[1])
		def case(name, time, bad=""):
		    return "<testcase classname=\"t.shop\" name=\"%s\" time=\"%s\">%s</testcase>" % (name, time, bad)
		print("<testsuite name=\"shop\" timestamp=\"2026-11-2%dT10:00:00\">" % i)
		print(case("test_ok", "0.004"))
		print(case("test_late", "0.25", "<failure message=\"late %d\">tb</failure>" % i if i >= 2 else ""))
		print(case("test_new", "1.5", "<failure message=\"new\">tb</failure>" if i == 4 else ""))
		print(case("test_always", "0.03", "<error message=\"down\">tb</error>"))
		print(case("test_slow", "12"))
		print("</testsuite>")
		PY
		if [ $i = 3 ]; then
			git checkout -q -b "evil\"<img_src=x_onerror=alert(9)>" || return 1
		fi
		echo $i >>CHANGES && git add CHANGES &&
		GIT_AUTHOR_DATE=2026-11-2${i}T09:00:00Z GIT_COMMITTER_DATE=2026-11-2${i}T09:00:00Z \
			git commit -q -m "change $i" &&
		git rev-parse HEAD >>commits &&
		insight session import --sut shop r$i.xml >/dev/null 2>&1 || return 1
	done &&
	insight session list --sut shop --format json >sessions.json &&
	"$INSIGHT_PYTHON" -c "import json; [print(r[\"id\"]) for r in reversed(json.load(open(\"sessions.json\"))[\"tables\"][\"sessions\"][\"rows\"])]" >uids &&
	test_line_count = 4 uids &&
	insight session show latest --outcome all --format html -o page.html &&
	html_well_formed page.html &&
	no_raw_controls page.html
'

test_expect_success 'the charts: durations and pass rate per session, axes in durations and dates' '
	py page.html "
figs = re.findall(r\"<figure class=\\\"chart[^\\\"]*\\\"><figcaption>([^<]*)</figcaption>(.*?)</figure>\", html, re.S)
assert [f[0] for f in figs] == [\"Durations of the 5 results listed\", \"Pass rate per session\"], [f[0] for f in figs]
for cap, svg in figs:
    labels = re.findall(r\"<text[^>]*>([^<]*)</text>\", svg)
    assert labels, cap
    for l in labels:
        assert not re.search(r\"[0-9A-Z]{26}\", l), (cap, l)
    print(cap, \"|\", \" \".join(labels))
" >labels &&
	test_grep "^Durations of the 5 results listed | 0 1 2ms 5ms 10ms 20ms 50ms 100ms 200ms 500ms 1s 2s 5s 10s 20s$" labels &&
	test_grep "^Pass rate per session | 40% 50% 60% 70% 80% 2026-11-21 10:00 2026-11-22 10:00 2026-11-23 10:00 2026-11-24 10:00$" labels &&
	test_grep "<title>2026-11-22 10:00: 60%</title>" page.html &&
	test_grep "<title>2026-11-24 10:00: 40%</title>" page.html
'

test_expect_success 'every row shows its recent runs as a strip' '
	dom all page.html "" &&
	py all.dom "
for name, runs in re.findall(r\"<a class=\\\"name\\\" href=[^>]*>([^<]*)</a>.*?data-runs=\\\"([^\\\"]*)\\\"\", html):
    print(name, runs)
" >strips &&
	cat >expect <<-\EOF &&
	t.shop::test_always eeee
	t.shop::test_late pfff
	t.shop::test_new pppf
	t.shop::test_ok pppp
	t.shop::test_slow pppp
	EOF
	test_cmp expect strips
'

test_expect_success 'a test panel: its runs, one link a session, and where its failure began' '
	dom late page.html "test=t.shop%3A%3Atest_late" &&
	py late.dom "
panel = html[html.index(\"<aside\"):html.index(\"</aside>\")]
for cls, sid, title in re.findall(r\"<a class=\\\"sq o-([a-z]+)\\\" href=\\\"#session=([^\\\"]+)\\\" data-session=\\\"[^\\\"]+\\\" title=\\\"([^\\\"]*)\\\"\", panel):
    print(cls, sid, title)
m = re.search(r\"<p class=\\\"since\\\">(.*?)</p>\", panel)
print(re.sub(r\"<[^>]+>\", \"\", m.group(1)))
print(re.findall(r\"data-session=\\\"([^\\\"]+)\\\"\", m.group(1))[0], re.findall(r\"data-commit=\\\"([^\\\"]+)\\\"\", m.group(1))[0])
" >panel &&
	u1=$(sed -n 1p uids) u2=$(sed -n 2p uids) u3=$(sed -n 3p uids) u4=$(sed -n 4p uids) &&
	c2=$(sed -n 2p commits) &&
	cat >expect <<-EOF &&
	passed $u1 2026-11-21 10:00 · $(sed -n 1p commits | cut -c1-10) · passed
	failed $u2 2026-11-22 10:00 · $(sed -n 2p commits | cut -c1-10) · failed
	failed $u3 2026-11-23 10:00 · $(sed -n 3p commits | cut -c1-10) · failed
	failed $u4 2026-11-24 10:00 · $(sed -n 4p commits | cut -c1-10) · failed
	Failing since $(echo $u2 | cut -c1-12) of 2026-11-22 10:00, commit $(echo $c2 | cut -c1-10) (3 sessions, this one included).
	$u2 $c2
	EOF
	test_cmp expect panel &&
	test_grep "The last 4 sessions of this SUT, oldest first: 1 passed, 3 failed." late.dom
'

test_expect_success 'a new failure, and one failing in every session' '
	dom new page.html "test=t.shop%3A%3Atest_new" &&
	test_grep "<p class=\"since\"><b>First failed in this session.</b></p>" new.dom &&
	dom always page.html "test=t.shop%3A%3Atest_always" &&
	test_grep "(4 sessions, this one included)." always.dom &&
	test_grep "data-session=\"$(sed -n 1p uids)\"" always.dom &&
	dom ok page.html "test=t.shop%3A%3Atest_ok" &&
	test_grep -v "class=\"since\"" ok.dom
'

# the rows of the recent sessions table drawn, one a line: highlighted?, session, commit
sessions_rows() {
	py "$1" "
tbls = re.findall(r\"<div class=\\\"tbl\\\" id=\\\"t-[0-9]+\\\" data-rows=\\\"([0-9]+)\\\">(.*?)</table>\", html, re.S)
rows, body = tbls[-1]
print(\"rows\", rows)
for cls, tr in re.findall(r\"<tr( class=\\\"hl\\\")?>(.*?)</tr>\", re.search(r\"<tbody>(.*?)</tbody>\", body, re.S).group(1), re.S):
    s = re.search(r\"data-session=\\\"([^\\\"]+)\\\"\", tr).group(1)
    c = re.search(r\"data-commit=\\\"([^\\\"]+)\\\"\", tr).group(1)
    print(\"hl\" if cls else \"-\", s, c)
"
}

test_expect_success 'sessions and commits link to each other within the page' '
	u2=$(sed -n 2p uids) c2=$(sed -n 2p commits) c4=$(sed -n 4p commits) &&
	test_grep "<a class=\"ref\" href=\"#commit=$c4\" data-commit=\"$c4\"><code title=\"$c4\">" page.html &&
	dom sess page.html "session=$u2" &&
	sessions_rows sess.dom >rows &&
	test_grep "^rows 4$" rows &&
	test_grep "^hl $u2 $c2$" rows &&
	test $(grep -c "^hl" rows) = 1 &&
	test_grep "<span id=\"scope\" class=\"scope\"><span>session $(echo $u2 | cut -c1-12) </span>" sess.dom &&
	dom commit page.html "commit=$c2" &&
	sessions_rows commit.dom >crows &&
	printf "rows 1\nhl %s %s\n" "$u2" "$c2" >expect &&
	test_cmp expect crows &&
	test_grep "rows 1–1 of 1 (filtered from 4) on commit $(echo $c2 | cut -c1-10)" commit.dom
'

test_expect_success 'a hostile branch name stays text' '
	dom branch page.html "session=$(sed -n 3p uids)" &&
	test_grep -v "<img" branch.dom &&
	test_grep "evil\"&lt;img_src=x_onerror=alert(9)&gt;" branch.dom
'

test_expect_success 'sut show and test history: chart axes are dates, not session ids' '
	insight sut show shop --format html -o sut.html &&
	insight test history t.shop::test_late --format html -o hist.html &&
	for f in sut.html hist.html; do
		py $f "
svgs = re.findall(r\"<figure class=\\\"chart[^\\\"]*\\\">.*?</figure>\", html, re.S)
assert svgs, \"no chart\"
xs = set()
for svg in svgs:
    for l in re.findall(r\"<text[^>]*text-anchor=\\\"(?:start|middle|end)\\\">([^<]*)</text>\", svg):
        assert not re.search(r\"[0-9A-Z]{26}\", l), l
        xs.add(l)
    for t in re.findall(r\"<title>([^<]*)</title>\", svg):
        assert not re.search(r\"[0-9A-Z]{26}\", t), t
assert \"2026-11-21 10:00\" in xs and \"2026-11-24 10:00\" in xs, xs
" || return 1
	done &&
	dom sut sut.html "" &&
	test_grep "<a class=\"ref\" href=\"#session=$(sed -n 4p uids)\"" sut.dom
'

test_expect_success 'compare: the outcomes of base and target as two bars on one scale' '
	insight session compare latest~2 latest --format html -o cmp.html &&
	html_well_formed cmp.html &&
	py cmp.html "
fig = re.search(r\"<figure class=\\\"chart sides\\\"><figcaption>Outcomes, base and target</figcaption>(.*?)</figure>\", html, re.S).group(1)
for t in re.findall(r\"<title>([^<]*)</title>\", fig):
    print(t)
print(\" \".join(re.findall(r\"<text[^>]*>([^<]*)</text>\", fig)))
" >bars &&
	cat >expect <<-\EOF &&
	base: 3 passed
	base: 2 failed
	target: 2 passed
	target: 3 failed
	0 2 4 6 Base 3 2 Target 2 3
	EOF
	test_cmp expect bars &&
	insight session compare latest~2 latest --format json >cmp.json &&
	"$INSIGHT_PYTHON" -c "import json; t = json.load(open(\"cmp.json\"))[\"tables\"][\"counts\"][\"rows\"]; print([(r[\"side\"], r[\"tests\"], r[\"passed\"], r[\"failed\"]) for r in t])" >counts &&
	echo "[('"'"'base'"'"', 5, 3, 2), ('"'"'target'"'"', 5, 2, 3)]" >expect &&
	test_cmp expect counts
'

test_expect_success 'screenshots: the panel with its strip, and the page' '
	browse shot.out shot.err --screenshot="$TRASH/panel.png" --window-size=1280,900 \
		--hide-scrollbars "file://$TRASH/page.html#test=t.shop%3A%3Atest_late" &&
	browse shot2.out shot2.err --screenshot="$TRASH/page.png" --window-size=1280,2400 \
		--hide-scrollbars "file://$TRASH/page.html" &&
	! grep ":CONSOLE" shot.err shot2.err &&
	for f in panel.png page.png; do
		test "$(head -c 8 $f | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
		size=$(wc -c <$f) &&
		test "$size" -gt 30000 || return 1
	done
'

test_done
