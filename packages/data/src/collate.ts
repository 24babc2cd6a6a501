/**
 * `defaultCollate`: turns a list of samples into one batch, the way PyTorch's `default_collate` does.
 *
 * | sample element                   | batch element                                    |
 * |----------------------------------|--------------------------------------------------|
 * | Tensor of shape `S`              | `stack`: Tensor `[B, ...S]` (same dtype)         |
 * | number, all integers (int32)     | int32 Tensor `[B]` (class labels)                |
 * | number, otherwise                | float32 Tensor `[B]`                             |
 * | boolean                          | bool Tensor `[B]`                                |
 * | string                           | `string[]`                                       |
 * | array / tuple of length k        | tuple of k collated columns (recursively)        |
 * | plain object                     | object of collated fields (recursively)          |
 *
 * ```ts
 * defaultCollate([[x0, 3], [x1, 7]]); // [Tensor [2, ...x0.shape], Tensor int32 [3, 7]]
 * ```
 *
 * Differences from PyTorch: integers become int32 (there is no int64 in @dl) and other numbers
 * float32. JS has no separate integer type, so a batch of regression targets that all happen to be
 * whole numbers would become int32: return a Tensor (or pass `collate`) for float targets.
 */
import { Tensor, ValueError, ShapeError, allocStorage, fmtShape, stack } from '@dl/tensor';

/** The type `defaultCollate` makes of a batch of samples of type `T`. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

/** Stacks a list of samples into a batch (see the table above). Throws on an empty list. */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new ValueError('defaultCollate: got an empty list of samples; a batch needs at least one');
  return collateColumn(samples, (i) => `sample ${i}`) as Collated<T>;
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a Tensor of shape ${fmtShape(v.shape)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null) return 'null';
  return `a ${typeof v}`;
}

function collateColumn(column: readonly unknown[], where: (i: number) => string): unknown {
  const first = column[0];
  const mismatch = (i: number, what: string): never => {
    throw new ValueError(
      `defaultCollate: ${where(0)} is ${describe(first)} but ${where(i)} is ${what}; every sample of a batch must have ` +
        'the same structure (pass `collate` to the DataLoader for anything else)',
    );
  };
  if (first instanceof Tensor) {
    for (let i = 1; i < column.length; i++) {
      const t = column[i];
      if (!(t instanceof Tensor)) return mismatch(i, describe(t));
      if (t.dtype !== first.dtype) return mismatch(i, `a ${t.dtype} Tensor (${where(0)} is ${first.dtype})`);
      if (t.shape.length !== first.shape.length || t.shape.some((s, d) => s !== first.shape[d])) {
        throw new ShapeError(
          `defaultCollate: ${where(0)} has shape ${fmtShape(first.shape)} but ${where(i)} has shape ${fmtShape(t.shape)}; ` +
            'tensors of a batch must have the same shape (resize images to one size with the `resize` transform, or pass `collate`)',
        );
      }
    }
    return stack(column as Tensor[], 0);
  }
  if (typeof first === 'number') {
    const values = new Float64Array(column.length);
    let allInt = true;
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (typeof v !== 'number') return mismatch(i, describe(v));
      values[i] = v;
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) allInt = false;
    }
    const out = allocStorage(allInt ? 'int32' : 'float32', column.length); // allocStorage: counted by memory()
    out.set(values);
    return new Tensor(out, [column.length]);
  }
  if (typeof first === 'boolean') {
    const values = allocStorage('bool', column.length);
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (typeof v !== 'boolean') return mismatch(i, describe(v));
      values[i] = v ? 1 : 0;
    }
    return new Tensor(values, [column.length]);
  }
  if (typeof first === 'string') {
    return column.map((v, i) => (typeof v === 'string' ? v : mismatch(i, describe(v))));
  }
  if (Array.isArray(first)) {
    const n = first.length;
    for (let i = 1; i < column.length; i++) {
      const v = column[i];
      if (!Array.isArray(v) || v.length !== n) return mismatch(i, describe(v));
    }
    const out: unknown[] = [];
    for (let k = 0; k < n; k++) out.push(collateColumn(column.map((v) => (v as unknown[])[k]), (i) => `element ${k} of ${where(i)}`));
    return out;
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (let i = 1; i < column.length; i++) {
      const v = column[i];
      if (!isPlainObject(v)) return mismatch(i, describe(v));
    }
    for (const k of keys) {
      out[k] = collateColumn(
        column.map((v, i) => {
          const rec = v as Record<string, unknown>;
          if (!(k in rec)) return mismatch(i, `an object without the key '${k}'`);
          return rec[k];
        }),
        (i) => `field '${k}' of ${where(i)}`,
      );
    }
    return out;
  }
  throw new ValueError(
    `defaultCollate: cannot batch ${describe(first)}; samples may hold Tensors, numbers, booleans, strings, arrays ` +
      'and plain objects of these (pass `collate` to the DataLoader for anything else)',
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
