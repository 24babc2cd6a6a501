/**
 * What a result records about where it was graded: versions of the grader, @dl and Node, the
 * backend and thread count pinned for student code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentReport } from './result';

function versionOf(pkgJson: string): string {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function graderVersion(): string {
  return versionOf(join(__dirname, '..', 'package.json'));
}

export function environment(backend: string, threads: number): EnvironmentReport {
  let dl = 'unknown';
  try {
    dl = versionOf(require.resolve('@dl/tensor/package.json'));
  } catch {
    /* not resolvable */
  }
  return { grader: graderVersion(), dl, node: process.version, platform: `${process.platform}-${process.arch}`, backend, threads };
}
