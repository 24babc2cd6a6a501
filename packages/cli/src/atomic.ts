/**
 * Atomic file writes: the bytes go to a temporary file in the same directory
 * (`<name>.tmp-<pid>-<random>`), are flushed to disk (fsync), and the temporary file is renamed
 * over the target; then the directory is fsynced. A reader, or a crash at any moment, sees either
 * the old file or the new one, never half of one; if anything fails the temporary file is removed
 * and the old file is left as it was.
 *
 * The mechanism is @dl/layers' `writeFileAtomic` (the one `save` uses), so checkpoints and the other
 * outputs share it: each write also removes the temporary files that earlier writes of the same
 * file left behind when their process was killed (those whose pid no longer runs), and
 * `removeStaleTemps(dir)` clears a whole directory (`dl train` does so for `--out` when it starts).
 *
 * ```ts
 * writeFileAtomic('runs/mnist-mlp/metrics.json', JSON.stringify(metrics));
 * ```
 */
import { writeFileAtomic as writeAtomic, type AtomicFs } from '@dl/layers';
import { CliError } from './errors';

export { removeStaleTemps, tempPrefix, type AtomicFs } from '@dl/layers';

/**
 * Writes `data` to `path` atomically (see the module comment). The directory must exist.
 *
 * @throws CliError naming the path and the file system's reason; the old file is intact.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, io?: AtomicFs): void {
  try {
    writeAtomic(path, data, io);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new CliError(`could not write ${path}: ${msg} (the previous file, if any, is unchanged); check the free space and permissions of its directory, or choose another --out`);
  }
}
