# browse-lib.sh - the fixture history and golden-file helpers of the browsing
# command tests (t41NN-*.sh), sourced after lib.sh.
#
# setup_history (make_history) builds, in $TRASH/repo, a git work tree with fixed commits and
# a history of five sessions imported from tests/fixtures/history/:
#
#   api  2026-11-20 09:00  api-1.xml   test_add fails (<script>, |, `, **)
#   api  2026-11-21 09:00  api-2.xml   test_total fails (tab, newline), test_logout errors
#   api  2026-11-22 09:00  api-3.xml   all pass; test_total flaky in the run; a tab
#                                      and a newline in a test's name; tags
#   web  2026-11-21 12:00  web-1.jsonl ANSI escapes in a node id, message and output;
#                                      a rerun, an xfail; GitHub Actions facts
#   web  2026-11-22 12:00  web-2.xml   all pass
#
# Everything in the answers is then fixed except session ids (mask_sessions
# masks them) and the time each SUT was first recorded (the clock at import;
# commands that show it pass GOLDEN_SED to golden_all). Times are not masked:
# the reports fix them, TZ=UTC and INSIGHT_NOW pin the rest.
#
# test_golden NAME FILE compares FILE with tests/cli/expect/NAME; with
# REGEN_GOLDEN=1 in the environment it writes the expected file instead.

HISTORY_FIXTURES=$INSIGHT_SRCDIR/tests/fixtures/history
GOLDEN_DIR=$INSIGHT_SRCDIR/tests/cli/expect
export INSIGHT_NOW=2026-11-23T00:00:00Z

# commit MESSAGE DATE: a commit in the current repository at a fixed time.
fixture_commit() {
	echo "$1" >>CHANGES &&
	git add CHANGES &&
	GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2" git commit -q -m "$1"
}

make_history() {
	(
		set -e
		# Imported by a relative path, which the sessions record as their source.
		mkdir fx && cp "$HISTORY_FIXTURES"/* fx/
		HISTORY_FIXTURES=../fx
		mkdir repo && cd repo
		git init -q -b main .
		insight init >/dev/null
		fixture_commit "first change" "2026-11-19T10:00:00Z"
		insight session import --sut api "$HISTORY_FIXTURES/api-1.xml" >/dev/null 2>&1
		fixture_commit "fix the cart" "2026-11-20T10:00:00Z"
		insight session import --sut api "$HISTORY_FIXTURES/api-2.xml" >/dev/null 2>&1
		GITHUB_ACTIONS=true GITHUB_RUN_ID=4242 GITHUB_JOB=test \
		GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=acme/shop \
		GITHUB_REF=refs/heads/main GITHUB_REF_NAME=main GITHUB_REF_TYPE=branch \
			insight session import --sut web "$HISTORY_FIXTURES/web-1.jsonl" >/dev/null 2>&1
		fixture_commit "speed up totals" "2026-11-21T10:00:00Z"
		insight session import --sut api --tag env=staging --tag "python=3.11" \
			"$HISTORY_FIXTURES/api-3.xml" >/dev/null 2>&1
		insight session import --sut web "$HISTORY_FIXTURES/web-2.xml" >/dev/null 2>&1
		# The importing machine's name would differ from one run to the next.
		sqlite3 .insight/history.db "UPDATE session SET host = 'build-host'"
	)
}

# setup_history: make_history, then work in the repository; stop the script
# (TAP "Bail out!") when the fixture cannot be built.
setup_history() {
	if ! make_history >"$TRASH/setup.log" 2>&1; then
		echo "Bail out! cannot build the fixture history:"
		sed 's/^/# /' "$TRASH/setup.log"
		exit 1
	fi
	cd "$TRASH/repo" || exit 1
}

# mask_sessions: session ids, full (26) and short (12), as whole words.
mask_sessions() {
	sed -E -e 's/\b[0-9A-HJKMNP-TV-Z]{26}\b/<ID>/g' -e 's/\b[0-9A-HJKMNP-TV-Z]{12}\b/<SID>/g' \
		${GOLDEN_SED:+-e "$GOLDEN_SED"}
}

test_golden() {
	if [ "${REGEN_GOLDEN:-}" = 1 ]; then
		mkdir -p "$GOLDEN_DIR" && cp "$2" "$GOLDEN_DIR/$1"
		return 0
	fi
	test_cmp "$GOLDEN_DIR/$1" "$2"
}

# golden_all NAME ARGS...: run `insight ARGS` in every output format (term at
# 40, 80 and 200 columns) and compare each with its golden file; the JSON is
# also validated against the schema, and none of them may hold a raw control
# character other than tab and newline (CSV may quote them).
golden_all() {
	name=$1
	shift
	for w in 40 80 200; do
		COLUMNS=$w insight "$@" >out.raw || return 1
		mask_sessions <out.raw >"out.$w" &&
		test_golden "$name.term$w" "out.$w" || return 1
		no_raw_controls out.raw || return 1
		# The terminal gets no raw tab either: "\t" in a cell, spaces in long text.
		if grep -q "$(printf '\t')" out.raw; then
			echo "raw tab in the terminal output of insight $*" >&2
			return 1
		fi
	done
	for f in md json csv; do
		insight --format "$f" "$@" >out.raw || return 1
		mask_sessions <out.raw >"out.$f" &&
		test_golden "$name.$f" "out.$f" || return 1
		no_raw_controls out.raw || return 1
	done
	insight "$@" --format json >out.json2 &&
	"$INSIGHT_PYTHON" "$INSIGHT_SRCDIR/scripts/validate-json" out.json2 || return 1
	insight "$@" --format html >out.html &&
	html_well_formed out.html &&
	no_raw_controls out.html
}

# no_raw_controls FILE: no byte below 0x20 but tab and newline, and no DEL.
no_raw_controls() {
	if LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$1" >/dev/null; then
		echo "raw control characters in $1:" >&2
		LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$1" | cat -v >&2
		return 1
	fi
}

# html_well_formed FILE: every element closed in order, no raw <script> from
# the data (the page's own script carries no text from the history; the data
# sits in one <script type="application/json"> element, valid JSON with no
# '<' in it, so that nothing in it can close the element or open a comment).
html_well_formed() {
	"$INSIGHT_PYTHON" - "$1" <<'PY'
import json, sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr", "path", "circle", "rect", "line", "polyline", "stop"}

class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.scripts, self.in_script = [], [], [], False
        self.data = []
    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.in_script = "json" if ("type", "application/json") in attrs else True
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("unexpected </%s> at %s (open: %s)" % (tag, self.getpos(),
                               [t for t, _ in self.stack[-3:]]))
            return
        self.stack.pop()
    def handle_data(self, data):
        if self.in_script == "json":
            self.data.append(data)
        elif self.in_script:
            self.scripts.append(data)

text = open(sys.argv[1], encoding="utf-8").read()
c = Check()
c.feed(text)
c.close()
errs = c.errors + ["unclosed <%s> from %s" % t for t in c.stack]
for s in c.scripts:
    if "alert(1)" in s or "\x1b" in s:
        errs.append("data inside a script element")
for d in c.data:
    if "<" in d or "\u2028" in d or "\u2029" in d:
        errs.append("unescaped '<' or U+2028/9 in the embedded data")
    try:
        json.loads(d)
    except ValueError as e:
        errs.append("embedded data is not JSON: %s" % e)
if "<script>alert" in text:
    errs.append("raw <script> from the data")
if not text.lstrip().lower().startswith("<!doctype html>"):
    errs.append("no doctype")
for e in errs:
    print("html:", e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
}
