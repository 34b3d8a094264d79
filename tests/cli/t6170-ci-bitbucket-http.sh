#!/bin/bash
# t6170-ci-bitbucket-http - insight ci report in a Bitbucket Pipelines pull
# request pipeline, against the contract server: the pull request's comment
# found again by its marker through pages (the page's "next") and updated in
# place, the build status keyed per SUT, the Code Insights report with its
# annotations in batches of 100, retries on 429 and 502, a POST that landed
# before the connection dropped, what a token without a scope is told, and
# the token kept out of every output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server-lib.sh"

export INSIGHT_DB="$TRASH/h.db"
TOKEN=ATCTT3xFfGN0c0ntractT0kenThatMustNeverLeak
SHA=fedcba9876543210fedcba9876543210fedcba98
BB=/2.0/repositories/acme/shop

# A clean Bitbucket Pipelines pull request pipeline of acme/shop, PR #7.
bb() {
	env -i PATH="$PATH" HOME="$HOME" LC_ALL=C TZ=UTC INSIGHT_DB="$INSIGHT_DB" \
		INSIGHT_NET_TIME_SCALE=0.001 no_proxy=127.0.0.1 CI=true \
		BITBUCKET_BUILD_NUMBER=519 BITBUCKET_COMMIT=$SHA BITBUCKET_BRANCH=feature/BB-7 \
		BITBUCKET_PR_ID=7 BITBUCKET_PR_DESTINATION_BRANCH=main \
		BITBUCKET_REPO_FULL_NAME=acme/shop BITBUCKET_WORKSPACE=acme BITBUCKET_REPO_SLUG=shop \
		BITBUCKET_CLONE_DIR=/opt/atlassian/pipelines/agent/build \
		"BITBUCKET_PIPELINE_UUID={1d2c3b4a-0000-4000-8000-aaaaaaaaaaaa}" \
		"BITBUCKET_STEP_UUID={9f8e7d6c-0000-4000-8000-bbbbbbbbbbbb}" \
		INSIGHT_CI_BITBUCKET_API_URL="$SERVER_URL/2.0" "$@"
}

# How many comments of pull request 7 hold insight's marker for SUT shop.
insight_comments() {
	"$INSIGHT_PYTHON" - "$SERVER_URL$BB/pullrequests/7/comments?pagelen=100" "$TOKEN" <<-\EOF
	import json, sys, urllib.request
	opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
	url, n = sys.argv[1], 0
	while url:
	    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + sys.argv[2]})
	    page = json.load(opener.open(req, timeout=10))
	    n += sum("<!-- insight:report sut=shop -->" in c["content"]["raw"] for c in page["values"])
	    url = page.get("next")
	print(n)
	EOF
}

test_expect_success 'setup: a base session, a target with two new failures, one with 150 failures' '
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_1\"/>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_2\"/>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_3\"/></testsuite>" >base.xml &&
	printf "%s\n" "<testsuite name=\"s\">" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_1\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_2\"><failure message=\"no\"/></testcase>" \
		"<testcase classname=\"tests/test_a.py\" name=\"test_3\"/></testsuite>" >target.xml &&
	{
		echo "<testsuite name=\"s\">" &&
		for i in $(seq 1 150); do
			echo "<testcase classname=\"tests/test_b.py\" name=\"test_$i\"><failure message=\"boom $i\"/></testcase>"
		done &&
		echo "</testsuite>"
	} >big.xml &&
	insight -q session import --sut shop base.xml &&
	insight -q session import --sut shop target.xml &&
	insight -q session import --sut "api gateway" big.xml
'

start_contract_server bitbucket --option token=$TOKEN --option comments=130 --option pr=7 || exit 1

