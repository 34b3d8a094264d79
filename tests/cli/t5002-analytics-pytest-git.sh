#!/bin/bash
# t5002-analytics-pytest-git - compare and test since on real pytest
# sessions recorded by `insight session run` in a real git repository: the
# example project examples/shop, one commit per step, with the knob that
# plants a regression from step 4 on. Also the pipeline gate: --fail-on exit
# codes and the JSON gate fields; and test since without git facts and with
# a repository that does not hold the failing commit.

. "$(dirname "$0")/lib.sh"

if ! "$INSIGHT_PYTHON" -c 'import pytest' 2>/dev/null; then
	echo "1..0 # SKIP $INSIGHT_PYTHON has no pytest"
	exit 0
fi
export INSIGHT_DB="$TRASH/history.db" PYTHONDONTWRITEBYTECODE=1
REG1=tests/test_pricing.py::test_bulk_discount_at_threshold
REG2=tests/test_cart.py::test_total_with_bulk_apples

run_step() {
	SHOP_STEP=$1 SHOP_REGRESSION_AT=4 \
		insight -q session run --sut shop -- "$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider \
		>/dev/null 2>&1
}

test_expect_success 'six commits, one real pytest session each (regression from step 4)' '
	cp -r "$INSIGHT_SRCDIR/examples/shop" shop &&
	(
		cd shop && git init -q && git add -A &&
		for step in 1 2 3 4 5 6; do
			echo "$step" >STEP && git add STEP &&
			GIT_AUTHOR_DATE="2026-11-0${step}T10:00:00Z" \
			GIT_COMMITTER_DATE="2026-11-0${step}T10:00:00Z" \
				git commit -qm "step $step" || exit 1
			run_step $step
			st=$?
			if [ $step -lt 4 ]; then test $st = 0 || exit 1; else test $st = 1 || exit 1; fi
		done
	) &&
	insight --format json db stats >stats.json &&
	test "$(json_get stats.json "d[\"facts\"][\"sessions\"]")" = 6
'

test_expect_success 'compare --base HEAD~3 --target HEAD: the two planted failures are new' '
	(cd shop && insight --format json analytics compare --base HEAD~3 --target HEAD) >cmp.json &&
	json_get cmp.json "sorted(r[\"nodeid\"] for r in d[\"tables\"][\"new_failures\"][\"rows\"])" >actual &&
	echo "[\"$REG2\", \"$REG1\"]" >expect &&
	test_cmp expect actual &&
	for sec in fixed still_failing flaky added removed changed; do
		test "$(json_get cmp.json "d[\"facts\"][\"$sec\"]")" = 0 || return 1
	done &&
	test "$(json_get cmp.json "d[\"facts\"][\"base_mode\"]")" = commit &&
	test "$(json_get cmp.json "d[\"facts\"][\"gate_failed\"]")" = False
'

test_expect_success '--fail-on new-failures: exit 1, and the JSON says which condition tripped' '
	(cd shop && test_must_fail --exit 1 insight --format json analytics compare \
		--base HEAD~3 --target HEAD --fail-on new-failures) >gate.json 2>err &&
	test "$(json_get gate.json "d[\"facts\"][\"gate_failed\"]")" = True &&
	test "$(json_get gate.json "d[\"facts\"][\"gate_tripped\"]")" = new-failures &&
	json_get gate.json "[(r[\"condition\"], r[\"requested\"], r[\"tripped\"]) for r in d[\"tables\"][\"gate\"][\"rows\"]]" >actual &&
	echo "[[\"new-failures\", true, true], [\"regressions\", false, false], [\"any-failure\", false, true], [\"flaky\", false, false]]" >expect &&
	test_cmp expect actual &&
	test_grep "gate failed: new-failures" err
'

test_expect_success '--fail-on passes (exit 0) when no named condition holds' '
	(cd shop && insight analytics compare --base HEAD~1 --target HEAD \
		--fail-on new-failures,regressions,flaky) >out &&
	test_grep "gate passed" out &&
	(cd shop && test_must_fail --exit 1 insight -q analytics compare --base HEAD~1 \
		--target HEAD --fail-on any-failure) >/dev/null
