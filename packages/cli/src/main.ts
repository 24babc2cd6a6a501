/**
 * The entry of the `dl` command (`bin/dl.js` calls {@link main} with `process.argv.slice(2)`).
 *
 * Exit status: 0 done; 1 the work failed (the message says why); 2 wrong command line; 130 stopped
 * by Ctrl-C. A first Ctrl-C during `dl train` finishes the current batch, saves a checkpoint and
 * exits with 130; a second one exits at once (the last checkpoint written is intact: writes are
 * atomic).
 */
import { DLError } from '@dl/tensor';
import { helpText, parseArgs, type Command } from './args';
import { runEval } from './commands/eval';
import { runPredict } from './commands/predict';
import { runTrain } from './commands/train';
import { cliVersion, processContext, type CliContext } from './context';
import { CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from './errors';

/**
 * Runs one `dl` command line with the given context and returns the exit status. Errors are
 * printed to `ctx.stderr` (no stack trace for the expected kinds), never thrown.
 */
export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    return report(e, ctx);
  }
  try {
    switch (cmd.command) {
      case 'help':
        ctx.stdout.write(helpText(cmd.topic));
        return 0;
      case 'version':
        ctx.stdout.write(`dl (@dl/cli) ${cliVersion()}\n`);
        return 0;
      case 'train':
        return await runTrain(cmd, ctx);
      case 'eval':
        return await runEval(cmd, ctx);
      case 'predict':
        return await runPredict(cmd, ctx);
    }
  } catch (e) {
    return report(e, ctx);
  }
}

function report(e: unknown, ctx: CliContext): number {
  if (e instanceof UsageError) {
    const help = e.command !== null ? `dl ${e.command} --help` : 'dl --help';
    ctx.stderr.write(`${e.message}\nRun '${help}' for the options.\n`);
    return EXIT_USAGE;
  }
  if (e instanceof CliError || e instanceof DLError) {
    ctx.stderr.write(`dl: error: ${e.message}\n`);
    return EXIT_FAILURE;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  ctx.stderr.write(`dl: unexpected error (a bug in dl; please report it with the command line):\n${err.stack ?? err.message}\n`);
  return EXIT_FAILURE;
}

/**
 * Runs `dl` in this process: streams are the process's, Ctrl-C stops training cleanly, and the
 * exit status is set on `process.exitCode`.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const ctx = processContext(argv);
  // `dl eval | head`: a closed pipe ends the output quietly instead of crashing with EPIPE
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const onSigint = (): void => {
    if (ctx.stop.requested) {
      process.stderr.write('\nsecond Ctrl-C: exiting now without saving (the last checkpoint is intact)\n');
      process.exit(EXIT_INTERRUPTED);
    }
    ctx.stop.requested = true;
    process.stderr.write('\nCtrl-C: stopping after this batch and saving a checkpoint (Ctrl-C again to quit at once)\n');
  };
  const training = argv[0] === 'train';
  if (training) process.on('SIGINT', onSigint);
  try {
    const code = await run(argv, ctx);
    process.exitCode = code;
    return code;
  } finally {
    if (training) process.off('SIGINT', onSigint);
  }
}
