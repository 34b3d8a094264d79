#!/bin/bash
# t6001-config - insight config get|set|unset|list: the files (project beside
# the history however it was found, user, --config), their precedence under
# the environment, typed values and defaults, unknown keys, secrets masked
# and warned about, the defaults the analyses and session run read, and the
# manual listing every key with its default.
. "$(dirname "$0")/lib.sh"

USERCFG="$XDG_CONFIG_HOME/insight/config"

cat >report.xml <<'XML'
<testsuite name="s" tests="1"><testcase classname="a" name="one"/></testsuite>
XML

test_expect_success 'config set writes the project file beside a discovered history' '
	mkdir proj && (cd proj && insight init >/dev/null) &&
	(cd proj && insight config set session.sut shop) &&
	git config -f proj/.insight/config session.sut >actual &&
	echo shop >expect && test_cmp expect actual &&
	(cd proj && insight config get session.sut) >actual && test_cmp expect actual
'

test_expect_success 'the project file follows --db and INSIGHT_DB' '
	mkdir -p other/hist &&
	insight --db other/hist/h.db config set session.sut viadb &&
	git config -f other/hist/config session.sut >actual &&
	echo viadb >expect && test_cmp expect actual &&
	INSIGHT_DB=other/hist/h.db insight config get --show-origin session.sut >actual &&
	printf "project:other/hist/config\tviadb\n" >expect && test_cmp expect actual
'

test_expect_success 'precedence: environment, --config, project, user, default' '
	insight config set --global analytics.window 3d &&
	test -f "$USERCFG" &&
	(cd proj && insight config get --show-origin analytics.window) >actual &&
	printf "user:%s\t3d\n" "$USERCFG" >expect && test_cmp expect actual &&
	(cd proj && insight config set analytics.window 5d) &&
	(cd proj && insight config get analytics.window) >actual &&
	echo 5d >expect && test_cmp expect actual &&
	git config -f extra.cfg analytics.window 9d &&
	(cd proj && insight --config ../extra.cfg config get analytics.window) >actual &&
	echo 9d >expect && test_cmp expect actual &&
	(cd proj && INSIGHT_CONFIG=../extra.cfg insight config get analytics.window) >actual &&
	test_cmp expect actual &&
	(cd proj && INSIGHT_ANALYTICS_WINDOW=11d insight --config ../extra.cfg \
		config get --show-origin analytics.window) >actual &&
	printf "environment:INSIGHT_ANALYTICS_WINDOW\t11d\n" >expect && test_cmp expect actual &&
	insight config get --show-origin net.timeout >actual &&
	printf "default\t30s\n" >expect && test_cmp expect actual
'

test_expect_success 'a scope reads one file only; unset keys exit 1 silently' '
	(cd proj && insight config get --global analytics.window) >actual &&
	echo 3d >expect && test_cmp expect actual &&
	(cd proj && insight config get --local analytics.window) >actual &&
	echo 5d >expect && test_cmp expect actual &&
	(cd proj && test_must_fail --exit 1 insight config get --global session.sut) >out 2>err &&
	test_must_fail --exit 1 insight config get no.such-key >out 2>err &&
	test_line_count = 0 out && test_line_count = 0 err
'

test_expect_success 'config list shows every value with its origin' '
	(cd proj && insight --format tsv config list --show-origin) >actual &&
	test_grep "^analytics.window	3d	user	$USERCFG\$" actual &&
	test_grep "^session.sut	shop	project	.*proj/.insight/config\$" actual &&
	test_grep "^analytics.window	5d	project	" actual &&
	(cd proj && insight --format tsv config list) >plain.tsv &&
	printf "key\tvalue\n" >expect && head -1 plain.tsv >actual && test_cmp expect actual &&
	(cd proj && insight --format json config list --local) >list.json &&
	json_get list.json "[r[\"key\"] for r in d[\"tables\"][\"values\"][\"rows\"]]" >actual &&
	echo "[\"session.sut\", \"analytics.window\"]" >expect && test_cmp expect actual
'

test_expect_success 'config unset removes a key; a second unset exits 1' '
	(cd proj && insight config unset analytics.window) &&
	(cd proj && insight config get analytics.window) >actual &&
	echo 3d >expect && test_cmp expect actual &&
	(cd proj && test_must_fail --exit 1 insight config unset analytics.window) 2>err &&
	test_grep "not set in" err
'