test_expect_success 'ci env: Bitbucket Pipelines, and the API URL from ci.bitbucket.api-url' '
	bb "$INSIGHT_BIN" --format json ci env >env.json &&
	"$INSIGHT_PYTHON" - env.json "$SERVER_URL/2.0" <<-\EOF
	import json, sys
	facts = json.load(open(sys.argv[1]))["facts"]
	assert facts["provider"] == "bitbucket", facts
	assert facts["api_url"] == sys.argv[2], facts
	assert facts["pull_request"] == "7" and facts["base_branch"] == "main", facts
	EOF
'

test_expect_success 'first report: pages of comments, a new comment, the status, the report' '
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created), status, code insights (2 annotations, 2 requests)" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $BB/pullrequests/7/comments?pagelen=100
	GET $BB/pullrequests/7/comments?page=2&pagelen=100
	POST $BB/pullrequests/7/comments
	POST $BB/commit/$SHA/statuses/build
	PUT $BB/commit/$SHA/reports/insight-shop
	POST $BB/commit/$SHA/reports/insight-shop/annotations
	EOF
	test_cmp expect actual &&
	test "$(insight_comments)" = 1 &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" "$SHA" "$TOKEN" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	reqs = [r for r in reqs if r["headers"].get("User-Agent", "").startswith("insight/")]
	assert len(reqs) == 6, len(reqs)
	assert all(r["headers"]["Authorization"] == "Bearer " + sys.argv[3] for r in reqs)
	c = json.loads(reqs[2]["body"])
	assert list(c) == ["content"] and list(c["content"]) == ["raw"], c
	assert c["content"]["raw"].startswith("<!-- insight:report sut=shop -->"), c
	st = json.loads(reqs[3]["body"])
	assert st["key"] == "insight-shop" and st["state"] == "FAILED", st
	assert st["name"] == "insight (shop)" and st["refname"] == "feature/BB-7", st
	assert st["description"].startswith("2 new failures, 0 fixed"), st
	assert st["url"] == "https://bitbucket.org/acme/shop/addon/pipelines/home#!/results/519", st
	rep = json.loads(reqs[4]["body"])
	assert rep["report_type"] == "TEST" and rep["result"] == "FAILED", rep
	assert rep["title"] == "insight (shop)" and rep["reporter"] == "insight", rep
	data = {d["title"]: (d["type"], d["value"]) for d in rep["data"]}
	assert data["New failures"] == ("NUMBER", 2) and data["Tests"] == ("NUMBER", 3), data
	assert data["Pass rate"] == ("PERCENTAGE", 33.3), data
	ann = json.loads(reqs[5]["body"])
	assert len(ann) == 2, ann
	assert {a["path"] for a in ann} == {"tests/test_a.py"}, ann
	assert all(a["annotation_type"] == "BUG" and a["result"] == "FAILED" for a in ann), ann
	assert ann[0]["summary"].startswith("tests/test_a.py::test_"), ann
	assert ann[0]["details"] == "no", ann
	assert len({a["external_id"] for a in ann}) == 2, ann
	EOF
'

test_expect_success 'second report: the comment is found on page 2 and updated, never duplicated' '
	: >"$SERVER_LOG" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: comment (updated), status, code insights" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $BB/pullrequests/7/comments?pagelen=100
	GET $BB/pullrequests/7/comments?page=2&pagelen=100
	PUT $BB/pullrequests/7/comments/700131
	POST $BB/commit/$SHA/statuses/build
	PUT $BB/commit/$SHA/reports/insight-shop
	POST $BB/commit/$SHA/reports/insight-shop/annotations
	EOF
	test_cmp expect actual &&
	test "$(insight_comments)" = 1
'

