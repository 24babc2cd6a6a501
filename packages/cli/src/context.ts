/**
 * What a command runs with: its output streams, the stop signal (set by Ctrl-C), a clock, and
 * hooks for tests. `main` fills it from the process; tests pass captures.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { getBackend, setBackend, BackendUnavailableError } from '@dl/tensor';
import type { BackendName } from './args';
import { CliError } from './errors';
import type { OutputStream } from './progress';
import type { StopSignal } from './training';

export interface CliContext {
  /** Results: epoch summaries, final metrics, predictions. */
  stdout: OutputStream;
  /** Progress bar, notices, errors. */
  stderr: OutputStream;
  /** Set `requested` to stop training after the current batch (with a checkpoint). */
  stop: StopSignal;
  /** Milliseconds (Date.now by default). */
  now: () => number;
  /** Called after every training batch (tests use it to interrupt at a chosen batch). */
  onBatch?: (epoch: number, batch: number) => void;
  /** The command line as typed, shown in the report (default: "dl " + argv). */
  commandLine: string;
}

/** A context writing to the process's streams. */
export function processContext(argv: readonly string[]): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stop: { requested: false },
    now: () => Date.now(),
    commandLine: ['dl', ...argv].map(shellQuote).join(' '),
  };
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The version of @dl/cli (from its package.json). */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Switches to the `--backend` asked for (null: keep the default) and returns the name in use. */
export function useBackend(name: BackendName | null): string {
  if (name !== null) {
    try {
      setBackend(name);
      getBackend();
    } catch (e) {
      if (e instanceof BackendUnavailableError) {
        throw new CliError(`--backend ${name}: ${e.message}; use --backend js, or build the native addon (npm run build in packages/tensor)`);
      }
      throw e;
    }
  }
  return getBackend().name;
}