test_expect_success 'an unknown key is refused with a suggestion' '
	(cd proj && test_must_fail --exit 2 insight config set session.stu x) 2>err &&
	test_line_count = 1 err &&
	test_grep "did you mean .session.sut." err &&
	(cd proj && test_must_fail --exit 2 insight config set analytics.flaky-treshold 1) 2>err &&
	test_grep "did you mean .analytics.flaky-threshold." err &&
	(cd proj && test_must_fail --exit 2 insight config set nosection 1) 2>err
'

test_expect_success 'a value of the wrong type is refused' '
	(cd proj && test_must_fail --exit 3 insight config set net.timeout soon) 2>err &&
	test_grep "net.timeout.*soon.*not a duration" err &&
	(cd proj && test_must_fail --exit 3 insight config set analytics.flaky-min-runs 2.5) 2>err &&
	(cd proj && insight config set net.timeout 1m30s) &&
	(cd proj && insight config unset net.timeout)
'

test_expect_success 'a config file that does not parse fails with one line naming it' '
	mkdir bad && (cd bad && insight init >/dev/null) &&
	printf "[session\n sut = x\n" >bad/.insight/config &&
	(cd bad && test_must_fail --exit 3 insight config get session.sut) 2>err &&
	test_line_count = 1 err &&
	test_grep "bad/.insight/config" err &&
	test_must_fail --exit 2 insight --config nowhere.cfg config list 2>err &&
	test_grep "no config file .nowhere.cfg." err
'

test_expect_success 'secrets are masked by get and list, and never printed' '
	(cd proj && insight config set ci.github.token ghp_filetoken1234) 2>err &&
	(cd proj && insight config get ci.github.token) >actual 2>err &&
	echo "***" >expect && test_cmp expect actual &&
	(cd proj && GITHUB_TOKEN=ghs_envtoken5678 insight config get ci.github.token) >actual &&
	test_cmp expect actual &&
	for f in term json csv tsv md html; do
		(cd proj && GITHUB_TOKEN=ghs_envtoken5678 insight --format $f config list \
			--show-origin) >list.$f 2>&1 || return 1
	done &&
	cat list.* >all &&
	test_grep "ci.github.token" all &&
	test_grep -v "ghp_filetoken1234" all &&
	test_grep -v "ghs_envtoken5678" all
'

test_expect_success 'a new file made for a secret is private; a readable one is warned about' '
	mkdir sec && (cd sec && insight init >/dev/null) &&
	(cd sec && insight config set ci.gitlab.token glpat-secret-000) 2>err &&
	test "$(stat -c %a sec/.insight/config)" = 600 &&
	test_line_count = 0 err &&
	chmod 644 sec/.insight/config &&
	(cd sec && insight config get session.sut) >out 2>err ;
	test_grep "warning: .*sec/.insight/config. holds a secret (ci.gitlab.token)" err &&
	test_grep -v "glpat-secret-000" err &&
	chmod 600 sec/.insight/config &&
	(cd sec && insight config list) >out 2>err &&
	test_line_count = 0 err &&
	test_grep -v "glpat-secret-000" out
'

test_expect_success 'config set keeps the mode of an existing file' '
	chmod 640 sec/.insight/config &&
	(cd sec && insight config set session.sut keep) 2>/dev/null &&
	test "$(stat -c %a sec/.insight/config)" = 640
'

test_expect_success 'session import and session run take the SUT from session.sut' '
	(cd proj && insight session import ../report.xml) >/dev/null 2>&1 &&
	(cd proj && insight --format json sut list) >suts.json &&
	json_get suts.json "[r[\"sut\"] for r in d[\"tables\"][\"suts\"][\"rows\"]]" >actual &&
	echo "[\"shop\"]" >expect && test_cmp expect actual &&
	(cd proj && insight session run --report ../report.xml -- true) >/dev/null 2>&1 &&
	(cd proj && insight --format json session list) >list.json &&
	json_get list.json "len(d[\"tables\"][\"sessions\"][\"rows\"])" >actual &&
	echo 2 >expect && test_cmp expect actual &&
	(cd proj && INSIGHT_SESSION_SUT=fromenv insight session run --report ../report.xml -- true) \
		>/dev/null 2>&1 &&
	(cd proj && insight --format json sut list) >suts.json &&
	json_get suts.json "sorted(r[\"sut\"] for r in d[\"tables\"][\"suts\"][\"rows\"])" >actual &&
	echo "[\"fromenv\", \"shop\"]" >expect && test_cmp expect actual
'

test_expect_success 'session import without --sut or session.sut says what to set' '
	mkdir nosut && (cd nosut && insight init >/dev/null) &&
	(cd nosut && test_must_fail --exit 2 insight session import ../report.xml) 2>err &&
	test_grep "session.sut" err
'

