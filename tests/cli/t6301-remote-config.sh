#!/bin/bash
# t6301-remote-config - remotes in the configuration: remote add, remove,
# list and show, in the project file or the user's; URLs always shown with
# their password masked; which remote push and fetch pick without a name.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"
PROJECT="$TRASH/config"
USERCFG="$XDG_CONFIG_HOME/insight/config"

# A port on 127.0.0.1 where nothing listens.
dead_port() {
	"$INSIGHT_PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

test_expect_success 'a history to push from' '
	insight session import --sut api "$INSIGHT_SRCDIR/tests/fixtures/history/api-1.xml" 2>/dev/null
'

test_expect_success 'remote add writes remote.NAME.url to the project file beside the history' '
	insight remote add origin postgresql://ci@127.0.0.1:5999/team 2>err &&
	test ! -s err &&
	git config -f "$PROJECT" remote.origin.url >actual &&
	echo postgresql://ci@127.0.0.1:5999/team >expect &&
	test_cmp expect actual
'

test_expect_success 'remote add --global writes the user file' '
	insight remote add --global shared postgres://127.0.0.1/shared?sslmode=disable &&
	git config -f "$USERCFG" remote.shared.url >actual &&
	echo "postgres://127.0.0.1/shared?sslmode=disable" >expect &&
	test_cmp expect actual &&
	test_must_fail git config -f "$PROJECT" remote.shared.url
'

test_expect_success 'a password in a URL is stored as given, with a warning that does not show it' '
	insight remote add withpw "postgresql://ci:s3cr3t-pw@127.0.0.1:5999/team" 2>err &&
	test_line_count = 1 err &&
	test_grep "^insight: warning: the URL of remote .withpw. holds a password" err &&
	test_grep "PGPASSWORD" err &&
	test_grep -v "s3cr3t-pw" err &&
	test "$(git config -f "$PROJECT" remote.withpw.url)" = "postgresql://ci:s3cr3t-pw@127.0.0.1:5999/team"
'

test_expect_success 'remote list shows every remote, its level, URLs masked' '
	insight --format tsv remote list >actual &&
	cat >expect <<-\EOT &&
	name	url	level	default
	origin	postgresql://ci@127.0.0.1:5999/team	project	false
	shared	postgres://127.0.0.1/shared?sslmode=disable	user	false
	withpw	postgresql://ci:***@127.0.0.1:5999/team	project	false
	EOT
	test_cmp expect actual &&
	insight remote list >term &&
	test_grep -v "s3cr3t-pw" term &&
	insight --format json remote list >out.json &&
	"$INSIGHT_SRCDIR/scripts/validate-json" out.json &&
	test_grep -v "s3cr3t-pw" out.json
'

test_expect_success 'remote show shows one remote, masked' '
	insight remote show withpw >actual &&
	cat >expect <<-EOT &&
	name: withpw
	url: postgresql://ci:***@127.0.0.1:5999/team
	set in: $PROJECT (project)
	default: no
	EOT
	test_cmp expect actual &&
	test_must_fail --exit 2 insight remote show nosuch 2>err &&
	test_line_count = 1 err &&
	test_grep "no remote named .nosuch." err
'

test_expect_success 'config list and config get mask the password of a remote URL too' '
	insight --format tsv config list >actual &&
	test_grep "^remote.withpw.url	postgresql://ci:\*\*\*@127.0.0.1:5999/team$" actual &&
	test_grep "^remote.origin.url	postgresql://ci@127.0.0.1:5999/team$" actual &&
	test_grep -v "s3cr3t-pw" actual &&
	insight config get remote.withpw.url >actual &&
	echo "postgresql://ci:***@127.0.0.1:5999/team" >expect &&
	test_cmp expect actual
'

test_expect_success 'bad names, other URLs and a second remote of one name are refused' '
	test_must_fail --exit 2 insight remote add "bad name" postgresql://h/d 2>err &&
	test_grep "not a valid remote name" err &&
	test_must_fail --exit 2 insight remote add -x postgresql://h/d 2>err &&
	test_must_fail --exit 2 insight remote add web https://example.com/db 2>err &&
	test_grep "postgresql:// or postgres:// URL" err &&
	test_must_fail --exit 2 insight remote add origin postgresql://h/other 2>err &&
	test_grep "remote .origin. exists already" err &&
	test_must_fail --exit 2 insight remote add onlyname 2>err &&
	test "$(git config -f "$PROJECT" remote.origin.url)" = postgresql://ci@127.0.0.1:5999/team
'

test_expect_success 'push without a name and several remotes asks for one' '
	test_must_fail --exit 2 insight push 2>err &&
	test_line_count = 1 err &&
	test_grep "several remotes (origin, shared, withpw) and no remote.default" err
'

test_expect_success 'push to a remote nobody answers: exit 5, one line, the password masked' '
	port=$(dead_port) &&
	insight remote add dead "postgresql://ci:hunter2-pw@127.0.0.1:$port/team" 2>/dev/null &&
	test_must_fail --exit 5 insight push dead 2>err &&
	test_line_count = 1 err &&
	test_grep "^insight: cannot connect to remote .dead. (postgresql://ci:\*\*\*@127.0.0.1:$port/team)" err &&
	test_grep -v "hunter2-pw" err &&
	test_must_fail --exit 5 insight fetch dead 2>err &&
	test_grep -v "hunter2-pw" err &&
	test_must_fail --exit 5 insight remote init dead 2>err &&
	test_grep -v "hunter2-pw" err
'

test_expect_success 'a history file is a remote too: push merges into it, fetch from it' '
	mkdir team &&
	(cd team && insight remote add shared-file history.db) &&
	test "$(git config -f "$PROJECT" remote.shared-file.url)" = "$TRASH/team/history.db" &&
	insight remote init shared-file >out &&
	test_grep "remote .shared-file. is the history $TRASH/team/history.db" out &&
	insight push shared-file >out &&
	test_grep "^pushed 1 sessions (6 results) to shared-file; 0 there already$" out &&
	insight push shared-file >out &&
	test_grep "^pushed 0 sessions (0 results) to shared-file; 1 there already$" out &&
	insight --db "$TRASH/other.db" remote add --global from-file "file://$TRASH/team/history.db" &&
	insight --db "$TRASH/other.db" fetch from-file >out &&
	test_grep "^fetched 1 sessions (6 results) from from-file; 0 here already$" out &&
	sqlite3 "$INSIGHT_DB" "SELECT uid FROM session" >expect &&
	sqlite3 "$TRASH/other.db" "SELECT uid FROM session" >actual &&
	test_cmp expect actual &&
	insight remote remove shared-file &&
	insight remote remove --global from-file
'

test_expect_success 'remote.default picks the remote; remove takes the default with it' '
	insight config set remote.default dead &&
	test_must_fail --exit 5 insight push 2>err &&
	test_grep "remote .dead." err &&
	insight --format tsv remote list >actual &&
	test_grep "^dead	.*	true$" actual &&
	insight remote remove dead &&
	test_must_fail git config -f "$PROJECT" remote.dead.url &&
	test_must_fail git config -f "$PROJECT" remote.default &&
	test_must_fail --exit 2 insight remote remove dead 2>err &&
	test_grep "no remote named .dead." err
'

test_expect_success 'a remote.default that names no remote is an error, not a guess' '
	insight config set remote.default gone &&
	test_must_fail --exit 2 insight push 2>err &&
	test_grep "no remote named .gone. (remote.default)" err &&
	insight config unset remote.default
'

test_expect_success 'the only remote is used without a name; none at all says how to add one' '
	insight remote remove withpw &&
	insight remote remove --global shared &&
	insight remote remove origin &&
	insight --format tsv remote list >actual &&
	test_line_count = 1 actual &&
	test_must_fail --exit 2 insight push 2>err &&
	test_grep "no remote; add one with .insight remote add" err &&
	port=$(dead_port) &&
	insight remote add solo "postgresql://127.0.0.1:$port/x" &&
	test_must_fail --exit 5 insight fetch 2>err &&
	test_grep "remote .solo." err
'

test_done