'

test_expect_success 'session compare and sut compare use the same engine' '
	insight --format json session compare latest~5 latest >s.json &&
	test "$(json_get s.json "d[\"facts\"][\"new_failures\"]")" = 2 &&
	test "$(json_get s.json "d[\"facts\"][\"base_mode\"]")" = session &&
	insight --format json sut compare shop shop >u.json &&
	test "$(json_get u.json "d[\"facts\"][\"new_failures\"]")" = 0 &&
	test "$(json_get u.json "d[\"facts\"][\"still_failing\"]")" = 2
'

test_expect_success 'test since: failing since step 4, last passed at step 3, nothing between' '
	(cd shop && insight --format json test since $REG1) >since.json &&
	(cd shop && git rev-parse HEAD~2) >expect &&
	json_get since.json "d[\"facts\"][\"first_failed_commit\"]" >actual &&
	test_cmp expect actual &&
	(cd shop && git rev-parse HEAD~3) >expect &&
	json_get since.json "d[\"facts\"][\"last_passed_commit\"]" >actual &&
	test_cmp expect actual &&
	test "$(json_get since.json "d[\"facts\"][\"suspects\"]")" = 1 &&
	json_get since.json "d[\"tables\"][\"commits\"][\"rows\"][0][\"subject\"]" >actual &&
	echo "step 4" >expect &&
	test_cmp expect actual
'

test_expect_success 'test since: the latest session without git facts orders by time' '
	cp -r shop nogit && rm -rf nogit/.git &&
	(cd nogit && GIT_CEILING_DIRECTORIES="$TRASH" run_step 7; test $? = 1) &&
	(cd shop && insight --format json test since $REG1) >since2.json &&
	test "$(json_get since2.json "d[\"facts\"][\"order\"]")" = time &&
	(cd shop && git rev-parse HEAD~2) >expect &&
	json_get since2.json "d[\"facts\"][\"first_failed_commit\"]" >actual &&
	test_cmp expect actual
'

test_expect_success 'test since: a session without git facts in between is left out, and said so' '
	(
		cd shop && echo 8 >STEP && git add STEP &&
		GIT_AUTHOR_DATE="2026-11-08T10:00:00Z" GIT_COMMITTER_DATE="2026-11-08T10:00:00Z" \
			git commit -qm "step 8" && { run_step 8; test $? = 1; }
	) &&
	(cd shop && insight --format json test since $REG1) >since3.json &&
	test "$(json_get since3.json "d[\"facts\"][\"order\"]")" = commits &&
	test "$(json_get since3.json "d[\"facts\"][\"sessions_without_git\"]")" = 1 &&
	(cd shop && git rev-parse HEAD~3) >expect &&
	json_get since3.json "d[\"facts\"][\"first_failed_commit\"]" >actual &&
	test_cmp expect actual &&
	json_get since3.json "[n[\"text\"] for n in d[\"notes\"]]" >notes &&
	test_grep "1 run without git facts was left out" notes
'

test_expect_success 'test since: a repository without the failing commit falls back to time order' '
	git init -q other &&
	(cd other && git commit -q --allow-empty -m unrelated) &&
	(cd shop && insight --format json test since $REG2 --repo "$TRASH/other") >since4.json &&
	test "$(json_get since4.json "d[\"facts\"][\"order\"]")" = time &&
	test "$(json_get since4.json "d[\"facts\"][\"status\"]")" = failing &&
	(cd shop && git rev-parse HEAD~3) >expect &&
	json_get since4.json "d[\"facts\"][\"first_failed_commit\"]" >actual &&
	test_cmp expect actual &&
	json_get since4.json "[n[\"text\"] for n in d[\"notes\"] if n[\"level\"] == \"warning\"]" >notes &&
	test_grep "ordered by time instead" notes
'

test_done
