/**
 * Padding, PyTorch's `F.pad`: `pad(x, [left, right, top, bottom, ...], { mode, value })` pads the
 * last dim by `left`/`right`, the one before by `top`/`bottom`, and so on.
 *
 * | mode        | padded entry at position i (i < 0 or i >= n along a dim of size n) | PyTorch's rule        |
 * |-------------|--------------------------------------------------------------------|-----------------------|
 * | 'constant'  | `value` (default 0)                                                | any padding           |
 * | 'reflect'   | x[-i] / x[2 (n - 1) - i] (mirrored, the edge not repeated)         | padding < n           |
 * | 'replicate' | x[0] / x[n - 1] (the edge repeated)                                | n >= 1                |
 * | 'circular'  | x[i mod n] (wrapped around)                                        | padding <= n          |
 *
 * ```ts
 * pad(x, [1, 1, 1, 1], { mode: 'reflect' }).shape; // [N, C, H, W] -> [N, C, H + 2, W + 2]
 * ```
 *
 * reflect, replicate and circular are `indexSelect`s along each padded dim (their gradient adds up
 * every copy of an entry, and second derivatives flow); constant padding concatenates blocks of
 * `value` (which get no gradient).
 */
import { ValueError, checkOptions, fmtShape, full, optionKeys } from '@dl/tensor';
import { Variable, toVariable, type VariableLike } from '../variable';
import { indexSelect } from './indexing';
import { cat } from './shape';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  /** How the new entries are filled (default 'constant'). */
  mode?: PadMode;
  /** The fill value of 'constant' padding (default 0). */
  value?: number;
}

export const PAD_OPTIONS = optionKeys<PadOptions>({ mode: true, value: true });
const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/**
 * Pads `x`: `padding` lists `[before, after]` pairs for the last dim, then the one before it, and
 * so on (as PyTorch's `F.pad`); each entry a non-negative integer. See the file header for the
 * modes and their limits; a padding past a limit is a ValueError naming the dim, its size and the fix.
 */
export function pad(x: VariableLike, padding: readonly number[], opts: PadOptions = {}): Variable {
  checkOptions('pad', opts, PAD_OPTIONS);
  return padImpl('pad', toVariable(x), padding, opts.mode ?? 'constant', opts.value ?? 0);
}

/**
 * {@link pad} for callers that have checked their options: `op` names the caller in messages
 * (e.g. `Conv2d(3 -> 8, kernel_size=(3, 3))`) and `modeOption` the caller's name of the mode
 * option (Conv2d's `paddingMode`).
 */
export function padImpl(op: string, x: Variable, padding: readonly number[], mode: PadMode, value = 0, modeOption = 'mode'): Variable {
  if (!MODES.includes(mode)) {
    throw new ValueError(`${op}: ${modeOption} must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
  }
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || padding.length > 2 * x.ndim) {
    throw new ValueError(
      `${op}: padding must be a list of [before, after] pairs, one pair per dim from the last (at most ${x.ndim} pairs ` +
        `for the ${x.ndim}-D input ${fmtShape(x.shape)}), got ${JSON.stringify(padding)}`,
    );
  }
  if (!padding.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ValueError(`${op}: padding must hold non-negative integers, got ${JSON.stringify(padding)}`);
  }
  if (mode === 'constant' && typeof value !== 'number') {
    throw new ValueError(`${op}: value must be a number, got ${JSON.stringify(value)}`);
  }
  let out = x;
  for (let k = 0; k < padding.length / 2; k++) {
    const dim = x.ndim - 1 - k;
    const before = padding[2 * k];
    const after = padding[2 * k + 1];
    if (before === 0 && after === 0) continue;
    const n = x.shape[dim];
    checkPadLimit(op, mode, modeOption, x.shape, dim, before, after, padding);
    if (mode === 'constant') {
      const parts: Variable[] = [];
      const block = (size: number): Variable => {
        const shape = [...out.shape];
        shape[dim] = size;
        return new Variable(full(shape, value, { dtype: out.dtype }));
      };
      if (before > 0) parts.push(block(before));
      parts.push(out);
      if (after > 0) parts.push(block(after));
      out = cat(parts, dim);
    } else {
      out = indexSelect(out, dim, padIndex(mode, n, before, after));
    }
  }
  return out;
}

/** The source index of every position `-before .. n + after - 1` of a padded dim of size n. */
export function padIndex(mode: Exclude<PadMode, 'constant'>, n: number, before: number, after: number): number[] {
  const idx: number[] = [];
  for (let i = -before; i < n + after; i++) {
    if (mode === 'replicate') idx.push(Math.min(Math.max(i, 0), n - 1));
    else if (mode === 'circular') idx.push(((i % n) + n) % n);
    else idx.push(i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  }
  return idx;
}

function checkPadLimit(op: string, mode: PadMode, modeOption: string, shape: readonly number[], dim: number, before: number, after: number, padding: readonly number[]): void {
  const n = shape[dim];
  const at = `dim ${dim} of the input ${fmtShape(shape)} has size ${n}, padded by (${before}, ${after}) (padding ${JSON.stringify(padding)})`;
  if (mode === 'reflect' && (before >= n || after >= n)) {
    throw new ValueError(
      `${op}: reflect padding must be smaller than the size of the padded dim (as in PyTorch): ${at}; ` +
        `use a padding of at most ${Math.max(n - 1, 0)}, a larger input, or ${modeOption} 'replicate' or 'circular'`,
    );
  }
  if (mode === 'circular' && (before > n || after > n)) {
    throw new ValueError(
      `${op}: circular padding may not exceed the size of the padded dim (it would wrap around more than once, ` +
        `which PyTorch refuses too): ${at}; use a padding of at most ${n} or a larger input`,
    );
  }
  if (mode === 'replicate' && n === 0) {
    throw new ValueError(`${op}: replicate padding needs a non-empty dim to repeat: ${at}`);
  }
}
