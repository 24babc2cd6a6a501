/**
 * `History`: per-epoch training and validation metrics, exported as JSON and CSV.
 *
 * ```ts
 * const history = new History();
 * for (let epoch = 1; epoch <= 10; epoch++) {
 *   // ... train and validate ...
 *   history.record(epoch, { trainLoss, trainAcc, valLoss, valAcc, lr });
 * }
 * history.get('valAcc');          // [0.91, 0.93, ...] (one per epoch that recorded it)
 * history.best('valAcc', 'max');  // { epoch: 7, value: 0.962 }
 * history.saveJSON('out/history.json');
 * history.saveCSV('out/history.csv'); // epoch,trainLoss,trainAcc,valLoss,valAcc,lr + one row per epoch
 * ```
 */
import { readFileSync } from 'fs';
import { ValueError } from '@dl/tensor';
import { writeFileAtomic } from './atomic';
import { describe } from './input';

/** One epoch's metrics by name. */
export type MetricValues = Readonly<Record<string, number>>;

/** One row of a History: an epoch and the metrics recorded for it. */
export interface HistoryRow {
  readonly epoch: number;
  readonly metrics: MetricValues;
}

/** A JSON number, or `'NaN'`, `'Infinity'`, `'-Infinity'` for values JSON cannot hold. */
export type JSONNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** What `History.toJSON()` returns (and `JSON.stringify(history)` writes). */
export interface HistoryJSON {
  readonly format: 'dl-history';
  readonly version: 1;
  /** Metric names in the order they were first recorded (the CSV's column order). */
  readonly metrics: readonly string[];
  /** One object per epoch, in epoch order: `{ epoch, <metric>: value, ... }`. */
  readonly rows: readonly Readonly<Record<string, JSONNumber>>[];
}

/** The best value of a metric and the epoch it was reached at. */
export interface BestValue {
  readonly epoch: number;
  readonly value: number;
}

const FORMAT = 'dl-history';

/**
 * Per-epoch metrics. `record(epoch, metrics)` merges into that epoch's row (record training metrics
 * after the training pass and validation metrics after the validation pass, or all at once);
 * recording a metric again for the same epoch replaces it (as when an interrupted epoch is run
 * again after `--resume`). Rows are kept in epoch order. Values are numbers, NaN and infinities
 * included (a diverged loss is worth keeping); they are written to JSON as `'NaN'`/`'Infinity'`.
 */
export class History {
  private readonly byEpoch = new Map<number, Record<string, number>>();
  private readonly names: string[] = [];

