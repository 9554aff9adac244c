import { Command } from 'commander';
import { completionCandidates, hostFromWords, rootOf, type ObjectKind } from '../completion/candidates.js';
import { COMPLETE_COMMAND, completionScript, SHELLS, type Shell } from '../completion/scripts.js';
import { createCliContext, type CliContext } from '../context.js';
import { usageError } from '../errors.js';

/** A name lookup gives up after this long: a TAB must never hang on a daemon that does not answer. */
const NAME_DEADLINE_MS = 1_500;
const STACK_LABEL = 'com.docker.stack.namespace';

/** `shoal completion bash|zsh|fish`: prints the shell's completion script, as `docker completion`. */
export function completionCommand(ctx: CliContext): Command {
  return new Command('completion')
    .description('Generate the autocompletion script for the specified shell (bash, zsh, fish)')
    .argument('<shell>', `One of ${SHELLS.join(', ')}`)
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw usageError(`unsupported shell "${shell}": use one of ${SHELLS.join(', ')}`);
      ctx.output.out(completionScript(shell as Shell).trimEnd());
    });
}

/** `shoal __complete -- WORDS...` (hidden): the candidates for the last word, one a line; the completion scripts call it. */
export function completeCommand(ctx: CliContext): Command {
  return new Command(COMPLETE_COMMAND)
    .argument('[words...]')
    .helpOption(false)
    .action(async (words: string[], _opts: unknown, self: Command) => {
      const candidates = completionCandidates(rootOf(self), words.length > 0 ? words : ['']);
      const names = candidates.objects.length > 0 ? await objectNames(ctx, hostFromWords(words), candidates.objects) : [];
      for (const word of [...candidates.words, ...names.filter((n) => n.startsWith(candidates.prefix))]) ctx.output.out(word);
    });
}

// Names from the daemon the words name (-H), or the default one; none when it cannot be reached.
async function objectNames(ctx: CliContext, host: string | undefined, kinds: readonly ObjectKind[]): Promise<string[]> {
  const local = createCliContext(ctx.output, () => host ?? ctx.host());
  try {
    await local.loadClients();
    const control = local.control();
    const opts = { deadlineMs: NAME_DEADLINE_MS };
    const lists = await Promise.all(
      kinds.map(async (kind): Promise<string[]> => {
        switch (kind) {
          case 'service':
            return (await control.listServices({}, opts)).services.map((s) => s.spec?.annotations?.name ?? s.id);
          case 'stack':
            return (await control.listServices({}, opts)).services.map((s) => s.spec?.annotations?.labels[STACK_LABEL] ?? '').filter(Boolean);
          case 'node':
            return (await control.listNodes({}, opts)).nodes.map((n) => n.description?.hostname || n.id);
          case 'network':
            return (await control.listNetworks({}, opts)).networks.map((n) => n.spec?.annotations?.name ?? n.id);
          case 'secret':
            return (await control.listSecrets({}, opts)).secrets.map((s) => s.spec?.annotations?.name ?? s.id);
          case 'config':
            return (await control.listConfigs({}, opts)).configs.map((c) => c.spec?.annotations?.name ?? c.id);
        }
      }),
    );
    return [...new Set(lists.flat())].sort();
  } catch {
    return []; // no daemon, not a manager: commands and flags still complete
  } finally {
    local.close();
  }
}
