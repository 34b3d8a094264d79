#!/bin/bash
# Period refs (1d, 7d, 14d, 30d) inside a git repository: a ref is a commit
# only when git resolves it; when both readings resolve, the period is taken
# and the answer says so and how to get the other.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a git repository with two sessions on its commit' '
	git init -q . &&
	git commit -q --allow-empty -m first &&
	insight init >/dev/null &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/>" \
		"<testcase classname=\"m\" name=\"b\"><failure message=\"no\"/></testcase></testsuite>" >r1.xml &&
	sed "s/name=\"a\"/name=\"c\"/" r1.xml >r2.xml &&
	insight session import -q --sut api r1.xml >/dev/null &&
	insight session import -q --sut api r2.xml >/dev/null
'

test_expect_success 'periods are periods, not short commit ids' '
	for p in 1d 7d 14d 30d; do
		insight --format json analytics compare --base $p --target 1d >out.json 2>err ||
			{ cat err; return 1; }
		test "$(json_get out.json "d[\"facts\"][\"base_mode\"]")" = period ||
			{ cat out.json; return 1; }
		test ! -s err || { cat err; return 1; }
	done
'

test_expect_success 'a branch named like a period: the period is taken, and the answer says so' '
	git branch 7d &&
	insight --format json analytics compare --base 7d --target 1d >out.json 2>err &&
	test "$(json_get out.json "d[\"facts\"][\"base_mode\"]")" = period &&
	json_get out.json "\"\\n\".join(n[\"text\"] for n in d[\"notes\"])" >notes &&
	test_grep "base: .7d. was read as a period; it also names a git revision, which --mode commit reads" notes &&
	insight --format json analytics compare --base 7d --target 7d --mode commit >out.json 2>err &&
	test "$(json_get out.json "d[\"facts\"][\"base_mode\"]")" = commit
'

test_expect_success 'latest and latest~N always name sessions, even beside a branch called latest' '
	git branch latest &&
	insight --format json analytics compare --base latest~1 --target latest >out.json 2>err &&
	test "$(json_get out.json "d[\"facts\"][\"base_mode\"]")" = session &&
	test "$(json_get out.json "d[\"facts\"][\"target_mode\"]")" = session &&
	test ! -s err &&
	insight --format json analytics compare --base latest --target latest --mode commit \
		>out.json 2>err &&
	test "$(json_get out.json "d[\"facts\"][\"base_mode\"]")" = commit
'

test_expect_success 'a real ambiguity still asks, and names the readings' '
	git branch api &&
	test_must_fail insight analytics compare --base api --target 1d 2>err >/dev/null &&
	test_grep "ambiguous: it reads as sut, commit; choose one with --mode" err
'

test_done
