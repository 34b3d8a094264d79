#!/bin/bash
# t4001-html-browser: the HTML report in a real browser (headless Chromium).
#
# Renders the realistic sample document (tests/unit/test_render_sample.c) and
# a hostile variant (markup and event handlers in every string), loads both in
# headless Chromium and checks: the page loads with no console message at all
# (no script error, no blocked resource), the sort script ran, the hostile
# strings stayed text (no <img> element, no injected <script>), and a
# screenshot is taken to $INSIGHT_BUILDDIR/t4001-html-browser.png for people
# to look at. Chromium is required: without it this test fails.
set -u

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

echo "1..7"

: "${INSIGHT_BUILDDIR:?INSIGHT_BUILDDIR is not set}"
sample_prog="$INSIGHT_BUILDDIR/tests/test_render_sample"
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)

if [ -z "$chromium" ]; then
	not_ok "chromium is installed" \
		"headless Chromium is needed for this test: apt-get install -y chromium"
	echo "# skipping the rest: they all need the browser"
	exit 1
fi
ok "chromium is installed ($chromium)"

work=$(mktemp -d "${TMPDIR:-/tmp}/insight-t4001.XXXXXX")
trap 'rm -rf "$work"' EXIT

if INSIGHT_RENDER_SAMPLE_DIR="$work" "$sample_prog" >"$work/sample.log" 2>&1 &&
   [ -s "$work/sample.html" ] && [ -s "$work/hostile.html" ]; then
	ok "sample documents rendered"
else
	not_ok "sample documents rendered" "$(cat "$work/sample.log")"
	exit 1
fi

browse() { # browse OUTFILE ERRFILE ARGS...: run headless Chromium with a fresh profile
	local out=$1 err=$2
	shift 2
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-dev-shm-usage --user-data-dir="$work/profile-$n-$RANDOM" \
		--enable-logging=stderr --v=0 "$@" >"$out" 2>"$err"
}

for page in sample hostile; do
	browse "$work/$page.dom" "$work/$page.err" --dump-dom "file://$work/$page.html"
done

# Any console message means a script error, a CSP violation or a blocked load.
console=$(grep -h ':CONSOLE' "$work/sample.err" "$work/hostile.err")
if [ -z "$console" ] && [ -s "$work/sample.dom" ] && [ -s "$work/hostile.dom" ]; then
	ok "pages load without console messages"
else
	not_ok "pages load without console messages" "$console" \
		"$(tail -5 "$work/sample.err")"
fi

# The script ran: headers became sortable and focusable.
if grep -q '<th scope="col" class="text sort" tabindex="0">Test</th>' "$work/sample.dom" &&
   grep -q 'class="num sort" data-type="num" tabindex="0">Duration</th>' "$work/sample.dom"; then
	ok "sort script ran"
else
	not_ok "sort script ran" "$(grep -o '<th[^>]*>[^<]*</th>' "$work/sample.dom" | head -5)"
fi

# Hostile strings stayed text in the live DOM.
scripts=$(grep -o '<script' "$work/hostile.dom" | wc -l)
if ! grep -q '<img' "$work/hostile.dom" && [ "$scripts" -eq 1 ] &&
   grep -q '&lt;img src=x onerror=alert(1)&gt;' "$work/hostile.dom"; then
	ok "hostile strings are inert"
else
	not_ok "hostile strings are inert" "script elements: $scripts" \
		"$(grep -o '<img[^>]*>' "$work/hostile.dom" | head -3)"
fi

# What a person sees: a screenshot kept in the build directory.
shot="$INSIGHT_BUILDDIR/t4001-html-browser.png"
rm -f "$shot"
browse "$work/shot.out" "$work/shot.err" --screenshot="$shot" --window-size=1280,2400 \
	--hide-scrollbars "file://$work/sample.html"
if [ -s "$shot" ] && [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	ok "screenshot written to $shot"
else
	not_ok "screenshot written to $shot" "$(tail -5 "$work/shot.err")"
fi

# A narrow (phone-sized) window must not break the page either.
browse "$work/narrow.out" "$work/narrow.err" --screenshot="$work/narrow.png" \
	--window-size=400,900 "file://$work/sample.html"
if [ -s "$work/narrow.png" ] && ! grep -q ':CONSOLE' "$work/narrow.err"; then
	ok "narrow window renders"
else
	not_ok "narrow window renders" "$(tail -5 "$work/narrow.err")"
fi

[ "$failed" -eq 0 ]
