#!/bin/bash
# Shell completion: the scripts insight prints are the ones in completions/,
# bash completes through COMP_LINE/COMP_WORDS and the completion function,
# zsh and fish scripts parse and answer, and values come from a real history.
. "$(dirname "$0")/lib.sh"

COMPLETIONS="$INSIGHT_SRCDIR/completions"
mkdir bin && ln -s "$INSIGHT_BIN" bin/insight
PATH="$PWD/bin:$PATH"
export PATH

# comp LINE: run the bash completion function as bash would for LINE (the
# cursor at its end) and print COMPREPLY, one candidate a line, sorted.
comp() {
	bash -c '
		. "$1"
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		read -r -a COMP_WORDS <<<"$COMP_LINE"
		case $COMP_LINE in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_insight insight "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		if test ${#COMPREPLY[@]} -gt 0; then printf "%s\n" "${COMPREPLY[@]}"; fi
	' comp "$COMPLETIONS/insight.bash" "$1" | sort
}

# A history with two SUTs, from real pytest runs of the example project.
make_history() {
	cp -r "$INSIGHT_SRCDIR/examples/shop" shop &&
	(cd shop && insight --db "$TRASH/h.db" session run --sut shop -- \
		"$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider >/dev/null 2>../run1.err) &&
	(cd shop && SHOP_STEP=2 SHOP_REGRESSION_AT=2 insight --db "$TRASH/h.db" session run \
		--sut shop -- "$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider >/dev/null 2>../run2.err;
		test $? = 1) &&
	(cd shop && insight --db "$TRASH/h.db" session run --sut cart-only -- \
		"$INSIGHT_PYTHON" -m pytest -q -p no:cacheprovider tests/test_cart.py \
		>/dev/null 2>../run3.err) &&
	cat run1.err run2.err run3.err | sed -n "s/^insight: session \([0-9A-Z]*\):.*/\1/p" \
		>session-ids && test_line_count = 3 session-ids
}

test_expect_success 'insight completion prints the scripts of completions/' '
	insight completion bash >bash.out && test_cmp "$COMPLETIONS/insight.bash" bash.out &&
	insight completion zsh >zsh.out && test_cmp "$COMPLETIONS/_insight" zsh.out &&
	insight completion fish >fish.out && test_cmp "$COMPLETIONS/insight.fish" fish.out
'

test_expect_success 'an unknown shell is a usage error naming it' '
	test_must_fail --exit 2 insight completion tcsh >out 2>err &&
	test_line_count = 0 out && test_line_count = 1 err &&
	test_grep "tcsh" err && test_grep "bash, zsh or fish" err &&
	test_must_fail --exit 2 insight completion 2>err && test_grep "needs a shell" err
'

test_expect_success 'the zsh and fish scripts parse' '
	zsh -n "$COMPLETIONS/_insight" &&
	fish -n "$COMPLETIONS/insight.fish" &&
	bash -n "$COMPLETIONS/insight.bash"
'

test_expect_success 'bash: commands, subcommands, and nothing hidden' '
	comp "insight se" >actual && echo session >expect && test_cmp expect actual &&
	comp "insight " >actual &&
	insight __complete --commands | cut -d" " -f1 | sort -u >expect &&
	test_cmp expect actual &&
	test_grep -v "__complete" actual &&
	comp "insight db " >actual &&
	insight __complete --commands | sed -n "s/^db //p" | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'bash: every option of every command, from its own table' '
	status=0
	while read -r group sub; do
		insight $group $sub --insight-complete-options | cut -f1 | grep "^--" >opts
		echo --help >>opts
		sort -u opts >expect
		comp "insight $group${sub:+ $sub} --" >actual
		diff -u expect actual || status=1
	done < <(insight __complete --commands)
	return $status
'

test_expect_success 'bash: option values: fixed words, formats, --opt=value' '
	comp "insight --format " >actual &&
	printf "%s\n" csv html json md term tsv >expect && test_cmp expect actual &&
	comp "insight --format=j" >actual && echo json >expect && test_cmp expect actual &&
	comp "insight db stats --color a" >actual &&
	printf "%s\n" always auto >expect && test_cmp expect actual &&
	comp "insight completion " >actual &&
	printf "%s\n" bash fish zsh >expect && test_cmp expect actual &&
	comp "insight help db ch" >actual && echo check >expect && test_cmp expect actual
'

test_expect_success 'bash: files where a file is wanted, commands for session run' '
	mkdir somedir && : >somefile &&
	comp "insight db backup --db some" >actual &&
	printf "%s\n" somedir somefile >expect && test_cmp expect actual &&
	comp "insight init some" >actual && echo somedir >expect && test_cmp expect actual &&
	comp "insight session run pyth" >actual && grep "^python3$" actual &&
	comp "insight session run python3 some" >actual &&
	printf "%s\n" somedir somefile >expect && test_cmp expect actual
'

test_expect_success 'bash: external insight-* commands are offered' '
	printf "#!/bin/sh\n" >bin/insight-hello && chmod +x bin/insight-hello &&
	comp "insight hel" >actual && printf "%s\n" hello help >expect && test_cmp expect actual
'

test_expect_success 'no history: no candidates, no message, nothing created' '
	comp "insight session delete " >actual 2>err &&
	test_line_count = 0 actual && test_line_count = 0 err &&
	insight __complete session delete "" >out 2>err &&
	echo ":words" >expect && test_cmp expect out && test_line_count = 0 err &&
	test ! -e "$(insight db path)"
'

test_expect_success 'a real history: SUT names and session ids, honouring --db and --sut' '
	make_history &&
	comp "insight --db $TRASH/h.db session import --sut " >actual &&
	printf "%s\n" cart-only shop >expect && test_cmp expect actual &&
	comp "insight --db $TRASH/h.db session delete " >actual &&
	{ echo latest; sort session-ids; } | sort >expect && test_cmp expect actual &&
	comp "insight session delete --db $TRASH/h.db --sut shop " >actual &&
	{ echo latest; head -n 2 session-ids; } | sort >expect && test_cmp expect actual &&
	INSIGHT_DB="$TRASH/h.db" comp "insight session delete --sut cart-only " >actual &&
	{ echo latest; tail -n 1 session-ids; } | sort >expect && test_cmp expect actual
'

test_expect_success 'a real history: session id prefixes, any case' '
	id=$(head -n 1 session-ids) &&
	prefix=$(printf %s "$id" | cut -c1-11) &&
	lower=$(printf %s "$prefix" | tr A-Z a-z) &&
	INSIGHT_DB="$TRASH/h.db" comp "insight session delete $prefix" >actual &&
	grep -x "$id" actual &&
	INSIGHT_DB="$TRASH/h.db" insight __complete session delete "$lower" >out &&
	lowid=$(printf %s "$id" | tr A-Z a-z) &&
	grep "^$lowid	shop " out
'

test_expect_success 'a real history: test node ids, across the colons bash breaks at' '
	INSIGHT_DB="$TRASH/h.db" comp "insight test show tests/test_cart.py::test_total" >actual &&
	test_line_count -gt 1 actual &&
	test_grep "^test_total" actual && test_grep -v "tests/" actual &&
	INSIGHT_DB="$TRASH/h.db" insight __complete test show tests/test_pricing.py:: >out &&
	test_grep "^tests/test_pricing.py::test_bulk_discount_at_threshold$" out
'

test_expect_success 'a real history: the analyses complete their refs, tests and choices' '
	export INSIGHT_DB="$TRASH/h.db" &&
	comp "insight sut compare " >actual &&
	printf "%s\n" cart-only shop >expect && test_cmp expect actual &&
	comp "insight sut compare shop c" >actual && echo cart-only >expect && test_cmp expect actual &&
	comp "insight session compare latest " >actual &&
	{ echo latest; cat session-ids; } | sort >expect && test_cmp expect actual &&
	comp "insight test since tests/test_pricing.py::test_bulk_discount_at" >actual &&
	echo test_bulk_discount_at_threshold >expect && test_cmp expect actual &&
	comp "insight analytics failures --nodeid tests/test_inventory.py::test_sync" >actual &&
	echo test_sync_with_warehouse >expect && test_cmp expect actual &&
	comp "insight analytics compare --mode " >actual &&
	printf "%s\n" commit period session sut >expect && test_cmp expect actual &&
	comp "insight analytics analyze --metric f" >actual &&
	printf "%s\n" failure-rate flakiness >expect && test_cmp expect actual
'

test_expect_success 'zsh: the completion function answers' '
	zsh -f -c '"'"'
		compdef() { :; }
		_describe() { print -rl -- "${(@P)4}"; }
		_files() { print -r -- "_files $*"; }
		_command_names() { print -r -- "_command_names $*"; }
		source "$1"
		words=(insight db backup --f) CURRENT=4 PREFIX=--f
		_insight
		words=(insight session run "") CURRENT=4 PREFIX=
		_insight
		words=(insight help db ch) CURRENT=4 PREFIX=ch
		_insight
	'"'"' zc "$COMPLETIONS/_insight" >actual &&
	cat >expect <<-\EOF &&
	--force:overwrite an existing file
	--format:output format: term, md, html, json, csv, tsv
	_command_names -e
	check:check the history for damage and inconsistency
	EOF
	test_cmp expect actual
'

test_expect_success 'fish: the completion function answers' '
	fish -c "source $COMPLETIONS/insight.fish; complete -C\"insight db backup --f\";
		complete -C\"insight --format=j\"; complete -C\"insight completion z\"" >actual &&
	printf "%s\t%s\n" --force "overwrite an existing file" \
		--format "output format: term, md, html, json, csv, tsv" >expect &&
	printf "%s\n" --format=json zsh >>expect &&
	test_cmp expect actual
'

test_expect_success '--base and --target offer latest~N, periods, SUTs and branches' '
	mkdir refs && cd refs &&
	git init -q . && git commit -q --allow-empty -m one && git branch release-1 &&
	export INSIGHT_DB="$PWD/h.db" &&
	printf "%s\n" "<testsuite name=\"s\"><testcase classname=\"m\" name=\"a\"/></testsuite>" >r.xml &&
	insight session import -q --sut shop r.xml >/dev/null &&
	insight __complete analytics compare --base "" >out 2>err &&
	cut -f1 out >values &&
	for v in latest latest~1 7d 30d shop release-1; do
		grep -qx -- "$v" values || { echo "$v is not offered"; cat out; return 1; }
	done &&
	insight __complete analytics compare --target "rel" >out &&
	test "$(sed -n 2p out | cut -f1)" = release-1 &&
	test ! -s err
'

test_done
