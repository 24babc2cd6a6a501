/**
 * Training progress on a terminal and in logs.
 *
 * On a TTY (stderr of an interactive shell) a bar is redrawn in place at most 10 times a second:
 *
 *     epoch 3/10 [=============>                ] 45/80  loss 0.2345  acc 93.1%  14,210 samples/s  ETA 0:03
 *
 * and erased when the epoch ends. Without a TTY (CI, `| tee log`) nothing is redrawn; with
 * `logEvery = N > 0` a plain line is printed every N batches instead:
 *
 *     epoch 3/10 batch 40/80  loss 0.2345  acc 93.1%  14,210 samples/s  ETA 0:03
 *
 * `samples/s` is the mean over the epoch so far; `ETA` is the time left in this epoch
 * (remaining batches × mean seconds per batch so far).
 */

/** Where progress goes: `process.stderr`, or a capture in tests. */
export interface OutputStream {
  write(text: string): unknown;
  /** true for an interactive terminal: the bar is drawn only then. */
  isTTY?: boolean;
  /** Terminal width in characters (80 when unknown). */
  columns?: number;
}

export interface BatchProgress {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch (1-based count) and how many the epoch has. */
  batch: number;
  batches: number;
  /** Mean loss and accuracy (0..1) over this epoch's batches so far. */
  loss: number;
  accuracy: number;
  /** Samples seen this epoch and seconds spent on them (this session: resumed batches excluded). */
  samples: number;
  seconds: number;
  /** Batches done in this session of this epoch (for the ETA). */
  sessionBatches: number;
}

/** `m:ss` or `h:mm:ss` for a duration in seconds (`--:--` when it is not known yet). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** An integer with thousands separators: 14210 -> `14,210`. */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A percentage with `digits` decimals (default 1): 0.9312 -> `93.1%`. */
export function formatPercent(p: number, digits = 1): string {
  return `${(100 * p).toFixed(digits)}%`;
}

function rate(samples: number, seconds: number): number {
  return seconds > 0 ? samples / seconds : 0;
}

/** The text shared by the bar and the log line: loss, accuracy, speed, ETA (accuracy left out when `short`). */
function stats(p: BatchProgress, short = false): string {
  const perBatch = p.sessionBatches > 0 ? p.seconds / p.sessionBatches : NaN;
  const eta = (p.batches - p.batch) * perBatch;
  const acc = short ? '' : `  acc ${formatPercent(p.accuracy)}`;
  return `loss ${p.loss.toFixed(4)}${acc}  ${formatCount(rate(p.samples, p.seconds))} samples/s  ETA ${formatDuration(eta)}`;
}

/**
 * The in-place bar, fitted to `width` columns: the bar shrinks (30 down to 5 cells) first, then
 * the accuracy is left out, and only then is the line cut.
 */
export function renderBar(p: BatchProgress, width = 80): string {
  const head = `epoch ${p.epoch}/${p.epochs} `;
  const count = ` ${p.batch}/${p.batches}  `;
  let tail = stats(p);
  const fixed = (): number => head.length + 2 + count.length + tail.length;
  if (width - 1 - fixed() < 5) tail = stats(p, true);
  const barWidth = Math.max(5, Math.min(30, width - 1 - fixed()));
  const filled = p.batches > 0 ? Math.round((barWidth * p.batch) / p.batches) : 0;
  const bar = filled >= barWidth ? '='.repeat(barWidth) : '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(barWidth - filled);
  const line = `${head}[${bar}]${count}${tail}`;
  return line.length > width - 1 ? line.slice(0, width - 1) : line;
}

/** The plain log line printed every `logEvery` batches without a TTY. */
export function renderLogLine(p: BatchProgress): string {
  return `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}  ${stats(p)}`;
}

/**
 * Draws progress to a stream: a bar on a TTY, log lines every `logEvery` batches otherwise.
 * Call {@link update} after each batch and {@link clear} before printing anything else.
 */
export class ProgressReporter {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: OutputStream,
    private readonly logEvery = 0,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get isTTY(): boolean {
    return this.out.isTTY === true;
  }

  update(p: BatchProgress): void {
    if (this.isTTY) {
      const t = this.now();
      if (p.batch < p.batches && this.drawn && t - this.lastDraw < 100) return;
      this.lastDraw = t;
      this.out.write(`\r${renderBar(p, this.out.columns ?? 80)}\x1b[K`);
      this.drawn = true;
    } else if (this.logEvery > 0 && (p.batch % this.logEvery === 0 || p.batch === p.batches)) {
      this.out.write(`${renderLogLine(p)}\n`);
    }
  }

  /** Erases the bar (TTY only) so that the next line starts clean. */
  clear(): void {
    if (this.isTTY && this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
