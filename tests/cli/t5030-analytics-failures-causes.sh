#!/bin/bash
# analytics failures by cause: a pytest suite where three root errors fail
# 40, 7 and 1 tests (a helper module's assertion reached from 40 test
# functions, a fixture whose connection is refused in 7 tests, a config
# parser's ValueError in 1) and 5 tests fail on assertions in their own
# bodies. By cause that is exactly 3 + 5 groups; by fingerprint one per
# test function; --cause lists one cause's tests and sessions; a history
# made before causes existed gets them when it is upgraded.
. "$(dirname "$0")/lib.sh"

export INSIGHT_DB="$TRASH/h.db"

test_expect_success 'setup: the suite, run twice by session run' '
	mkdir -p suite/shop suite/tests &&
	cat >suite/shop/__init__.py <<-\EOF_PY &&
	EOF_PY
	cat >suite/shop/pricing.py <<-\EOF_PY &&
	def check_price(got, want):
	    assert got == want, "expected %d got %d" % (want, got)
	EOF_PY
	cat >suite/shop/pool.py <<-\EOF_PY &&
	def connect(port):
	    raise ConnectionRefusedError(111, "Connection refused to port %d" % port)
	EOF_PY
	cat >suite/shop/config.py <<-\EOF_PY &&
	def parse(text):
	    raise ValueError("bad line: %s" % text)
	EOF_PY
	cat >suite/tests/conftest.py <<-\EOF_PY &&
	import pytest
	from shop.pool import connect

	@pytest.fixture
	def db():
	    return connect(5432)
	EOF_PY
	"$INSIGHT_PYTHON" - <<-\EOF_PY &&
	with open("suite/tests/test_prices.py", "w") as f:
	    f.write("from shop.pricing import check_price\n")
	    for i in range(40):
	        f.write("\ndef test_price_%d():\n    check_price(%d, %d)\n" % (i, i, i + 1))
	with open("suite/tests/test_orders.py", "w") as f:
	    for i in range(7):
	        f.write("\ndef test_order_%d(db):\n    assert db\n" % i)
	    f.write("\ndef test_config():\n    from shop.config import parse\n    parse(\"x=\")\n")
	    for i in range(5):
	        f.write("\ndef test_body_%d():\n    items = [%d]\n    assert len(items) == %d\n"
	                % (i, i, i + 2))
	    f.write("\ndef test_ok():\n    pass\n")
	EOF_PY
	for i in 1 2; do
		(cd suite && insight -q session run --sut shop -- "$INSIGHT_PYTHON" -m pytest -q \
			-p no:cacheprovider tests >/dev/null 2>&1)
		test $? = 1 || return 1
	done &&
	insight --format json session list >s.json &&
	test "$(json_get s.json "[r[\"failed\"] + r[\"error\"] for r in d[\"tables\"][\"sessions\"][\"rows\"]]")" = "[53, 53]"
'

test_expect_success 'by cause (the default): 3 + 5 groups, with the right counts' '
	insight --format json analytics failures >f.json &&
	test "$(json_get f.json "d[\"facts\"][\"by\"]")" = cause &&
	test "$(json_get f.json "d[\"facts\"][\"causes\"]")" = 8 &&
	test "$(json_get f.json "d[\"facts\"][\"failures\"]")" = 106 &&
	json_get f.json "\"\\n\".join(\"%d %d %s\" % (r[\"count\"], r[\"tests\"], r[\"title\"]) for r in d[\"tables\"][\"failures\"][\"rows\"])" >got &&
	cat >expect <<-\EOF &&
	80 40 AssertionError: expected <N> got <N> (at pricing.py check_price)
	14 7 ConnectionRefusedError: [Errno <N>] Connection refused to port <N> (at pool.py connect)
	2 1 ValueError: bad line: x= (at config.py parse)
	2 1 assert <N> == <N> (at test_orders.py test_body_0)
	2 1 assert <N> == <N> (at test_orders.py test_body_1)
	2 1 assert <N> == <N> (at test_orders.py test_body_2)
	2 1 assert <N> == <N> (at test_orders.py test_body_3)
	2 1 assert <N> == <N> (at test_orders.py test_body_4)
	EOF
	sort -k1,1nr -k4 got >got.sorted && sort -k1,1nr -k4 expect >expect.sorted &&
	test_cmp expect.sorted got.sorted
'

test_expect_success 'a cause names its first tests, then how many more; its fingerprints are counted' '
	json_get f.json "[r for r in d[\"tables\"][\"failures\"][\"rows\"] if r[\"count\"] == 80][0]" >row.json &&
	test "$(json_get row.json "d[\"fingerprints\"]")" = 40 &&
	test "$(json_get row.json "d[\"sessions\"]")" = 2 &&
	json_get row.json "d[\"test_ids\"]" >ids &&
	test_grep "tests/test_prices.py::test_price_0 tests/test_prices.py::test_price_1 " ids &&
	test_grep " and 35 more\$" ids &&
	test_grep "AssertionError: expected [0-9]* got [0-9]*" row.json
'

test_expect_success 'by fingerprint: the test function is part of it' '
	insight --format json analytics failures --by fingerprint >fp.json &&
	test "$(json_get fp.json "d[\"facts\"][\"by\"]")" = fingerprint &&
	test "$(json_get fp.json "d[\"facts\"][\"fingerprints\"]")" = 47 &&
	test "$(json_get fp.json "len(d[\"tables\"][\"failures\"][\"rows\"])")" = 47
'

test_expect_success 'by test: one row per failing test' '
	insight --format json analytics failures --by test >t.json &&
	test "$(json_get t.json "d[\"facts\"][\"tests\"]")" = 53 &&
	test "$(json_get t.json "sorted(set(r[\"count\"] for r in d[\"tables\"][\"failures\"][\"rows\"]))")" = "[2]"
'

test_expect_success '--cause lists every test and session of one cause, by a prefix of its id' '
	id=$(json_get f.json "[r[\"cause\"] for r in d[\"tables\"][\"failures\"][\"rows\"] if r[\"count\"] == 14][0]") &&
	insight --format json analytics failures --cause ${id%????????} >c.json &&
	test "$(json_get c.json "d[\"facts\"][\"cause\"]")" = "$id" &&
	test "$(json_get c.json "d[\"facts\"][\"tests\"]")" = 7 &&
	test "$(json_get c.json "sorted(r[\"nodeid\"] for r in d[\"tables\"][\"failures\"][\"rows\"])[0]")" = "tests/test_orders.py::test_order_0" &&
	test "$(json_get c.json "len(d[\"tables\"][\"sessions\"][\"rows\"])")" = 2 &&
	test "$(json_get c.json "d[\"tables\"][\"sessions\"][\"rows\"][0][\"tests\"]")" = 7 &&
	insight analytics failures --cause $id >c.txt &&
	test_grep "Failures of one cause: ConnectionRefusedError" c.txt
'

test_expect_success 'compare names the cause the new failures share' '
	run() {
		(cd suite && insight -q session run --sut cmp -- "$INSIGHT_PYTHON" -m pytest -q \
			-p no:cacheprovider "$@" tests >/dev/null 2>&1)
	}
	run -k test_ok &&
	{ run -k test_order_; test $? = 1; } &&
	insight --format json analytics compare --sut cmp --base latest~1 --target latest >cmp.json &&
	json_get cmp.json "d[\"notes\"][0][\"text\"]" >verdict &&
	echo "7 new failures, 1 cause: ConnectionRefusedError: [Errno <N>] Connection refused to port <N> (at pool.py connect)" >expect &&
	test_cmp expect verdict &&
	{ run; test $? = 1; } &&
	insight --format json analytics compare --sut cmp --base latest~2 --target latest >cmp.json &&
	json_get cmp.json "d[\"notes\"][0][\"text\"]" >verdict &&
	echo "53 new failures, 8 causes (40 from AssertionError: expected <N> got <N> (at pricing.py check_price))" >expect &&
	test_cmp expect verdict &&
	test "$(json_get cmp.json "len(set(r[\"cause\"] for r in d[\"tables\"][\"new_failures\"][\"rows\"]))")" = 8 &&
	insight --format json analytics failures --sut cmp >f2.json &&
	json_get f2.json "sorted(r[\"cause\"] for r in d[\"tables\"][\"failures\"][\"rows\"])" >expect &&
	json_get cmp.json "sorted(set(r[\"cause\"] for r in d[\"tables\"][\"new_failures\"][\"rows\"]))" >got &&
	test_cmp expect got
'

test_expect_success 'session run and session show name the cause new failures share' '
	(cd suite && insight -q session run --sut brief -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider -k test_ok tests >/dev/null 2>&1) &&
	(cd suite && insight session run --sut brief -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider -k "test_order_ or test_price_1" tests >/dev/null 2>../brief.err)
	test $? = 1 &&
	test_grep "^insight: 18 new failures since session" brief.err &&
	test_grep "^insight: 2 causes; 11 of them: AssertionError: expected <N> got <N> (at pricing.py check_price)\$" brief.err &&
	insight --format json session show latest >show.json &&
	test "$(json_get show.json "[s[\"facts\"][\"new_failure_causes\"] for s in d[\"sections\"] if s[\"id\"] == \"counts\"][0]")" = 2 &&
	(cd suite && insight session run --sut brief -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider -k "test_order_ or test_ok" tests >/dev/null 2>../brief.err)
	test $? = 1 &&
	(cd suite && insight session run --sut brief -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider -k test_ok tests >/dev/null 2>&1) &&
	(cd suite && insight session run --sut brief -- "$INSIGHT_PYTHON" -m pytest -q \
		-p no:cacheprovider -k "test_order_" tests >/dev/null 2>../brief.err)
	test $? = 1 &&
	test_grep "^insight: 1 cause: ConnectionRefusedError: \[Errno <N>\] Connection refused to port <N> (at pool.py connect)\$" brief.err
'

test_expect_success 'categories: rules on message, type and outcome, the first that holds wins' '
	cat >cats <<-\EOF &&
	[category "infrastructure"]
		match-message = (ConnectionRefused|Timeout|No space left)
		outcomes = error
	[category "config"]
		match-type = ^ValueError$
	[category "any value error"]
		match-message = ValueError
	[category "assertions, failed only"]
		match-type = ^AssertionError$
		outcomes = failed
	EOF
	insight --config cats --format json analytics failures --sut shop --by category >cat.json &&
	json_get cat.json "sorted((r[\"category\"], r[\"count\"], r[\"tests\"]) for r in d[\"tables\"][\"failures\"][\"rows\"])" >got &&
	echo "[[\"assertions, failed only\", 80, 40], [\"config\", 2, 1], [\"infrastructure\", 14, 7], [\"product\", 10, 5]]" >expect &&
	test_cmp expect got &&
	test "$(json_get cat.json "d[\"facts\"][\"categories\"]")" = 4 &&
	insight --config cats --format json analytics failures --sut shop >f3.json &&
	json_get f3.json "sorted(set((r[\"title\"].split(\":\")[0], r[\"category\"]) for r in d[\"tables\"][\"failures\"][\"rows\"]))" >got &&
	echo "[[\"AssertionError\", \"assertions, failed only\"], [\"ConnectionRefusedError\", \"infrastructure\"], [\"ValueError\", \"config\"], [\"assert <N> == <N> (at test_orders.py test_body_0)\", \"product\"], [\"assert <N> == <N> (at test_orders.py test_body_1)\", \"product\"], [\"assert <N> == <N> (at test_orders.py test_body_2)\", \"product\"], [\"assert <N> == <N> (at test_orders.py test_body_3)\", \"product\"], [\"assert <N> == <N> (at test_orders.py test_body_4)\", \"product\"]]" >expect &&
	test_cmp expect got
'

test_expect_success 'categories: the default is configurable; a rule for errors only leaves failures alone' '
	printf "[category \"infrastructure\"]\n\tmatch-message = Connection\n\toutcomes = failed\n[analytics]\n\tdefault-category = triage\n" >cats2 &&
	insight --config cats2 --format json analytics failures --sut shop --by category >cat2.json &&
	json_get cat2.json "sorted((r[\"category\"], r[\"count\"]) for r in d[\"tables\"][\"failures\"][\"rows\"])" >got &&
	echo "[[\"triage\", 106]]" >expect &&
	test_cmp expect got
'

test_expect_success 'categories: compare shows each new failure'"'"'s category' '
	insight --config cats --format json analytics compare --sut cmp --base latest~2 --target latest >cmp.json &&
	json_get cmp.json "sorted(set(r[\"category\"] for r in d[\"tables\"][\"new_failures\"][\"rows\"]))" >got &&
	echo "[\"assertions, failed only\", \"config\", \"infrastructure\", \"product\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'categories: session show and test show name the same category per failure' '
	insight --config cats --format json session show --sut shop --all latest >show.json &&
	json_get show.json "sorted(set((r[\"test\"].split(\"::\")[1].rstrip(\"0123456789\"), r[\"category\"]) for r in d[\"sections\"][0][\"tables\"][\"results\"][\"rows\"]))" >got &&
	cat >expect <<-\EOF &&
	[["test_body_", "product"], ["test_config", "config"], ["test_order_", "infrastructure"], ["test_price_", "assertions, failed only"]]
	EOF
	test_cmp expect got &&
	insight --config cats --format json session show --sut shop --outcome all --all latest >all.json &&
	json_get all.json "[r[\"category\"] for r in d[\"sections\"][0][\"tables\"][\"results\"][\"rows\"] if r[\"outcome\"] == \"passed\"]" >got &&
	echo "[null]" >expect && test_cmp expect got &&
	insight --config cats --format json test show --sut shop tests/test_orders.py::test_order_3 >t.json &&
	json_get t.json "[r[\"category\"] for r in d[\"tables\"][\"fingerprints\"][\"rows\"]]" >got &&
	echo "[\"infrastructure\"]" >expect && test_cmp expect got &&
	insight --format json test show --sut shop tests/test_orders.py::test_order_3 >t0.json &&
	json_get t0.json "[r[\"category\"] for r in d[\"tables\"][\"fingerprints\"][\"rows\"]]" >got &&
	echo "[\"product\"]" >expect && test_cmp expect got
'

test_expect_success 'categories: a rule that does not compile, an outcome that is no failure' '
	printf "[category \"x\"]\n\tmatch-message = (unclosed\n" >bad &&
	{ insight --config bad analytics failures 2>err; test $? = 2; } &&
	test_grep "category.x.match-message in .*bad: .(unclosed. is not a regular expression" err &&
	printf "[category \"x\"]\n\toutcomes = skipped\n" >bad &&
	{ insight --config bad analytics failures 2>err; test $? = 2; } &&
	test_grep "category.x.outcomes in .*bad: .skipped. is not an outcome of a failure (failed, error)" err
'

test_expect_success 'bad usage: an unknown cause, a cause that is not hex, a bad --by, two selections' '
	id=$(json_get f.json "d[\"tables\"][\"failures\"][\"rows\"][0][\"cause\"]") &&
	test_must_fail insight analytics failures --cause 0000000000000000 2>err &&
	test_grep "no cause .0000000000000000. in the history" err &&
	test_must_fail insight analytics failures --cause nothex 2>err &&
	test_grep "is not a cause" err &&
	{ insight analytics failures --by day 2>err; test $? = 2; } &&
	test_grep "by takes cause, fingerprint, test or category, not .day." err &&
	{ insight analytics failures --by test --cause $id 2>err; test $? = 2; } &&
	test_grep "give one of --by, --cause and --nodeid" err
'

test_expect_success 'a history from before causes: the upgrade gives every fingerprint its cause' '
	cp h.db old.db &&
	"$INSIGHT_PYTHON" - old.db "$SCHEMA_9_SQL" <<-\EOF_PY &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	db.executescript(sys.argv[2] + "DROP INDEX fingerprint_by_cause; ALTER TABLE fingerprint DROP COLUMN cause_id;"
	                 "DROP TABLE cause; PRAGMA user_version = 4;")
	db.close()
	EOF_PY
	INSIGHT_DB=$TRASH/old.db insight --format json analytics failures --sut shop >old.json 2>err &&
	test_grep "from schema 4 to 10" err &&
	json_get f.json "sorted((r[\"cause\"], r[\"count\"]) for r in d[\"tables\"][\"failures\"][\"rows\"])" >expect &&
	json_get old.json "sorted((r[\"cause\"], r[\"count\"]) for r in d[\"tables\"][\"failures\"][\"rows\"])" >got &&
	test_cmp expect got &&
	INSIGHT_DB=$TRASH/old.db insight db check >check.txt &&
	test_grep "Problems found: 0" check.txt
'

test_done