test_expect_success '429 with Retry-After and 502 twice: waited for, retried, delivered' '
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"GET $BB/pullrequests/7/comments\", \"kind\": \"status\", \"status\": 429, \"headers\": {\"Retry-After\": \"3\"}},
		{\"match\": \"PUT $BB/commit/.*/reports/\", \"kind\": \"status\", \"status\": 502, \"times\": 2}]" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (updated), status, code insights" err &&
	test "$(grep -c "retry 1 of 5 in 3.000 s" err)" = 1 &&
	test "$(grep -c "retry [12] of 5 in .* after HTTP 502" err)" = 2 &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $BB/pullrequests/7/comments?pagelen=100
	GET $BB/pullrequests/7/comments?pagelen=100
	GET $BB/pullrequests/7/comments?page=2&pagelen=100
	PUT $BB/pullrequests/7/comments/700131
	POST $BB/commit/$SHA/statuses/build
	PUT $BB/commit/$SHA/reports/insight-shop
	PUT $BB/commit/$SHA/reports/insight-shop
	PUT $BB/commit/$SHA/reports/insight-shop
	POST $BB/commit/$SHA/reports/insight-shop/annotations
	EOF
	test_cmp expect actual &&
	test "$(insight_comments)" = 1
'

test_expect_success '150 failures: annotations in batches of 100, a key for a SUT with a space' '
	: >"$SERVER_LOG" &&
	server_faults_clear &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut "api gateway" \
		--only checks >out 2>err || { cat err; return 1; }
	test_grep "delivered: code insights (150 annotations, 3 requests)" err &&
	server_requests >actual &&
	key=$(sed -n "s|^PUT $BB/commit/$SHA/reports/||p" actual) &&
	echo "$key" | grep -qx "insight-[0-9a-f]\{16\}" &&
	cat >expect <<-EOF &&
	PUT $BB/commit/$SHA/reports/$key
	POST $BB/commit/$SHA/reports/$key/annotations
	POST $BB/commit/$SHA/reports/$key/annotations
	EOF
	test_cmp expect actual &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	rep = json.loads(reqs[0]["body"])
	data = {d["title"]: d["value"] for d in rep["data"]}
	assert data["Failing"] == 150 and "New failures" not in data, data
	sizes = [len(json.loads(r["body"])) for r in reqs[1:]]
	assert sizes == [100, 50], sizes
	EOF
'

test_expect_success 'a large report: the comment stays under Bitbucket'"'"'s 32,768 characters' '
	{
		echo "<testsuite name=\"s\">" &&
		for i in $(seq 1 1500); do
			echo "<testcase classname=\"tests/test_c.py\" name=\"test_a_rather_long_test_name_$i\"><failure message=\"assert compute($i) == expected_value_for_case_$i\"/></testcase>"
		done &&
		echo "</testsuite>"
	} >huge.xml &&
	insight -q session import --sut huge huge.xml &&
	: >"$SERVER_LOG" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci comment --sut huge >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created)" err &&
	"$INSIGHT_PYTHON" - "$SERVER_LOG" <<-\EOF
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	raw = json.loads(reqs[-1]["body"])["content"]["raw"]
	assert 30000 < len(raw) < 32768, len(raw)
	assert raw.startswith("<!-- insight:report sut=huge -->"), raw[:60]
	assert "more" in raw, raw[-500:]
	EOF
'

test_expect_success 'a POST that landed before the connection dropped is found again, not repeated' '
	sed "s/name=\"s\"/name=\"web\"/" target.xml >web.xml &&
	insight -q session import --sut web web.xml &&
	: >"$SERVER_LOG" &&
	server_faults "[{\"match\": \"POST $BB/pullrequests/7/comments\", \"kind\": \"land-then-drop\"}]" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci comment --sut web >out 2>err ||
		{ cat err; return 1; }
	test_grep "delivered: comment (created)" err &&
	server_requests >actual &&
	cat >expect <<-EOF &&
	GET $BB/pullrequests/7/comments?pagelen=100
	GET $BB/pullrequests/7/comments?page=2&pagelen=100
	POST $BB/pullrequests/7/comments
	GET $BB/pullrequests/7/comments?pagelen=100
	GET $BB/pullrequests/7/comments?page=2&pagelen=100
	EOF
	test_cmp expect actual &&
	server_faults_clear
'