test_expect_success 'the analyses read their default window and flaky settings' '
	(cd proj && insight --format json analytics summary) >a.json &&
	(cd proj && INSIGHT_NOW=2020-01-01T00:00:00Z insight --format json analytics summary) >b.json &&
	(cd proj && INSIGHT_ANALYTICS_WINDOW=bogus test_must_fail --exit 3 \
		insight analytics summary) 2>err &&
	test_grep "analytics.window in environment INSIGHT_ANALYTICS_WINDOW: .bogus. is not a time window" err &&
	(cd proj && insight config set analytics.flaky-min-runs 0) &&
	(cd proj && test_must_fail --exit 2 insight analytics flaky) 2>err &&
	test_grep "analytics.flaky-min-runs must be at least 1" err &&
	(cd proj && insight analytics flaky --min-runs 2 >/dev/null) &&
	(cd proj && insight config set analytics.flaky-min-runs 2) &&
	(cd proj && insight config set analytics.flaky-threshold 7) &&
	(cd proj && test_must_fail --exit 2 insight analytics flaky) 2>err &&
	test_grep "analytics.flaky-threshold must be from 0 to 1" err &&
	(cd proj && insight config unset analytics.flaky-threshold) &&
	(cd proj && insight analytics flaky >/dev/null)
'

test_expect_success 'secrets in the environment and the config never reach the history' '
	mkdir hist && (cd hist && insight init >/dev/null) &&
	(cd hist && insight config set ci.github.token ghp_confsecret_3141 2>/dev/null) &&
	(cd hist && GITHUB_TOKEN=ghs_envsecret_2718 GITLAB_TOKEN=glpat_envsecret_1618 \
		INSIGHT_SESSION_SUT=s insight -vv session run --report ../report.xml -- true) \
		>out 2>err &&
	(cd hist && GITHUB_TOKEN=ghs_envsecret_2718 insight -vv --format json session show latest) \
		>>out 2>>err &&
	cat hist/.insight/history.db* out err >all &&
	test_grep -v "ghp_confsecret_3141" all &&
	test_grep -v "ghs_envsecret_2718" all &&
	test_grep -v "glpat_envsecret_1618" all
'

test_expect_success 'config list --defaults lists every key; the manual documents each default' '
	insight --format tsv config list --defaults >keys.tsv &&
	test_line_count -gt 10 keys.tsv &&
	MANWIDTH=2000 man -l "$INSIGHT_SRCDIR/man/insightconfig.5" 2>/dev/null >page.txt &&
	tail -n +2 keys.tsv | awk -F "\t" "{ print \$1 \"\t\" \$2 \"\t\" (\$3 == \"\" ? \"none\" : \$3) }" |
	while IFS="	" read -r key type def; do
		grep -q "^ *$key\$" page.txt || { echo "$key is not in insightconfig(5)"; exit 1; }
		grep -A1 "^ *$key\$" page.txt | grep -qF "($type; default: $def)" ||
			{ echo "$key: insightconfig(5) does not say ($type; default: $def)"; exit 1; }
	done
'

test_expect_success 'completion offers the known keys for config get' '
	insight __complete config get analytics.fl >out &&
	test_grep "^analytics.flaky-threshold	" out &&
	test_grep -v "^session" out
'

test_expect_success 'without libgit2, a config file is left unread with a warning' '
	git_so=$(ldconfig -p | sed -n "s/^[[:space:]]*\(libgit2\.so\.[0-9.]*\) .*/\1/p" | sed 1q) &&
	test -n "$git_so" &&
	mkdir broken && : >"broken/$git_so" &&
	(cd proj && LD_LIBRARY_PATH="$TRASH/broken" INSIGHT_SESSION_SUT=nolib \
		insight session run --report ../report.xml -- true) >out 2>err &&
	test_grep "^insight: warning: cannot read the config file .*: git support is unavailable.*; using the environment and the defaults" err &&
	(cd proj && insight --format json sut list) >suts.json &&
	test_grep "\"nolib\"" suts.json &&
	(cd proj && LD_LIBRARY_PATH="$TRASH/broken" test_must_fail insight config set session.sut x) 2>err &&
	test_line_count = 1 err &&
	test_grep "git support is unavailable" err
'

test_expect_success 'insight --version and commands without a config file do not load libgit2' '
	LD_DEBUG=files insight --version >out 2>trace &&
	test_grep -v "libgit2" trace &&
	mkdir plain && insight --db plain.db init >/dev/null &&
	(cd plain && LD_DEBUG=files INSIGHT_DB=../plain.db XDG_CONFIG_HOME=$PWD \
		insight --format json analytics summary) >out 2>trace &&
	test_grep -v "libgit2" trace
'

test_done
