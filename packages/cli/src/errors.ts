/**
 * The two kinds of failure the `dl` command reports without a stack trace.
 *
 * - {@link UsageError}: the command line is wrong (unknown option, bad value, missing argument).
 *   `dl` prints the message and a pointer to `--help`, and exits with status 2.
 * - {@link CliError}: the command line is fine but the work cannot be done (a checkpoint that is
 *   damaged or made for another model, an image that cannot be decoded, a dataset that is not
 *   there). `dl` prints the message and exits with status 1.
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
