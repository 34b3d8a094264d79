# bash completion for insight(1)                         -*- shell-script -*-
#
# Install: copy to /usr/share/bash-completion/completions/insight (cmake
# --install does), or add  eval "$(insight completion bash)"  to ~/.bashrc.
#
# The candidates come from `insight __complete <words>...`, which reads the
# same command and option tables as insight itself; its first line says
# what to complete (:words, :file, :dir or :command).

_insight()
{
	local line cur prog directive pre wb='' i
	local -a words out
	COMPREPLY=()

	# Split the line ourselves: bash's COMP_WORDS breaks at ':' and '=',
	# which would cut test node ids (tests/x.py::test_a) and --opt=value.
	if [[ -n ${COMP_LINE-} ]]; then
		line=${COMP_LINE:0:COMP_POINT}
		read -r -a words <<<"$line"
		if [[ -z $line || $line == *[[:space:]] ]]; then
			words+=("")
		fi
	else
		words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
	fi
	cur=${words[${#words[@]}-1]}

	prog=${words[0]}
	if ! command -v -- "$prog" >/dev/null 2>&1; then
		prog=insight
	fi
	local IFS=$'\n'
	out=($(command "$prog" __complete "${words[@]:1}" 2>/dev/null))
	directive=${out[0]-}
	case $directive in
	:file)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		;;
	:dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		;;
	:command)
		COMPREPLY=($(compgen -c -- "$cur"))
		;;
	*)
		for ((i = 1; i < ${#out[@]}; i++)); do
			COMPREPLY+=("${out[i]%%$'\t'*}")
		done
		;;
	esac

	# bash replaces only the text after the last word break in the word:
	# hand back each candidate without what comes before it.
	[[ $COMP_WORDBREAKS == *:* ]] && wb+=':'
	[[ $COMP_WORDBREAKS == *=* ]] && wb+='='
	if [[ -n $wb && $cur == *[$wb]* ]]; then
		pre=${cur%"${cur##*[$wb]}"}
		for ((i = 0; i < ${#COMPREPLY[@]}; i++)); do
			COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
		done
	fi
	return 0
}

complete -F _insight insight
