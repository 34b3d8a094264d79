#!/bin/bash
# t6490-export-allure-commit - export allure --commit takes a full sha, a
# prefix of one, or any revision git resolves in the working directory's
# repository (HEAD~1, a branch, a tag), and exports the sessions recorded on
# that commit; a prefix still works where the repository is not; a revision
# that names nothing is one clear usage error.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

# results_of DIR: the node ids in DIR's Allure results, sorted, one a line.
results_of() {
	"$INSIGHT_PYTHON" - "$1" <<-\EOF
	import glob, json, sys
	print("\n".join(sorted(json.load(open(f))["fullName"] for f in glob.glob(sys.argv[1] + "/*/*-result.json"))))
	EOF
}

test_expect_success 'setup: two commits, a session on each, a branch and a tag' '
	git init -q -b main repo &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"tests.test_one\" name=\"test_first\" time=\"1\"/></testsuite>" >one.xml &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"tests.test_two\" name=\"test_second\" time=\"1\"/></testsuite>" >two.xml &&
	(cd repo && git commit -q --allow-empty -m one && git tag v1.0 &&
	 insight -q session import --sut shop ../one.xml &&
	 git commit -q --allow-empty -m two && git branch topic &&
	 insight -q session import --sut shop ../two.xml) &&
	git -C repo rev-parse HEAD~1 >first && git -C repo rev-parse HEAD >second &&
	test "$(wc -c <first)" = 41
'

test_expect_success 'a revision git resolves: HEAD~1, a tag, a branch, HEAD' '
	(cd repo && insight export allure --commit HEAD~1 -o ../a1 2>../err) &&
	results_of a1 >got && echo "tests.test_one::test_first" >expect && test_cmp expect got &&
	test_grep "wrote 1 session to" err &&
	(cd repo && insight export allure --commit v1.0 -o ../a2 2>/dev/null) &&
	results_of a2 >got && test_cmp expect got &&
	(cd repo && insight export allure --commit topic -o ../a3 2>/dev/null) &&
	results_of a3 >got && echo "tests.test_two::test_second" >expect && test_cmp expect got &&
	(cd repo && insight export allure --commit HEAD -o ../a4 2>/dev/null) &&
	results_of a4 >got && test_cmp expect got
'

test_expect_success 'a full sha and a short sha, inside the repository and outside it' '
	insight export allure --commit "$(cat first)" -o b1 2>/dev/null &&
	results_of b1 >got && echo "tests.test_one::test_first" >expect && test_cmp expect got &&
	insight export allure --commit "$(cut -c1-8 first)" -o b2 2>/dev/null &&
	results_of b2 >got && test_cmp expect got &&
	(cd repo && insight export allure --commit "$(cut -c1-7 ../second)" -o ../b3 2>/dev/null) &&
	results_of b3 >got && echo "tests.test_two::test_second" >expect && test_cmp expect got
'

test_expect_success 'a revision that names nothing is a usage error, and nothing is written' '
	(cd repo && test_must_fail --exit 2 insight export allure --commit no-such-branch -o ../c1 \
		>../out 2>../err) &&
	test_line_count = 1 err && test_grep "no-such-branch" err &&
	test_grep "revision git resolves" err && ! test -e c1 &&
	test_must_fail --exit 2 insight export allure --commit HEAD~1 -o c2 2>err &&
	test_line_count = 1 err && ! test -e c2 &&
	test_must_fail --exit 2 insight export allure --commit abc -o c3 2>err && ! test -e c3
'

test_expect_success 'a commit git knows but no session was recorded on: the export says so' '
	(cd repo && git commit -q --allow-empty -m three &&
	 test_must_fail --exit 2 insight export allure --commit HEAD -o ../d1 2>../err) &&
	test_grep "no session matches" err && ! test -e d1
'

test_done
