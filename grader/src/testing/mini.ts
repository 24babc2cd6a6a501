/**
 * Test helpers: a private copy of the mini fixture assignment with a random secret planted in
 * its hidden tests and reference (so a test can search everything a student sees for it), built
 * into a bundle; and running the dl-grade command.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeBundles } from '../bundle';

export const GRADER_DIR = resolve(__dirname, '..', '..');
export const FIXTURES = join(GRADER_DIR, 'fixtures');
export const BIN = join(GRADER_DIR, 'bin', 'dl-grade.js');

export interface MiniBuild {
  readonly root: string;
  readonly source: string;
  readonly out: string;
  readonly autograder: string;
  readonly secret: string;
}

/** Copies fixtures/mini to a private (0700) temp folder, plants a secret, and builds it. */
export function buildMini(): MiniBuild {
  const root = mkdtempSync(join(tmpdir(), 'dl-grade-test-'));
  chmodSync(root, 0o700);
  const source = join(root, 'mini');
  cpSync(join(FIXTURES, 'mini'), source, { recursive: true });
  const secret = `SECRET-${randomBytes(8).toString('hex')}`;
  for (const f of ['tests/hidden/mini.spec.ts', 'src/mini.ts']) {
    const p = join(source, f);
    writeFileSync(p, `${readFileSync(p, 'utf8')}\n// ${secret}\n`);
  }
  const out = join(root, 'build');
  writeBundles(source, out);
  return { root, source, out, autograder: join(out, 'autograder'), secret };
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dl-grade ...args` in a child process. */
export function runCli(args: readonly string[], opts: { cwd?: string } = {}): Promise<CliRun> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? GRADER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b) => (stdout += b));
    p.stderr.on('data', (b) => (stderr += b));
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}
