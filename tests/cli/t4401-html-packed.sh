#!/bin/bash
# t4401-html-packed: a large report's page carries its data deflated, and
# the page opens and answers the same in headless Chromium.
#
# A session of 3,000 results (300 failures with tracebacks, a hostile name)
# gives more embedded data than the page writes as plain JSON: the page has
# the base64 of a deflated binary container instead (JSON that points into
# typed arrays of codes and heaps of UTF-8 strings), which Python reads back
# to the same rows, each distinct value stored once. Chromium (with a virtual-time
# budget, so that the DOM is taken after the script has inflated the data and
# drawn the page) shows every row counted, the names whole, exactly the failed
# rows under #filter=failed, and the hostile name as text. Chromium is required: without it this test fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/browse-lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)

dom() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 --virtual-time-budget=60000 \
		--dump-dom "file://$TRASH/page.html#$2" >"$1.dom" 2>"$1.err" &&
	test -s "$1.dom" &&
	if grep ':CONSOLE' "$1.err" >&2; then return 1; fi
}

# rows FILE: the outcome of every row drawn in the results table.
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

test_expect_success 'chromium is installed' '
	if [ -z "$CHROMIUM" ]; then
		echo "headless Chromium is needed for this test: apt-get install -y chromium" >&2
		false
	fi
'

test_expect_success 'a session of 3,000 results' '
	"$INSIGHT_PYTHON" - >report.xml <<-\PY &&
	from xml.sax.saxutils import quoteattr
	print("<testsuite name=\"big\">")
	for i in range(3000):
	    if i % 10 == 3:
	        tb = "\n".join("  File \"tests/test_big.py\", line %d, in helper_%d" % (j, j) for j in range(12))
	        print("<testcase classname=\"tests.test_big\" name=\"test_%04d\" time=\"0.5\">"
	              "<failure message=\"assert %d == 0\">Traceback\n%s\nAssertionError</failure></testcase>" % (i, i, tb))
	    else:
	        print("<testcase classname=\"tests.test_big\" name=\"test_%04d\" time=\"0.01\"/>" % i)
	print("<testcase classname=\"tests.test_big\" name=%s time=\"1\"><failure message=%s>x</failure></testcase>"
	      % (quoteattr("test_evil[<img src=x onerror=alert(1)>]"), quoteattr("</script><!-- <b>bold</b>")))
	print("</testsuite>")
	PY
	insight init >/dev/null &&
	insight session import --sut big report.xml >/dev/null 2>&1 &&
	insight session show latest --outcome all --all --format html -o page.html &&
	html_well_formed page.html
'

test_expect_success 'the data is a deflated binary container: JSON by offset, codes, string heaps' '
	test_grep "<script type=\"application/octet-stream\" id=\"insight-packed\">" page.html &&
	test_grep -v "id=\"insight-data\"" page.html &&
	test_grep -v "onerror" page.html &&
	"$INSIGHT_PYTHON" - page.html <<-\PY
	import base64, json, re, struct, sys, zlib
	html = open(sys.argv[1], encoding="utf-8").read()
	b64 = re.search(r"id=\"insight-packed\">(.*?)</script>", html, re.S).group(1)
	raw = zlib.decompress(base64.b64decode("".join(b64.split())))
	# a 32-bit length, the JSON, the binary part from the next multiple of four
	(h,) = struct.unpack_from("<I", raw, 0)
	d = json.loads(raw[4:4 + h])
	assert b"<" not in raw[4:4 + h], "a raw < in the JSON"
	base = (4 + h + 3) & ~3
	t = d["tables"][0]
	n = t["n"]
	assert t["id"] == "results" and n == 3001, n
	front = {}
	def column(c):
	    C = t["data"][c]
	    if "h" in C:  # a string heap: code 0 null, k + 1 the string k
	        k, o, b, p = C["h"]
	        off = struct.unpack_from("<%dI" % (k + 1), raw, base + o)
	        pfx = struct.unpack_from("<%dH" % k, raw, base + p)
	        vals = [None]
	        for i in range(k):  # front-coded: the start of the one before, then its own
	            assert pfx[i] == 0 or i % 16, "a restart point shares nothing"
	            vals.append(vals[-1][:pfx[i]] if pfx[i] else "")
	            vals[-1] += raw[base + b + off[i]:base + b + off[i + 1]].decode("utf-8")
	        front[c] = sum(pfx)
	    else:
	        vals = C["d"]
	    if "b" not in C:  # a heap of one value per row, in order
	        return vals[1:]
	    w, o = C["b"]
	    codes = struct.unpack_from("<%d%s" % (n, {1: "B", 2: "H", 4: "I"}[w]), raw, base + o)
	    return [vals[x] for x in codes]
	ids = [c[0] for c in t["cols"]]
	names, outcomes = column(ids.index("test")), column(ids.index("outcome"))
	want = sorted(["tests.test_big::test_%04d" % i for i in range(3000)] +
	              ["tests.test_big::test_evil[<img src=x onerror=alert(1)>]"])
	assert names == want, names[:3]
	# the names share their start: most of each is sent once
	assert front[ids.index("test")] > 20 * n, front
	assert outcomes.count("failed") == 301 and outcomes.count("passed") == 2700
	# each distinct value once: two outcomes, the 12-line traceback of each failure
	assert "b" not in t["data"][ids.index("test")]
	assert len(t["data"][ids.index("outcome")]["h"]) == 4 and t["data"][ids.index("outcome")]["h"][0] == 2
	assert t["data"][ids.index("outcome")]["b"][0] == 1
	tb = column(ids.index("detail"))
	assert sum(1 for x in tb if x) == 301 and tb[3].startswith("Traceback")
	assert column(ids.index("message"))[3] == "assert 3 == 0"
	assert len(html) < len(raw), (len(html), len(raw))
	PY
