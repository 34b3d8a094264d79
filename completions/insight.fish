# fish completion for insight(1).
#
# Install: copy to ~/.config/fish/completions/insight.fish (cmake --install
# puts it in /usr/share/fish/vendor_completions.d), or run
#   insight completion fish | source
#
# The candidates come from `insight __complete <words>...`, which reads the
# same command and option tables as insight itself; its first line says
# what to complete (:words, :file, :dir or :command).

function __insight_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog $tokens[1]
    if not command -q -- $prog
        set prog insight
    end
    set -l out (command $prog __complete $tokens[2..-1] $cur 2>/dev/null)
    switch "$out[1]"
        case :file
            __fish_complete_path $cur
        case :dir
            __fish_complete_directories $cur
        case :command
            __fish_complete_command
        case '*'
            printf '%s\n' $out[2..-1]
    end
end

complete -c insight -f -a '(__insight_complete)'
