// The scripts `shoal completion SHELL` prints. Each is a thin shim: on TAB it
// runs `shoal __complete -- WORDS...` (the very executable being completed)
// and offers what that prints, one candidate a line; with no daemon that
// still lists commands and flags, and errors never reach the terminal.

/** Shells `shoal completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
/** One of SHELLS. */
export type Shell = (typeof SHELLS)[number];

/** The hidden command the scripts call. */
export const COMPLETE_COMMAND = '__complete';

const BASH = `# shoal completion for bash. Load it in this shell:  source <(shoal completion bash)
# or for every shell:  shoal completion bash > /etc/bash_completion.d/shoal
_shoal_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" ${COMPLETE_COMMAND} -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _shoal_complete shoal
`;

const ZSH = `#compdef shoal
# shoal completion for zsh. Load it in this shell:  source <(shoal completion zsh)
# or for every shell: save it as _shoal in a directory of $fpath.
_shoal() {
  local -a candidates
  candidates=(\${(f)"$("\${words[1]}" ${COMPLETE_COMMAND} -- "\${(@)words[2,CURRENT]}" 2>/dev/null)"})
  compadd -a candidates
}
if [ "$funcstack[1]" = "_shoal" ]; then _shoal "$@"; else compdef _shoal shoal; fi
`;

const FISH = `# shoal completion for fish. Load it in this shell:  shoal completion fish | source
# or for every shell:  shoal completion fish > ~/.config/fish/completions/shoal.fish
function __shoal_complete
    set -l tokens (commandline -opc) (commandline -ct)
    $tokens[1] ${COMPLETE_COMMAND} -- $tokens[2..-1] 2>/dev/null
end
complete -c shoal -f -a '(__shoal_complete)'
`;

/** The completion script for a shell. */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return BASH;
    case 'zsh':
      return ZSH;
    case 'fish':
      return FISH;
  }
}
