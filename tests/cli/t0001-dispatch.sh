#!/bin/bash
# The dispatcher: help, version, unknown commands, external commands, global options.
. "$(dirname "$0")/lib.sh"

test_expect_success 'insight --version prints the version' '
	insight --version >out &&
	grep -E "^insight [0-9]+\.[0-9]+\.[0-9]+$" out &&
	insight version >out2 && test_cmp out out2
'

test_expect_success 'insight alone, -h and help list the commands on stdout' '
	insight >out 2>err &&
	test_grep "^usage: insight" out && test_grep "  db " out &&
	test_line_count = 0 err &&
	insight -h >out2 && test_cmp out out2 &&
	insight help >out3 && test_cmp out out3
'

test_expect_success 'a group without a subcommand shows its commands' '
	insight db >out &&
	test_grep "usage: insight db <command>" out &&
	test_grep "  check " out && test_grep "  backup " out &&
	insight help db >out2 && test_cmp out out2
'

test_expect_success '-h on a command prints its usage and options, exit 0' '
	insight db backup -h >out &&
	test_grep "^usage: insight db backup" out &&
	test_grep "[-]-force" out && test_grep "[-]-db PATH" out &&
	insight help db backup >out2 && test_cmp out out2
'

test_expect_success 'an unknown command says what is closest, exit 2, nothing on stdout' '
	test_must_fail --exit 2 insight sesion >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 1 err &&
	test_grep "^insight: .sesion. is not an insight command" err &&
	test_must_fail --exit 2 insight db chek 2>err &&
	test_grep "did you mean .check.?" err
'

test_expect_success 'an unknown option is a usage error naming it' '
	test_must_fail --exit 2 insight db stats --bogus 2>err &&
	test_grep "unknown option .--bogus." err &&
	test_must_fail --exit 2 insight db backup 2>err &&
	test_grep "needs one destination" err
'

test_expect_success 'an unknown output format is refused' '
	test_must_fail --exit 2 insight --format yaml db stats 2>err &&
	test_grep "unknown output format .yaml." err
'

test_expect_success 'insight foo runs insight-foo from PATH with the remaining arguments' '
	mkdir bin &&
	printf "#!/bin/sh\necho \"ext:\$*:\$INSIGHT_DB\"\nexit 7\n" >bin/insight-hello &&
	chmod +x bin/insight-hello &&
	PATH="$PWD/bin:$PATH" && export PATH &&
	{ insight --db /tmp/x.db hello a "b c" >out; echo "rc=$?" >>out; } &&
	printf "ext:a b c:/tmp/x.db\nrc=7\n" >expect &&
	test_cmp expect out
'

test_expect_success 'global options work before and after the command' '
	insight --db "$PWD/g.db" db path >before &&
	insight db path --db "$PWD/g.db" >after &&
	echo "$PWD/g.db" >expect &&
	test_cmp expect before && test_cmp expect after &&
	insight db path --format=json --db "$PWD/g.db" >j &&
	test "$(json_get j "d[\"facts\"][\"path\"] if \"facts\" in d else d[\"path\"]")" = "$PWD/g.db"
'

test_expect_success 'a closed pipe ends insight quietly' '
	insight init >/dev/null &&
	{ insight help | head -c1 >/dev/null; } 2>err &&
	test_line_count = 0 err
'

test_expect_success 'did you mean: a mistyped option and a mistyped SUT name' '
	export INSIGHT_DB="$TRASH/dym.db" &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/></testsuite>" >dym.xml &&
	insight session import -q --sut shop dym.xml >/dev/null &&
	test_must_fail insight session list --limt 3 2>err &&
	test_grep "unknown option .--limt.; did you mean .--limit.?" err &&
	test_must_fail insight analytics summary --dyas 3 2>err &&
	test_grep "did you mean .--days.?" err &&
	test_must_fail insight session list --zzzzzz 2>err &&
	test_grep "unknown option .--zzzzzz. (see .insight session list -h.)" err &&
	test_must_fail insight sut show sho 2>err &&
	test_grep "no SUT named .sho. in the history; did you mean .shop.?" err &&
	test_must_fail insight session list --sut xyzzy 2>err &&
	test_grep "no SUT named .xyzzy. in the history$" err
'

test_done
