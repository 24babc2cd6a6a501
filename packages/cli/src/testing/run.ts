/** Test helpers: run `dl` in this process with captured output. */
import type { CliContext } from '../context';
import { run } from '../main';
import { captureStream } from './streams';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dl <argv>` in-process. `interruptAt: [epoch, batch]` asks the loop to stop after that
 * batch, as a Ctrl-C would.
 */
export async function runCli(argv: string[], opts: { interruptAt?: [number, number] } = {}): Promise<CliResult> {
  const stdout = captureStream(false);
  const stderr = captureStream(false);
  const ctx: CliContext = {
    stdout,
    stderr,
    stop: { requested: false },
    now: () => Date.now(),
    commandLine: ['dl', ...argv].join(' '),
  };
  const at = opts.interruptAt;
  if (at !== undefined) {
    ctx.onBatch = (epoch, batch) => {
      if (epoch === at[0] && batch === at[1]) ctx.stop.requested = true;
    };
  }
  const code = await run(argv, ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