test_expect_success 'ci comment and ci status run one channel; --only picks them' '
	: >"$SERVER_LOG" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: comment (updated)$" err &&
	test "$(server_count "r[\"method\"] != \"GET\"")" = 1 &&
	: >"$SERVER_LOG" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci status --sut shop --base latest~1 >out 2>err &&
	test_grep "delivered: status, code insights" err &&
	test "$(server_count "\"/comments\" in r[\"path\"]")" = 0 &&
	: >"$SERVER_LOG" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --only status --sut shop \
		--base latest~1 >out 2>err &&
	test_grep "delivered: status$" err &&
	server_requests >actual &&
	echo "POST $BB/commit/$SHA/statuses/build" >expect &&
	test_cmp expect actual
'

test_expect_success 'no token: nothing is sent, and insight says what to set' '
	: >"$SERVER_LOG" &&
	bb "$INSIGHT_BIN" ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "skipped: comment (no token: set BITBUCKET_ACCESS_TOKEN" err &&
	{ bb "$INSIGHT_BIN" ci comment --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_grep "not delivered: comment (no token: set BITBUCKET_ACCESS_TOKEN" err &&
	test "$(server_count)" = 0
'

test_expect_success 'a refused token (401), an unknown repository (404): exit 5, one line' '
	: >"$SERVER_LOG" &&
	{ bb BITBUCKET_ACCESS_TOKEN=wrong-token-0000 "$INSIGHT_BIN" ci status --sut shop \
		--base latest~1 >out 2>err; test $? = 5; } &&
	test_line_count = 1 err &&
	test_grep "not delivered: status (Bitbucket answered 401: the token was refused (Token is invalid or not supported for this endpoint.))" err &&
	{ bb BITBUCKET_ACCESS_TOKEN=$TOKEN BITBUCKET_REPO_FULL_NAME=acme/gone "$INSIGHT_BIN" \
		ci comment --sut shop --base latest~1 >out 2>err; test $? = 5; } &&
	test_grep "not delivered: comment (Bitbucket answered 404: acme/gone or the token cannot see it (Repository acme/gone not found))" err
'

test_expect_success 'the token is in no output, no trace, no dry run, not in the history' '
	: >"$SERVER_LOG" &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" -vv ci report --sut shop --base latest~1 >out 2>err &&
	test_grep "Authorization: Bearer \*\*\*" err &&
	bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 \
		--dry-run >dry 2>err2 &&
	test_grep "^GET $SERVER_URL$BB/pullrequests/7/comments?pagelen=100" dry &&
	test_grep "^PUT $SERVER_URL$BB/commit/$SHA/reports/insight-shop" dry &&
	test_grep "Authorization: Bearer \*\*\*" dry &&
	test_grep "skipped: comment (dry run), status (dry run), code insights (dry run)" err2 &&
	test "$(server_count)" = 6 &&
	for fmt in term json md html csv; do
		bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" --format $fmt ci env >env.$fmt 2>&1 &&
		bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" --format $fmt session show latest \
			>show.$fmt 2>&1 || return 1
	done &&
	for f in out err dry err2 env.* show.* h.db; do
		! grep -q "$TOKEN" $f || { echo "the token is in $f"; return 1; }
	done
'

stop_contract_server "$SERVER_PID"
start_contract_server bitbucket --option token=$TOKEN --option scopes=pullrequest,repository || exit 1

test_expect_success 'a read-only token: each write names the scope it needs' '
	{ bb BITBUCKET_ACCESS_TOKEN=$TOKEN "$INSIGHT_BIN" ci report --sut shop --base latest~1 \
		>out 2>err; test $? = 5; } &&
	test_line_count = 1 err &&
	test_grep "not delivered: comment (Bitbucket answered 403: the token needs .pullrequest:write. (Your credentials lack one or more required privilege scopes.))" err &&
	test_grep "status (Bitbucket answered 403: the token needs .repository:write. " err &&
	test_grep "code insights (Bitbucket answered 403: the token needs .repository:write. " err
'

test_done
