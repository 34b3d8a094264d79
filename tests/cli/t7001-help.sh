#!/bin/bash
# Manual pages and help: every registered command's -h synopsis is its man
# page's SYNOPSIS, every option has a man entry, every page renders without
# warnings, and --help / 'insight help' show the page on a terminal only.
. "$(dirname "$0")/lib.sh"

MAN="$INSIGHT_SRCDIR/man"

# The SYNOPSIS lines of a page, one per synopsis, spaces squeezed.
synopsis() {
	MANWIDTH=2000 man -l "$1" 2>/dev/null |
		sed -n '/^SYNOPSIS/,/^[A-Z]/{/^ /p}' | sed -e 's/^ *//' -e 's/  */ /g'
}

# The usage lines a command's -h prints.
usage_lines() {
	insight "$@" -h | sed -n -e 's/^usage: //p' -e 's/^   or: //p'
}

# The options of a command's own table (the global ones left out).
own_options() {
	insight "$@" --insight-complete-options | grep '^-' | cut -f1 | sort -u >opts.all
	insight --insight-complete-options | grep '^-' | cut -f1 | sort -u >opts.global
	comm -23 opts.all opts.global
}

# has_option TEXT-FILE OPTION: the option appears as a word in the text.
has_option() {
	grep -E -e "(^|[^-[:alnum:]])$2([^-[:alnum:]]|\$)" "$1" >/dev/null
}

test_expect_success 'man(1) is there to check the pages' '
	command -v man >/dev/null
'

test_expect_success 'the command table can be listed, and has commands' '
	insight __complete --commands >commands &&
	test_line_count -gt 5 commands &&
	test_grep "^session run$" commands && test_grep "^help$" commands
'

test_expect_success 'every page renders without warnings' '
	for page in "$MAN"/*.[1-8]; do
		MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>err || return 1
		if test -s err; then echo "$page:"; cat err; return 1; fi
	done
'

test_expect_success 'every registered command has a man page' '
	while read -r group sub; do
		test -f "$MAN/insight-$group.1" || { echo "no man/insight-$group.1 for $group"; return 1; }
	done <commands
'

test_expect_success 'every command'"'"'s -h synopsis is its man page'"'"'s SYNOPSIS' '
	status=0
	while read -r group sub; do
		usage_lines $group $sub | sort >expect
		test -s expect || { echo "no usage line from insight $group $sub -h"; status=1; }
		synopsis "$MAN/insight-$group.1" |
			grep -E "^insight $group${sub:+ $sub}( |\$)" | sort >actual
		diff -u expect actual || status=1
	done <commands
	return $status
'

test_expect_success 'the top-level usage is insight(1)'"'"'s SYNOPSIS' '
	insight -h | sed -n -e "s/^usage: //p" -e "s/^   or: //p" | sort >expect &&
	synopsis "$MAN/insight.1" | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'every option of every command has a man entry' '
	status=0
	while read -r group sub; do
		MANWIDTH=2000 man -l "$MAN/insight-$group.1" 2>/dev/null >page.txt
		for opt in $(own_options $group $sub); do
			has_option page.txt "$opt" ||
				{ echo "insight $group $sub: $opt is not in insight-$group.1"; status=1; }
		done
	done <commands
	return $status
'

test_expect_success 'every global option has a man entry in insight(1)' '
	MANWIDTH=2000 man -l "$MAN/insight.1" >page.txt 2>/dev/null &&
	for opt in $(insight --insight-complete-options | grep "^-" | cut -f1); do
		has_option page.txt "$opt" || { echo "$opt is not in insight.1"; return 1; }
	done
'

test_expect_success 'the exit codes of cmd.h are in insight(1)' '
	MANWIDTH=2000 man -l "$MAN/insight.1" 2>/dev/null |
		sed -n "/^EXIT STATUS/,/^[A-Z]/p" >exit.txt &&
	for code in $(sed -n "s/^[[:space:]]*EXIT_[A-Z_]* = \([0-9]*\),\{0,1\}.*/\1/p" \
			"$INSIGHT_SRCDIR/cmd/cmd.h"); do
		grep -E "^ +$code( |\$)" exit.txt >/dev/null || { echo "exit code $code"; return 1; }
	done
'

test_expect_success '--help and help print the built-in help when not on a terminal' '
	insight db backup -h >short &&
	insight db backup --help >long &&
	test_cmp short long &&
	insight help db backup >help && test_cmp short help &&
	insight init --help >long && insight init -h >short && test_cmp short long &&
	insight session --help >g1 && insight session >g2 && test_cmp g1 g2
'

test_expect_success 'on a terminal, --help and help show the man page' '
	MANPAGER=cat PAGER=cat script -qec "$INSIGHT_BIN db backup --help" /dev/null |
		col -b >tty1 &&
	test_grep "INSIGHT-DB(1)" tty1 && test_grep "SYNOPSIS" tty1 &&
	MANPAGER=cat PAGER=cat script -qec "$INSIGHT_BIN help session" /dev/null |
		col -b >tty2 &&
	test_grep "INSIGHT-SESSION(1)" tty2 &&
	MANPAGER=cat PAGER=cat script -qec "$INSIGHT_BIN db backup -h" /dev/null |
		col -b >tty3 &&
	test_grep "^usage: insight db backup" tty3 && test_grep -v "SYNOPSIS" tty3
'

test_expect_success 'without man, --help on a terminal falls back to the built-in help' '
	mkdir nobin && ln -s "$INSIGHT_BIN" nobin/insight &&
	script -qec "PATH=$PWD/nobin $INSIGHT_BIN db backup --help" /dev/null | col -b >tty &&
	test_grep "^usage: insight db backup" tty
'

test_expect_success 'cmake --install puts every page and completion script in place' '
	test -n "${INSIGHT_BUILDDIR-}" &&
	cmake --install "$INSIGHT_BUILDDIR" --prefix "$TRASH/inst" >/dev/null &&
	for page in "$MAN"/*.[1-8]; do
		name=$(basename "$page") &&
		test_cmp "$page" "$TRASH/inst/share/man/man${name##*.}/$name" || return 1
	done &&
	test_cmp "$INSIGHT_SRCDIR/completions/insight.bash" \
		"$TRASH/inst/share/bash-completion/completions/insight" &&
	test_cmp "$INSIGHT_SRCDIR/completions/_insight" \
		"$TRASH/inst/share/zsh/vendor-completions/_insight" &&
	test_cmp "$INSIGHT_SRCDIR/completions/insight.fish" \
		"$TRASH/inst/share/fish/vendor_completions.d/insight.fish"
'

test_done
