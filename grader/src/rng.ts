/**
 * A small seeded generator (mulberry32) for test inputs: the same seed gives the same inputs on
 * every machine, so hidden random cases are reproducible.
 *
 * ```ts
 * const r = new Rng(42);
 * r.uniform(-1, 1);              // a number in [-1, 1)
 * r.tensor([2, 3]);              // a float64 TensorValue with standard normal entries
 * ```
 */
import type { DType } from '@dl/tensor';
import type { TensorValue } from './values';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A tensor value with normal entries (or uniform in [low, high) when both are given). */
  tensor(shape: readonly number[], opts: { dtype?: DType; low?: number; high?: number } = {}): TensorValue {
    const n = shape.reduce((a, b) => a * b, 1);
    const data: number[] = [];
    for (let i = 0; i < n; i++) {
      data.push(opts.low !== undefined && opts.high !== undefined ? this.uniform(opts.low, opts.high) : this.normal());
    }
    return { $tensor: true, dtype: opts.dtype ?? 'float64', shape: [...shape], data };
  }
}
