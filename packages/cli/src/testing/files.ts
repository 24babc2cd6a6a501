/**
 * Test helpers: temporary directories, removed after the test file that made them (this module
 * registers an `afterAll` when a test file imports it).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const made: string[] = [];

/** A fresh empty directory under the system's temp dir. */
export function tempDir(prefix = 'dl-cli-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the directories made by {@link tempDir} so far. */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

if (typeof afterAll === 'function') afterAll(removeTempDirs);
