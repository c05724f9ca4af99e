# bash completion for vmtui.
#
# Everything comes from the program itself, so it never drifts from it:
# the command names from `vmtui help`, a command's options from `vmtui
# help COMMAND`, what each argument is from that command's synopsis (VM
# names from `vmtui list` where it says NAME, file names otherwise).  The
# help is read in the C locale: the words are the same in every language,
# the headings are not.

# _vmtui_run ARGS...: runs the vmtui being completed, with the same -c and
# --config as the command line, in the C locale, errors dropped.
_vmtui_run()
{
	LC_ALL=C "${_vmtui_prog:-vmtui}" "${_vmtui_globals[@]}" "$@" 2>/dev/null
}

# _vmtui_takes_value COMMAND OPTION: whether OPTION of COMMAND takes a
# value (its help line shows it as "--option VALUE").
_vmtui_takes_value()
{
	_vmtui_run help $1 | grep -Eq -- "^  $2 [A-Z]"
}

# The command names `vmtui help` lists, one or two words each.
_vmtui_commands()
{
	_vmtui_run help | sed -n 's/^  \([a-z0-9-]*\( [a-z0-9-][a-z0-9-]*\)\{0,1\}\)  .*/\1/p'
}

_vmtui()
{
	local cur prev cword i=1 word cmd= first
	local -a words _vmtui_globals=()
	# with bash-completion loaded, a URI's ":" does not split words
	if declare -F _get_comp_words_by_ref >/dev/null; then
		_get_comp_words_by_ref -n : -w words -i cword cur prev
	else
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword-1]}
	fi
	local _vmtui_prog=${words[0]}
	COMPREPLY=()

	# global options (and their values) before the command
	while [ "$i" -lt "$cword" ]; do
		word=${words[i]}
		case $word in
		-c | --connect | --config)
			_vmtui_globals+=("$word" "${words[i+1]}")
			i=$((i + 2)) ;;
		--timeout) i=$((i + 2)) ;;
		-*) i=$((i + 1)) ;;
		*) break ;;
		esac
	done
	case $prev in
	--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-c | --connect | --timeout) return ;;
	esac
	if [ "$i" -ge "$cword" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--connect --config --timeout --version --help' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_vmtui_commands | cut -d' ' -f1 | sort -u)" -- "$cur"))
		fi
		return
	fi

	# the command: one word, or two for the groups ("image import")
	first=${words[i]}
	if _vmtui_commands | grep -q "^$first "; then
		if [ $((i + 1)) -eq "$cword" ]; then
			COMPREPLY=($(compgen -W "$(_vmtui_commands | sed -n "s/^$first //p")" -- "$cur"))
			return
		fi
		cmd="$first ${words[i+1]}"
		i=$((i + 2))
	else
		cmd=$first
		i=$((i + 1))
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_vmtui_run help $cmd | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p')" -- "$cur"))
		return
	fi
	# an option's value: a file where the option takes one
	case $prev in
	--*) _vmtui_takes_value "$cmd" "$prev" && {
		COMPREPLY=($(compgen -f -- "$cur")); return; } ;;
	esac

	# which positional argument this is, and what the synopsis calls it
	local n=0 what
	while [ "$i" -lt "$cword" ]; do
		case ${words[i]} in
		--*) _vmtui_takes_value "$cmd" "${words[i]}" && i=$((i + 1)) ;;
		*) n=$((n + 1)) ;;
		esac
		i=$((i + 1))
	done
	what=$(_vmtui_run help $cmd | sed -n "s/^Usage: vmtui $cmd//p" |
		sed -e 's/\[--[^]]*\]//g' -e 's/[][]//g' | tr ' ' '\n' |
		grep '^[A-Z]' | grep -vx OPTIONS | sed -n "$((n + 1))p")
	case $what in
	NAME) COMPREPLY=($(compgen -W "$(_vmtui_run list | sed '1d; s/ .*//')" -- "$cur")) ;;
	COMMAND) COMPREPLY=($(compgen -W "$(_vmtui_commands | cut -d' ' -f1 | sort -u)" -- "$cur")) ;;
	'') ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _vmtui vmtui
