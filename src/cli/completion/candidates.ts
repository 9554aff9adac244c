// What to offer for the word being typed, read from the commander tree
// itself, so completion never drifts from the commands and flags there are.
// Pure: names of swarm objects come back as a request the caller fulfils
// from the daemon (or not, when there is none).
import { Help, type Command, type Option } from 'commander';

/** Swarm objects whose names complete arguments and flag values. */
export type ObjectKind = 'service' | 'node' | 'network' | 'secret' | 'config' | 'stack';

/** What to offer: fixed words, plus names of these kinds (from the daemon); all filtered by `prefix`. */
export interface Candidates {
  prefix: string;
  words: string[];
  objects: ObjectKind[];
}

/** Arguments of these commands name objects of a kind (`shoal service rm <TAB>`). */
const ARGUMENT_OBJECTS: Record<string, ObjectKind[]> = {
  'service inspect': ['service'], 'service ps': ['service'], 'service rm': ['service'], 'service rollback': ['service'],
  'service scale': ['service'], 'service update': ['service'], 'service logs': ['service'],
  'node inspect': ['node'], 'node ps': ['node'], 'node update': ['node'], 'node promote': ['node'], 'node demote': ['node'], 'node rm': ['node'],
  'network inspect': ['network'], 'network rm': ['network'],
  'secret inspect': ['secret'], 'secret rm': ['secret'],
  'config inspect': ['config'], 'config rm': ['config'],
  'stack ps': ['stack'], 'stack services': ['stack'], 'stack rm': ['stack'],
  inspect: ['service', 'node', 'network'],
};

/** Values of these flags name objects of a kind (`--network <TAB>`). */
const FLAG_OBJECTS: Record<string, ObjectKind> = {
  '--network': 'network', '--network-add': 'network', '--network-rm': 'network',
  '--secret': 'secret', '--secret-add': 'secret', '--secret-rm': 'secret',
  '--config': 'config', '--config-add': 'config', '--config-rm': 'config',
};

/** The root of the tree a command belongs to. */
export function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

// commander's own notion of what --help shows: hidden commands (__complete) and flags stay hidden.
const help = new Help();

function findOption(command: Command, word: string): Option | undefined {
  const flag = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

function subcommand(command: Command, word: string): Command | undefined {
  return command.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** Candidates for the last of `words` (the words after `shoal`, the last one being typed, maybe empty). */
export function completionCandidates(root: Command, words: readonly string[]): Candidates {
  const typed = words.slice(0, -1);
  const prefix = words[words.length - 1] ?? '';
  let command = root;
  const path: string[] = [];
  let expectsValue: Option | undefined;
  for (const word of typed) {
    if (expectsValue) {
      expectsValue = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const option = findOption(command, word);
      if (option && (option.required || option.optional) && !word.includes('=')) expectsValue = option;
      continue;
    }
    const sub = subcommand(command, word);
    if (sub) {
      command = sub;
      path.push(sub.name());
    }
  }
  if (expectsValue) {
    const kind = expectsValue.long ? FLAG_OBJECTS[expectsValue.long] : undefined;
    return { prefix, words: expectsValue.argChoices ?? [], objects: kind ? [kind] : [] };
  }
  if (prefix.startsWith('-')) {
    const flags = help.visibleOptions(command).flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined);
    return filter({ prefix, words: [...new Set(flags)], objects: [] });
  }
  if (command.commands.length > 0) {
    const names = help.visibleCommands(command).map((c) => c.name()).filter((n) => n !== 'help');
    return filter({ prefix, words: names, objects: [] });
  }
  return { prefix, words: [], objects: ARGUMENT_OBJECTS[path.join(' ')] ?? [] };
}

function filter(c: Candidates): Candidates {
  return { ...c, words: c.words.filter((w) => w.startsWith(c.prefix)) };
}

/** The -H/--host among the words typed, so that names come from the daemon the command line names. */
export function hostFromWords(words: readonly string[]): string | undefined {
  for (const [i, word] of words.entries()) {
    if (word === '-H' || word === '--host') return words[i + 1];
    if (word.startsWith('--host=')) return word.slice('--host='.length);
  }
  return undefined;
}
