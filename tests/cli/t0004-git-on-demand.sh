#!/bin/bash
# t0004-git-on-demand - insight loads libgit2 only for the commands that ask
# about git: not at start-up (the binary is not linked against it), but on
# the first git call. Without a loadable libgit2, sessions are still stored
# (without git facts), init falls back to the current directory, and the
# commands that need git fail with one line.

. "$(dirname "$0")/lib.sh"

cat >report.xml <<'XML'
<testsuite name="s" tests="2"><testcase classname="a" name="one"/><testcase classname="a" name="two"><failure message="no"/></testcase></testsuite>
XML

mkrepo() {
	git init -q -b trunk "$1" && (
		cd "$1" && echo one >file && git add file && git commit -q -m "first" &&
		echo two >file && git commit -q -am "second"
	)
}

test_expect_success 'the binary does not link libgit2' '
	ldd "$INSIGHT_BIN" >libs &&
	test_grep "libc\.so" libs &&
	test_grep -v "libgit2" libs
'

test_expect_success 'insight --version does not load libgit2' '
	LD_DEBUG=files insight --version >out 2>trace &&
	test_grep "^insight " out &&
	test_grep "file=libc\.so" trace &&
	test_grep -v "libgit2" trace
'

test_expect_success 'session list does not load libgit2 (INSIGHT_DB, and discovered)' '
	mkrepo repo &&
	(cd repo && insight init >/dev/null) &&
	LD_DEBUG=files INSIGHT_DB=repo/.insight/history.db insight session list --limit 1 \
		>out 2>trace &&
	test_grep "file=libsqlite3" trace &&
	test_grep -v "libgit2" trace &&
	(cd repo && LD_DEBUG=files insight session list --limit 1) >out 2>trace &&
	test_grep "file=libsqlite3" trace &&
	test_grep -v "libgit2" trace
'

test_expect_success 'session import loads libgit2 and records the git facts' '
	(cd repo && LD_DEBUG=files insight session import --sut s ../report.xml) >out 2>trace &&
	test_grep "file=libgit2\.so.*dynamically loaded by" trace &&
	sed -n "s/.*file=\(libgit2\.so[.0-9]*\) .*/\1/p" trace | sed 1q >soname &&
	test -s soname &&
	sqlite3 -separator " " repo/.insight/history.db \
		"SELECT git_commit, git_branch, git_subject FROM session" >actual &&
	echo "$(git -C repo rev-parse HEAD) trunk second" >expect &&
	test_cmp expect actual
'

test_expect_success 'a second session at HEAD~1, for compare' '
	(cd repo && git checkout -q HEAD~1 && insight session import --force --sut s ../report.xml &&
	 git checkout -q trunk) >/dev/null &&
	(cd repo && insight --format json analytics compare --base HEAD~1 --target HEAD) >cmp.json &&
	test "$(json_get cmp.json "d[\"facts\"][\"base_mode\"]")" = commit &&
	test "$(json_get cmp.json "d[\"facts\"][\"target_commit\"]")" = "$(git -C repo rev-parse HEAD)"
'

# The facts are read on a thread beside the import and recorded as each session ends.
test_expect_success 'every session of a --split import gets the git facts, dirty included' '
	mkdir split && sed "s/name=\"s\"/name=\"r\"/" report.xml >split/a.xml &&
	sed "s/name=\"s\"/name=\"t\"/" report.xml >split/b.xml &&
	sed "s/name=\"s\"/name=\"u\"/" report.xml >split/c.xml &&
	echo three >repo/file &&
	(cd repo && insight session import --split --sut split ../split) >out 2>err &&
	git -C repo checkout -q file &&
	sqlite3 -separator " " repo/.insight/history.db "SELECT git_commit, git_branch,
		git_dirty, git_subject, git_parents IS NOT NULL, git_commit_ms > 0
		FROM session JOIN sut ON sut.id = session.sut_id WHERE sut.name = '"'split'"'" >actual &&
	head="$(git -C repo rev-parse HEAD)" &&
	for i in 1 2 3; do echo "$head trunk 1 second 1 1"; done >expect &&
	test_cmp expect actual
'

test_expect_success 'a report that does not parse leaves no session, and the facts thread ends' '
	echo "<testsuite><testcase" >bad.xml &&
	(cd repo && test_must_fail --exit 3 insight session import --sut bad ../bad.xml) >out 2>err &&
	test_grep "skipped ../bad.xml:1: not well-formed" err &&
	test_grep "1 of 1 report skipped" err &&
	sqlite3 repo/.insight/history.db "SELECT count(*) FROM session JOIN sut
		ON sut.id = session.sut_id WHERE sut.name = '"'bad'"'" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success '--no-git records no git facts and does not load libgit2' '
	(cd repo && LD_DEBUG=files insight session import --no-git --force --sut plain \
		../report.xml) >out 2>trace &&
	test_grep -v "libgit2" trace &&
	sqlite3 -separator " " repo/.insight/history.db "SELECT count(*), count(git_commit)
		FROM session JOIN sut ON sut.id = session.sut_id WHERE sut.name = '"'plain'"'" >actual &&
	echo "1 0" >expect &&
	test_cmp expect actual
'

# A libgit2 that cannot be loaded: an empty file by the same soname, found first.
test_expect_success 'without libgit2, session import stores the session without git facts' '
	mkdir broken && : >"broken/$(cat soname)" &&
	(cd repo && LD_LIBRARY_PATH="$TRASH/broken" \
		insight -v session import --force --sut nogit ../report.xml) >out 2>err &&
	test_grep "no git facts: .*cannot load $(cat soname)" err &&
	sqlite3 -separator " " repo/.insight/history.db "SELECT count(*), count(git_commit)
		FROM session JOIN sut ON sut.id = session.sut_id WHERE sut.name = '"'nogit'"'" >actual &&
	echo "1 0" >expect &&
	test_cmp expect actual
'

test_expect_success 'without libgit2, compare by revision fails with one line' '
	(cd repo && LD_LIBRARY_PATH="$TRASH/broken" test_must_fail \
		insight analytics compare --base HEAD~1 --target HEAD) >out 2>err &&
	test_line_count = 1 err &&
	test_grep "^insight: .*cannot load $(cat soname)" err
'

test_expect_success 'without libgit2, test since orders by time and says why' '
	(cd repo && insight --format json test since --sut s a::two) >with.json &&
	test "$(json_get with.json "d[\"facts\"][\"order\"]")" = commits &&
	(cd repo && LD_LIBRARY_PATH="$TRASH/broken" \
		insight --format json test since --sut s a::two) >without.json &&
	test "$(json_get without.json "d[\"facts\"][\"order\"]")" = time &&
	json_get without.json "[n[\"text\"] for n in d[\"notes\"]]" >notes &&
	test_grep "no commit order: .*cannot load $(cat soname)" notes
'

test_expect_success 'without libgit2, init in a work tree uses the current directory and says so' '
	mkdir repo/sub &&
	(cd repo/sub && LD_LIBRARY_PATH="$TRASH/broken" insight init) >out 2>err &&
	test_grep "history in $TRASH/repo/sub/\.insight/history\.db" out &&
	test_grep "^insight: warning: .*cannot load $(cat soname)" err &&
	test -f repo/sub/.insight/history.db
'

test_done
