/**
 * Test helpers: reading the PyTorch fixtures (fixtures/losses.json) and comparing tensors with a
 * relative tolerance.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Tensor, type DType } from '@dl/tensor';

/** A tensor as the fixture script writes it; NaN and infinities are strings. */
export interface FixtureTensor {
  shape: number[];
  data: (number | string)[];
  dtype?: 'int32';
}

export function decodeNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new Error(`fixture: bad number ${v}`);
}

/** The fixture tensor in `dtype` (int32 ones stay int32). */
export function decode(t: FixtureTensor, dtype: DType): Tensor {
  const values = t.data.map(decodeNumber);
  if (t.dtype === 'int32') return new Tensor(Int32Array.from(values), t.shape);
  const storage = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor(storage, t.shape);
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', file), 'utf8')) as T;
}

/**
 * The first element where `actual` differs from `expected` by more than
 * `rtol * (|expected| + 1e-3)` (NaN only matches NaN, infinities match exactly), or null.
 */
export function firstMismatch(actual: Tensor, expected: Tensor, rtol: number): string | null {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((s, i) => s !== expected.shape[i])) {
    return `shape [${actual.shape.join(', ')}] != expected [${expected.shape.join(', ')}]`;
  }
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(y) && Number.isNaN(x)) continue;
      return `element ${i}: ${x} != expected ${y}`;
    }
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x === y) continue;
      return `element ${i}: ${x} != expected ${y}`;
    }
    if (Math.abs(x - y) > rtol * (Math.abs(y) + 1e-3)) return `element ${i}: ${x} != expected ${y} (diff ${Math.abs(x - y)})`;
  }
  return null;
}
