/**
 * The two kinds of failure the `dl` command reports without a stack trace.
 *
 * - {@link UsageError}: the command line is wrong: an unknown option, a malformed or out-of-range
 *   value, a missing argument, options that contradict each other, and values that do not fit the
 *   data or the checkpoint they are used with (`--train-size` beyond the split, a `--val-split`
 *   that leaves no sample, `--dataset` of another shape than the checkpoint's, `--download` for
 *   cifar10, an option that would change a resumed run). `dl` prints the message and a pointer to
 *   `--help`, and exits with status 2.
 * - {@link CliError}: the command line is well formed but the work cannot be done: a file or
 *   directory it names is missing, unreadable or damaged (a checkpoint, an image, a dataset
 *   directory without its files), the native backend is not built, a write fails, training
 *   diverges. `dl` prints the message and exits with status 1.
 *
 * Every message names the option or the file and says what to do about it.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line. `command` is the subcommand whose help the message points to, if any. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command: string | null = null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT's number 2, as shells report it). */
export const EXIT_INTERRUPTED = 130;
/** Exit status for a wrong command line. */
export const EXIT_USAGE = 2;
/** Exit status for any other failure. */
export const EXIT_FAILURE = 1;