  /**
   * Records `metrics` for `epoch` (an integer >= 0). Returns `this`.
   * Names are free (`trainLoss`, `valAcc`, `lr`, `seconds`, ...) except `epoch`.
   */
  record(epoch: number, metrics: Readonly<Record<string, number>>): this {
    const op = 'History.record';
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
      throw new ValueError(`${op}: epoch must be an integer >= 0, got ${String(epoch)}`);
    }
    if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
      throw new ValueError(`${op}: metrics must be an object such as { trainLoss: 0.31, valAcc: 0.92 }, got ${describe(metrics)}`);
    }
    const entries = Object.entries(metrics);
    for (const [name, value] of entries) {
      checkName(op, name);
      if (typeof value !== 'number') {
        const hint = typeof value === 'object' && value !== null ? ' (for a Tensor or Variable use .item())' : '';
        throw new ValueError(`${op}: metric '${name}' of epoch ${epoch} is ${describe(value)}; values must be numbers${hint}`);
      }
    }
    let row = this.byEpoch.get(epoch);
    if (row === undefined) {
      row = {};
      this.byEpoch.set(epoch, row);
    }
    for (const [name, value] of entries) {
      if (!this.names.includes(name)) this.names.push(name);
      row[name] = value;
    }
    return this;
  }

  /** Recorded epochs, ascending. */
  get epochs(): number[] {
    return [...this.byEpoch.keys()].sort((a, b) => a - b);
  }

  /** Metric names in the order they were first recorded. */
  get metricNames(): string[] {
    return [...this.names];
  }

  /** Number of recorded epochs. */
  get length(): number {
    return this.byEpoch.size;
  }

  /** Whether `name` was recorded for some epoch. */
  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** The rows in epoch order (copies). */
  rows(): HistoryRow[] {
    return this.epochs.map((epoch) => ({ epoch, metrics: { ...this.byEpoch.get(epoch) } }));
  }

  /** The values of `name`, in epoch order, for the epochs that recorded it. Unknown names throw. */
  get(name: string): number[] {
    return this.series(name).map((p) => p.value);
  }

  /** `(epoch, value)` pairs of `name`, in epoch order, for the epochs that recorded it. */
  series(name: string): BestValue[] {
    this.checkKnown('History.get', name);
    const out: BestValue[] = [];
    for (const epoch of this.epochs) {
      const row = this.byEpoch.get(epoch);
      if (row !== undefined && name in row) out.push({ epoch, value: row[name] });
    }
    return out;
  }

  /** The value of `name` at the latest epoch that recorded it, or undefined if none did. */
  latest(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    const s = this.series(name);
    return s[s.length - 1].value;
  }

  /**
   * The best value of `name` and its epoch: the largest with `'max'` (accuracy), the smallest with
   * `'min'` (loss). NaN values are skipped; ties go to the earliest epoch. null when every recorded
   * value is NaN.
   */
  best(name: string, mode: 'max' | 'min'): BestValue | null {
    if (mode !== 'max' && mode !== 'min') {
      throw new ValueError(`History.best: mode must be 'max' (e.g. accuracy) or 'min' (e.g. loss), got ${String(mode)}`);
    }
    this.checkKnown('History.best', name);
    let best: BestValue | null = null;
    for (const p of this.series(name)) {
      if (Number.isNaN(p.value)) continue;
      if (best === null || (mode === 'max' ? p.value > best.value : p.value < best.value)) best = p;
    }
    return best;
  }

  /** A plain JSON-ready object (see `HistoryJSON`); `JSON.stringify(history)` uses it. */
  toJSON(): HistoryJSON {
    const rows = this.rows().map(({ epoch, metrics }) => {
      const out: Record<string, JSONNumber> = { epoch };
      for (const name of this.names) if (name in metrics) out[name] = encodeNumber(metrics[name]);
      return out;
    });
    return { format: FORMAT, version: 1, metrics: [...this.names], rows };
  }

  /**
   * Rebuilds a History from `toJSON()`'s object or its JSON text, checking it thoroughly.
   * `source` names where it came from in error messages (e.g. the file path).
   */
  static fromJSON(json: unknown, source = 'History.fromJSON'): History {
    const data: unknown = typeof json === 'string' ? parseJSON(json, source) : json;
    const bad = (what: string): never => {
      throw new ValueError(`${source}: not a History JSON (${what}); expected { format: 'dl-history', version: 1, metrics: [...], rows: [{ epoch, ... }] } as written by History.toJSON()`);
    };
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad(`got ${describe(data)}`);
    const obj = data as Record<string, unknown>;
    if (obj.format !== FORMAT) return bad(`format is ${JSON.stringify(obj.format)}`);
    if (obj.version !== 1) return bad(`version ${JSON.stringify(obj.version)} is not supported, only 1`);
    if (!Array.isArray(obj.metrics) || !obj.metrics.every((m) => typeof m === 'string')) return bad('metrics must be an array of names');
    if (!Array.isArray(obj.rows)) return bad('rows must be an array');
    const history = new History();
    for (const name of obj.metrics as string[]) {
      checkName(source, name);
      if (!history.names.includes(name)) history.names.push(name);
    }
    (obj.rows as unknown[]).forEach((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) return bad(`rows[${i}] is ${describe(row)}`);
      const { epoch, ...rest } = row as Record<string, unknown>;
      if (typeof epoch !== 'number') return bad(`rows[${i}].epoch is ${describe(epoch)}`);
      const metrics: Record<string, number> = {};
      for (const [name, v] of Object.entries(rest)) {
        const value = decodeNumber(v);
        if (value === null) return bad(`rows[${i}].${name} is ${JSON.stringify(v)}, not a number`);
        metrics[name] = value;
      }
      history.record(epoch, metrics);
    });
    return history;
  }

  /** Reads a History saved by `saveJSON`. */
  static loadJSON(path: string): History {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ValueError(`History.loadJSON: cannot read '${path}': ${err instanceof Error ? err.message : String(err)}`);
    }
    return History.fromJSON(text, `History.loadJSON('${path}')`);
  }

  /**
   * CSV text (RFC 4180): a header `epoch,<metric>,...` (names in first-recorded order) and one row
   * per epoch; a metric not recorded for an epoch is an empty cell; numbers are written in full
   * (shortest round-trip form), `NaN`/`Infinity` as such. Lines end with `\n`.
   */
  toCSV(): string {
    const lines = [['epoch', ...this.names].map(csvCell).join(',')];
    for (const { epoch, metrics } of this.rows()) {
      lines.push([String(epoch), ...this.names.map((n) => (n in metrics ? String(metrics[n]) : ''))].join(','));
    }
    return lines.join('\n') + '\n';
  }

  /** Writes `toJSON()` (pretty-printed) to `path` atomically. */
  saveJSON(path: string): void {
    writeFileAtomic(path, JSON.stringify(this.toJSON(), null, 2) + '\n');
  }

  /** Writes `toCSV()` to `path` atomically. */
  saveCSV(path: string): void {
    writeFileAtomic(path, this.toCSV());
  }

  private checkKnown(op: string, name: string): void {
    if (!this.has(name)) {
      const known = this.names.length > 0 ? this.names.join(', ') : 'none yet';
      throw new ValueError(`${op}: no metric '${name}' was recorded (recorded: ${known})`);
    }
  }
}

function checkName(op: string, name: string): void {
  if (name === 'epoch') throw new ValueError(`${op}: 'epoch' is the row key and cannot be a metric name; pass it as the first argument`);
  if (name === '') throw new ValueError(`${op}: metric names must not be empty`);
}

function encodeNumber(v: number): JSONNumber {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}

function decodeNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return null;
}

function parseJSON(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValueError(`${source}: invalid JSON (${err instanceof Error ? err.message : String(err)}); is the file truncated?`);
  }
}

/** A CSV header cell, quoted when it holds a comma, a quote, a line break or edge spaces. */
function csvCell(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
