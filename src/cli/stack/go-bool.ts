// Docker's boolean flags take `--detach=false` (Go's pflag); commander's do
// not. For flags whose default is on (stack deploy/rm -d), that is the only
// way to turn them off, so `--NAME=false` / `-X=false` become `--no-NAME`.
import type { Command } from 'commander';

/** Lets `--NAME=true|false` and `-X=true|false` set the boolean flags `names` of `cmd` (which also needs `--no-NAME`). */
export function goBooleanFlags(cmd: Command, names: readonly string[]): Command {
  const parse = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => {
    // After "--" everything is an operand, as in Go's pflag.
    const end = argv.indexOf('--');
    const flags = end < 0 ? argv : argv.slice(0, end);
    return parse([...flags.map((arg) => rewrite(cmd, names, arg)), ...(end < 0 ? [] : argv.slice(end))]);
  };
  return cmd;
}

function rewrite(cmd: Command, names: readonly string[], arg: string): string {
  const m = /^(--?[\w-]+)=(true|false|1|0)$/i.exec(arg);
  if (!m) return arg;
  const flag = m[1] ?? '';
  const option = cmd.options.find((o) => (o.long === flag || o.short === flag) && !o.negate && names.includes(o.attributeName()));
  if (!option) return arg;
  const on = /^(true|1)$/i.test(m[2] ?? '');
  return on ? (option.long ?? flag) : `--no-${option.attributeName()}`;
}
