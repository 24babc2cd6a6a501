/** Test helpers: spawn `dl` (from the sources) as a child process. */
import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';

const SRC = join(__dirname, '..');

/** The argv of a child process running `dl <args>` from the TypeScript sources. */
export function dlCommand(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['-r', join(SRC, 'testing', 'ts-register.js'), join(SRC, 'testing', 'dl-child.ts'), ...args] };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `dl <args>`; `onOutput` sees the output as it arrives (and may signal the child).
 * Resolves when the child exits, or rejects after `timeoutMs` (the child is killed).
 */
export function spawnDl(
  args: readonly string[],
  opts: {
    cwd?: string;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    /** Run the child as this user and group (tests run as root use an unprivileged user). */
    uid?: number;
    gid?: number;
    onOutput?: (child: ChildProcess, stdout: string, stderr: string) => void;
  } = {},
): Promise<ChildResult> {
  const { command, args: argv } = dlCommand(args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: opts.cwd, env: opts.env ?? process.env, uid: opts.uid, gid: opts.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dl ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onOutput?.(child, stdout, stderr);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onOutput?.(child, stdout, stderr);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
