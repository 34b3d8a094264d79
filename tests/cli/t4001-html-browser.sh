#!/bin/bash
# t4001-html-browser: the HTML report in a real browser (headless Chromium).
#
# Renders the realistic sample document (tests/unit/test_render_sample.c) and
# a hostile variant (markup and event handlers in every string), loads both in
# headless Chromium and checks: the pages load with no console message at all
# (no script error, no blocked resource), the sort script ran, the hostile
# strings stayed text (no <img> element, no injected <script>), and a
# screenshot is kept in $INSIGHT_BUILDDIR/t4001-html-browser.png for people to
# look at. Chromium is required: without it this test fails, it does not skip.
. "$(dirname "$0")/lib.sh"

: "${INSIGHT_BUILDDIR:?INSIGHT_BUILDDIR must name the build directory}"
SAMPLE_PROG="$INSIGHT_BUILDDIR/tests/test_render_sample"
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
SHOT="$INSIGHT_BUILDDIR/t4001-html-browser.png"

# browse OUT ERR ARGS...: headless Chromium, a fresh profile, console to ERR.
browse() {
	out=$1 err=$2
	shift 2
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" \
		--enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
}

# Any console message means a script error, a CSP violation or a blocked load.
no_console() {
	if grep ':CONSOLE' "$@" >&2; then
		return 1
	fi
}

test_expect_success 'chromium is installed' '
	if [ -z "$CHROMIUM" ]; then
		echo "headless Chromium is needed for this test: apt-get install -y chromium" >&2
		false
	fi
'

test_expect_success 'sample documents render' '
	INSIGHT_RENDER_SAMPLE_DIR="$TRASH" "$SAMPLE_PROG" &&
	test -s sample.html && test -s hostile.html
'

test_expect_success 'the pages load without console messages' '
	browse sample.dom sample.err --dump-dom "file://$TRASH/sample.html" &&
	browse hostile.dom hostile.err --dump-dom "file://$TRASH/hostile.html" &&
	test -s sample.dom && test -s hostile.dom &&
	no_console sample.err hostile.err
'

test_expect_success 'the script drew the tables from the embedded data' '
	test_grep "<th class=\"sort\" scope=\"col\" tabindex=\"0\" data-col=\"nodeid\">Test</th>" sample.dom &&
	test_grep "<th class=\"num sort\" scope=\"col\" tabindex=\"0\" data-col=\"duration\">Duration</th>" sample.dom &&
	test_grep "<body class=\"js\" data-ready=\"1\"" sample.dom
'

test_expect_success 'hostile strings stay text in the live DOM' '
	test_grep -v "<img" hostile.dom &&
	grep -o "<script" hostile.dom >scripts &&
	test_line_count = 2 scripts &&
	test_grep "&lt;img src=x onerror=alert(1)&gt;" hostile.dom
'

test_expect_success 'a screenshot is kept in the build directory' '
	rm -f "$SHOT" &&
	browse shot.out shot.err --screenshot="$SHOT" --window-size=1280,2400 \
		--hide-scrollbars "file://$TRASH/sample.html" &&
	test -s "$SHOT" &&
	test "$(head -c 8 "$SHOT" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a
'

test_expect_success 'a phone-sized window renders too' '
	browse narrow.out narrow.err --screenshot="$TRASH/narrow.png" --window-size=400,900 \
		"file://$TRASH/sample.html" &&
	test -s narrow.png &&
	no_console narrow.err
'

test_done
