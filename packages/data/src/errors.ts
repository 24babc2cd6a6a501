/**
 * Errors of @dl/data. Both extend `DLError` from @dl/tensor, so `catch (e) { if (e instanceof DLError) }`
 * catches every library error; bad options and indices use @dl/tensor's `ValueError` / `IndexError`.
 *
 * Every message says which file (or directory), what is wrong, and how to fix it:
 *
 * ```text
 * /data/mnist/train-labels-idx1-ubyte.gz: bad magic number 0x00000803 (expected 0x00000801 for an
 * IDX file of unsigned bytes with 1 dim); the file is not an MNIST labels file or is corrupt:
 * download it again
 * ```
 */
import { DLError } from '@dl/tensor';

/**
 * A file that cannot be parsed: wrong magic number, impossible dims, truncated or oversized data,
 * image/label count mismatch, a corrupt archive or image. `file` is the path (or the archive member)
 * that failed.
 */
export class DataFormatError extends DLError {
  readonly file: string;

  constructor(file: string, problem: string, fix?: string) {
    super(`${file}: ${problem}${fix ? `; ${fix}` : ''}`);
    this.file = file;
  }
}

/**
 * A dataset whose files are not where they were looked for (and could not be downloaded). The
 * message names the directory and the exact file names to put there.
 */
export class DatasetNotFoundError extends DLError {
  readonly root: string;

  constructor(root: string, message: string) {
    super(message);
    this.root = root;
  }
}