'

test_expect_success 'Chromium inflates it: every row counted, the first page drawn' '
	dom all "" &&
	test_grep "<body class=\"js\" data-ready=\"1\"" all.dom &&
	test_grep "<div class=\"tbl\" id=\"t-0\" data-rows=\"3001\">" all.dom &&
	rows all.dom >all.rows &&
	test_line_count = 100 all.rows &&
	test_grep "data-outcome=\"failed\" aria-pressed=\"false\"><span>failed</span><b>301</b>" all.dom &&
	test_grep ">tests.test_big::test_0000</a>" all.dom &&
	test_grep ">tests.test_big::test_0099</a>" all.dom &&
	dom one "q=test_2999" &&
	rows one.dom >one.rows &&
	test_line_count = 1 one.rows &&
	test_grep ">tests.test_big::test_2999</a>" one.dom
'

test_expect_success '#filter=failed shows exactly the failed rows' '
	dom failed "filter=failed&page.results=3" &&
	test_grep "rows 301–301 of 301 (filtered from 3001)" failed.dom &&
	rows failed.dom >failed.rows &&
	test_line_count = 1 failed.rows &&
	dom failed0 "filter=failed" &&
	rows failed0.dom >failed0.rows &&
	test_line_count = 100 failed0.rows &&
	! grep -v -x failed failed0.rows
'

test_expect_success 'the hostile name and message stay text' '
	dom evil "q=evil&test=tests.test_big%3A%3Atest_evil%5B%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%5D" &&
	rows evil.dom >evil.rows &&
	test_line_count = 1 evil.rows &&
	test_grep -v "<img" evil.dom &&
	test_grep -v "<b>bold" evil.dom &&
	test_grep "&lt;img src=x onerror=alert(1)&gt;" evil.dom &&
	test_grep "&lt;/script&gt;&lt;!-- &lt;b&gt;bold&lt;/b&gt;" evil.dom
'

# search FRAGMENT-QUERY: rows a text search finds once the page has lower-cased
# its texts while idle (bench/html_load.js drives Chromium through DevTools).
search() {
	timeout 200 node --experimental-websocket "$INSIGHT_SRCDIR/bench/html_load.js" "$CHROMIUM" \
		"$TRASH/page.html" 1 "$1" >"search.json" &&
	"$INSIGHT_PYTHON" -c "import json, sys; r = json.load(open(\"search.json\"))
assert r[\"search_ready_ms\"][0] >= 0, r
print(r[\"rows_search\"])"
}

# search_at_load FRAGMENT-QUERY: rows a search given in the URL finds as the page opens.
search_at_load() {
	dom at-load "q=$1" &&
	sed -n "s/.*id=\"t-0\" data-rows=\"\([0-9]*\)\".*/\1/p" at-load.dom
}

if node --experimental-websocket -e "typeof WebSocket === 'function' || process.exit(1)" 2>/dev/null
then
	test_expect_success 'a search after the page was idle finds what a search at load finds' '
		test "$(search test_2999)" = 1 &&
		test "$(search EVIL)" = 1 &&
		test "$(search "assert 3 == 0")" = "$(search_at_load "assert%203%20%3D%3D%200")" &&
		test "$(search TEST_BIG)" = 3001
	'
else
	test_skip 'a search after the page was idle finds what a search at load finds' \
		'this Node.js has no WebSocket (20.10 or later has)'
fi

test_done
