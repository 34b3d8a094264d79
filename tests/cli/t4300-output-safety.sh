#!/bin/bash
# -o never replaces what is at the path with something else: a regular file
# is replaced whole (atomically, its mode kept), a link is followed, a FIFO
# or a device is written into, a directory is refused. A failed write says
# so in one line and exits 3; nothing half-written or temporary is left.
. "$(dirname "$0")/lib.sh"

no_temp_files() {
	! ls -A "${1:-.}" | grep -q "\.insight-"
}

test_expect_success 'setup: a history with one session' '
	insight init >/dev/null &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/>" \
		"<testcase classname=\"m\" name=\"b\"><failure message=\"no\"/></testcase></testsuite>" >r.xml &&
	insight session import -q --sut api r.xml >/dev/null &&
	insight --format json session list >expect.json
'

test_expect_success 'a regular file is replaced whole, with its mode kept' '
	echo old >answer.json &&
	chmod 640 answer.json &&
	ino=$(stat -c %i answer.json) &&
	insight --format json -o answer.json session list &&
	test_cmp expect.json answer.json &&
	test "$(stat -c %a answer.json)" = 640 &&
	test "$(stat -c %i answer.json)" != "$ino" &&
	no_temp_files
'

test_expect_success 'a new file gets the umask'"'"'s mode' '
	(umask 027 && insight --format json -o new.json session list) &&
	test_cmp expect.json new.json &&
	test "$(stat -c %a new.json)" = 640
'

test_expect_success 'a symbolic link is followed: the link stays, its target gets the answer' '
	mkdir -p out &&
	echo old >out/target.json &&
	ln -s out/target.json link.json &&
	insight --format json -o link.json session list &&
	test -L link.json &&
	test "$(readlink link.json)" = out/target.json &&
	test_cmp expect.json out/target.json &&
	ln -s target.json out/rel.json &&
	ln -s out/rel.json chain.json &&
	echo old >out/target.json &&
	insight --format json -o chain.json session list &&
	test -L chain.json && test -L out/rel.json &&
	test_cmp expect.json out/target.json &&
	no_temp_files && no_temp_files out
'

test_expect_success 'a dangling link gets its target created' '
	ln -s out/made.json dangling.json &&
	insight --format json -o dangling.json session list &&
	test -L dangling.json &&
	test_cmp expect.json out/made.json
'

test_expect_success 'a FIFO is written into and stays a FIFO' '
	mkfifo pipe &&
	{ timeout 20 cat pipe >from-pipe.json & } &&
	timeout 20 "$INSIGHT_BIN" --format json -o pipe session list &&
	wait &&
	test -p pipe &&
	test_cmp expect.json from-pipe.json
'

test_expect_success '/dev/null and /dev/stdout are written into' '
	insight --format json -o /dev/null session list >out.txt &&
	test -c /dev/null &&
	test ! -s out.txt &&
	insight --format json -o /dev/stdout session list >stdout.json &&
	test_cmp expect.json stdout.json &&
	insight --format json -o - session list >dash.json &&
	test_cmp expect.json dash.json
'

test_expect_success 'a full device: one line, exit 3, the device left as it is' '
	{ insight --format json -o /dev/full session list 2>err; test $? = 3; } &&
	test_line_count = 1 err &&
	test_grep "cannot write ./dev/full.: No space left on device" err &&
	test -c /dev/full
'

if test "$(id -u)" = 0; then
	test_expect_success 'device nodes of our own: a character device is written, a block device refused' '
		mknod chardev c 1 3 &&
		insight --format json -o chardev session list &&
		test -c chardev &&
		mknod blockdev b 7 200 &&
		{ insight --format json -o blockdev session list 2>err; test $? = 3; } &&
		test -b blockdev &&
		test_grep "cannot write .blockdev.: it is a block device" err
	'
else
	test_skip 'device nodes of our own' 'mknod needs root'
fi

test_expect_success 'a directory is refused, and left alone' '
	mkdir adir &&
	{ insight --format json -o adir session list 2>err; test $? = 3; } &&
	test_line_count = 1 err &&
	test_grep "cannot write .adir.: it is a directory" err &&
	test -d adir &&
	test -z "$(ls -A adir)"
'

test_expect_success 'a missing directory: one line, exit 3' '
	{ insight --format json -o nowhere/answer.json session list 2>err; test $? = 3; } &&
	test_line_count = 1 err &&
	test_grep "cannot write .nowhere/answer.json.: No such file or directory" err
'

test_expect_success 'a command that fails leaves the file as it was' '
	echo keep >kept.json &&
	test_must_fail insight --format json -o kept.json session show nosuchsession 2>err &&
	test "$(cat kept.json)" = keep &&
	no_temp_files
'

test_expect_success 'stdout on a full device: one line, exit 3 (an output error, not the history)' '
	for cmd in "session list" "version" "db path" "--format json session list" "help"; do
		# shellcheck disable=SC2086
		"$INSIGHT_BIN" $cmd >/dev/full 2>err
		rc=$?
		test $rc = 3 || { echo "$cmd: exit $rc"; return 1; }
		test_line_count = 1 err || return 1
		test_grep "cannot write the answer to standard output: No space left on device" err || return 1
	done &&
	sed "s/name=\"a\"/name=\"c\"/" r.xml >r2.xml &&
	{ insight session import --sut api r2.xml >/dev/full 2>err; test $? = 3; } &&
	test "$(grep -c "cannot write the answer" err)" = 1 &&
	test_grep "No space left on device" err
'

test_expect_success 'the flaky quarantine list follows the same rules' '
	ln -s out/quarantine.txt q.txt &&
	insight analytics flaky --quarantine -o q.txt &&
	test -L q.txt && test -f out/quarantine.txt &&
	{ insight analytics flaky --quarantine -o adir 2>err; test $? = 3; } &&
	test_grep "it is a directory" err
'

test_expect_success 'CSV: one table with no comment lines, --table picks another, an unknown one is listed' '
	insight --format csv session show latest >main.csv &&
	! grep -q "^#" main.csv &&
	head -n 1 main.csv >header &&
	test_grep "^test,outcome" header &&
	insight --format csv --table tags session show latest >tags.csv &&
	test "$(head -n 1 tags.csv)" = "key,value" &&
	test_must_fail insight --format csv --table nope session show latest 2>err &&
	test_grep "no table .nope. in this answer (its tables: " err &&
	test_must_fail insight --format json --table tags session show latest 2>err &&
	test_grep "\-\-table is for --format csv or tsv" err
'

test_done
