/**
 * Printing tensors the way PyTorch 1.13's `str(tensor)` does, character for character.
 *
 * ```ts
 * formatTensor(new Float32Array([1, 2.5, -3, 0.1, 5, 6]), [2, 3], 'float32');
 * // tensor([[ 1.0000,  2.5000, -3.0000],
 * //         [ 0.1000,  5.0000,  6.0000]])
 *
 * formatTensor([1, 2, 3], [3], 'float64', { requiresGrad: true });
 * // tensor([1., 2., 3.], dtype=float64, requires_grad=True)
 *
 * setPrintOptions({ precision: 2 });
 * formatTensor([Math.PI], [], 'float32'); // tensor(3.14)
 * ```
 *
 * How a tensor is printed:
 *
 * - One element formatter is shared by the whole tensor (or, when the tensor is summarized, by the
 *   elements that are shown), so every element gets the same width and the columns line up.
 * - Floating tensors whose finite non-zero elements are all integers print as `1.` ("int mode");
 *   otherwise elements print with `precision` decimals (`1.5000`). Scientific notation
 *   (`1.0000e-05`) is picked automatically when max/min of the finite non-zero absolute values is
 *   over 1000, the max is over 1e8 or (outside int mode) the min is under 1e-4; `sciMode` in the
 *   print options overrides the choice (the width is still the one of the automatic choice, as in
 *   PyTorch).
 * - Numbers are rounded exactly, half to even, as Python's `format` does; float32 elements are
 *   printed through their exact double value (0.1f prints as `0.1000`).
 * - A tensor with more than `threshold` elements is summarized: every dim longer than
 *   `2 * edgeitems` shows its first and last `edgeitems` entries around a `...`.
 * - The innermost rows wrap at `linewidth` characters; continuation lines and nested rows are
 *   indented under the opening bracket; 3-D and deeper blocks are separated by blank lines.
 * - Suffixes follow the data: `dtype=...` when the dtype is not a default one, then
 *   `grad_fn=<...>` or `requires_grad=True`. A suffix that would pass `linewidth` starts a new line.
 *
 * Differences from PyTorch, all coming from @dl's dtypes:
 *
 * - The dtype suffix names @dl's dtype as it is written in JavaScript (`{ dtype: 'float64' }`):
 *   `dtype=float64`, not `dtype=torch.float64` (there is no `torch` here). Lines still break where
 *   PyTorch's do: a suffix is measured as PyTorch's longer one.
 * - `int32` is @dl's default integer dtype (PyTorch's is int64), so a non-empty int32 tensor prints
 *   without `dtype=int32`, as an int64 tensor does in PyTorch. Empty tensors keep the suffix
 *   for every dtype except float32, as PyTorch does (`tensor([], dtype=int32)`).
 * - `setPrintOptions` only changes the options it is given; `torch.set_printoptions` also resets
 *   `sci_mode` to `None` whenever it is called without it.
 */
import type { DType } from './dtype';
import { ShapeError, ValueError } from './errors';
import { checkOptions, optionKeys } from './options';

/** Options of {@link formatTensor}; see {@link setPrintOptions}. */
export interface PrintOptions {
  /** Digits after the decimal point of floating elements (default 4). */
  precision: number;
  /** Tensors with more elements than this are summarized with `...` (default 1000). */
  threshold: number;
  /** Entries shown at each end of a summarized dim (default 3). */
  edgeitems: number;
  /** Characters per line before rows wrap (default 80). */
  linewidth: number;
  /** Force (true) or forbid (false) scientific notation; null picks it automatically (default). */
  sciMode: boolean | null;
}

/** PyTorch's default print options (`torch.set_printoptions(profile='default')`). */
export const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
});

let printOptions: PrintOptions = { ...DEFAULT_PRINT_OPTIONS };

/**
 * Change the options every later {@link formatTensor} call uses, like `torch.set_printoptions`.
 * Options not given keep their current value.
 *
 * ```ts
 * setPrintOptions({ threshold: 5 });
 * formatTensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10], 'int32'); // tensor([0, 1, 2,  ..., 7, 8, 9])
 * ```
 */
export function setPrintOptions(opts: Partial<PrintOptions>): void {
  checkOptions('setPrintOptions', opts, PRINT_OPTIONS);
  const next: PrintOptions = { ...printOptions, ...opts };
  checkCount('precision', next.precision, 0);
  checkCount('edgeitems', next.edgeitems, 0);
  checkCount('linewidth', next.linewidth, 1);
  if (typeof next.threshold !== 'number' || Number.isNaN(next.threshold) || next.threshold < 0) {
    throw new ValueError(`setPrintOptions: threshold must be a number >= 0 (or Infinity), got ${String(next.threshold)}`);
  }
  if (next.sciMode !== null && typeof next.sciMode !== 'boolean') {
    throw new ValueError(`setPrintOptions: sciMode must be true, false or null, got ${String(next.sciMode)}`);
  }
  printOptions = next;
}

/** A copy of the current print options. */
export function getPrintOptions(): PrintOptions {
  return { ...printOptions };
}

/** Restore {@link DEFAULT_PRINT_OPTIONS}. */
export function resetPrintOptions(): void {
  printOptions = { ...DEFAULT_PRINT_OPTIONS };
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new ValueError(`setPrintOptions: ${name} must be an integer >= ${min}, got ${String(v)}`);
  }
}

/** The keys setPrintOptions accepts (PyTorch's `sci_mode` is `sciMode`: an unknown key is a ValueError). */
const PRINT_OPTIONS = optionKeys<PrintOptions>({ precision: true, threshold: true, edgeitems: true, linewidth: true, sciMode: true });

/** Extra parts of the printed text that do not come from the data. */
export interface FormatTensorOptions {
  /** Name before the opening parenthesis (default `'tensor'`). */
  prefix?: string;
  /** Append `requires_grad=True` (ignored when `gradFn` is given, as in PyTorch). */
  requiresGrad?: boolean;
  /**
   * Name of the node that made the tensor, printed as `grad_fn=<name>`. A name that does not end
   * in a digit gets PyTorch's overload number 0: `'MulBackward'` prints as `grad_fn=<MulBackward0>`.
   */
  gradFn?: string;
}

const FORMAT_TENSOR_OPTIONS = optionKeys<FormatTensorOptions>({ prefix: true, requiresGrad: true, gradFn: true });

/**
 * The text `str(tensor)` gives in PyTorch 1.13 for a tensor of `shape` and `dtype` whose elements
 * are `values` in row-major order (bool elements as 0/1).
 *
 * ```ts
 * formatTensor([1, 0, 1], [3], 'bool');                       // tensor([ True, False,  True])
 * formatTensor([1e-5, 1], [2], 'float32');                    // tensor([1.0000e-05, 1.0000e+00])
 * formatTensor([], [0, 3], 'int32');                          // tensor([], size=(0, 3), dtype=int32)
 * formatTensor([2, 4], [2], 'float32', { gradFn: 'MulBackward' });
 * // tensor([2., 4.], grad_fn=<MulBackward0>)
 * ```
 */
export function formatTensor(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType,
  opts: FormatTensorOptions = {},
): string {
  checkOptions('formatTensor', opts, FORMAT_TENSOR_OPTIONS);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`formatTensor: invalid shape [${shape.join(', ')}]`);
  }
  if (values.length !== numel) {
    throw new ShapeError(
      `formatTensor: shape [${shape.join(', ')}] has ${numel} elements but ${values.length} values were given`,
    );
  }
  const po = printOptions;
  const head = (opts.prefix ?? 'tensor').replace(/\($/, '') + '(';
  const indent = head.length;
  const suffixes: string[] = [];
  let body: string;

  if (numel === 0) {
    // Like NumPy, the size is shown unless it is (0,); the dtype is shown unless it is the default
    // float dtype, since there is no element to tell it by.
    if (shape.length !== 1) suffixes.push(`size=${pythonTuple(shape)}`);
    if (dtype !== 'float32') suffixes.push(`dtype=${dtype}`);
    body = '[]';
  } else {
    if (dtype === 'float64') suffixes.push('dtype=float64');
    const data = dtype === 'float32' ? Array.from(values, Math.fround) : Array.from(values);
    body = tensorBody(data, shape, dtype, indent, po);
  }

  if (opts.gradFn !== undefined) {
    const name = /\d$/.test(opts.gradFn) ? opts.gradFn : `${opts.gradFn}0`;
    suffixes.push(`grad_fn=<${name}>`);
  } else if (opts.requiresGrad === true) {
    suffixes.push('requires_grad=True');
  }
  return addSuffixes(head + body, suffixes, indent, po.linewidth);
}

/** Append `, suffix` for each suffix, starting a new line when the current one would get too long. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  // PyTorch measures the last line as its length + 2 when there is one line and its length + 1
  // otherwise (the position after the last '\n'); kept as is so that the breaks fall where its do.
  let lastLineLen = text.length - text.lastIndexOf('\n') + 1;
  let out = text;
  for (const suffix of suffixes) {
    // measured as PyTorch's `dtype=torch.<name>`, so that the lines break where PyTorch's do
    const width = suffix.startsWith('dtype=') ? suffix.length + 'torch.'.length : suffix.length;
    if (lastLineLen + width + 2 > linewidth) {
      out += `,\n${' '.repeat(indent)}${suffix}`;
      lastLineLen = indent + width;
    } else {
      out += `, ${suffix}`;
      lastLineLen += width + 2;
    }
  }
  return out + ')';
}

/** Python's `str(tuple(shape))`: `(0,)`, `(2, 0, 3)`. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/** The bracketed data of a non-empty tensor, e.g. `[[1, 2],\n        [3, 4]]`. */
function tensorBody(data: readonly number[], shape: readonly number[], dtype: DType, indent: number, po: PrintOptions): string {
  const ndim = shape.length;
  const strides = new Array<number>(ndim);
  for (let d = ndim - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const summarize = data.length > po.threshold;
  // The indices (along one dim) that are printed; null marks the `...` in between.
  const shown = (size: number): (number | null)[] => {
    if (!summarize || size <= 2 * po.edgeitems) return range(0, size);
    return [...range(0, po.edgeitems), null, ...range(size - po.edgeitems, size)];
  };

  // The formatter is built from the elements that are printed only.
  const sample: number[] = [];
  const collect = (offset: number, dim: number): void => {
    if (dim === ndim) {
      sample.push(data[offset]);
      return;
    }
    for (const i of shown(shape[dim])) if (i !== null) collect(offset + i * strides[dim], dim + 1);
  };
  collect(0, 0);
  const fmt = makeFormatter(sample, dtype, po);

  const render = (offset: number, dim: number, ind: number): string => {
    if (dim === ndim) return fmt.format(data[offset]); // 0-d tensor
    const idx = shown(shape[dim]);
    if (dim === ndim - 1) {
      // One row: `width + 2` characters per element (", " included), wrapped under the bracket.
      const perLine = Math.max(1, Math.floor((po.linewidth - ind) / (fmt.width + 2)));
      const items = idx.map((i) => (i === null ? ' ...' : fmt.format(data[offset + i * strides[dim]])));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
    }
    // Sub-tensors, one per line, with (ndim - dim - 2) blank lines between them.
    const parts = idx.map((i) => (i === null ? '...' : render(offset + i * strides[dim], dim + 1, ind + 1)));
    return `[${parts.join(`,${'\n'.repeat(ndim - dim - 1)}${' '.repeat(ind + 1)}`)}]`;
  };
  return render(0, 0, indent);
}

function range(start: number, end: number): number[] {
  const r: number[] = [];
  for (let i = start; i < end; i++) r.push(i);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Element formatting
// ---------------------------------------------------------------------------------------------

/** Formats single elements, padded on the left to a common width. */
interface ElementFormatter {
  readonly width: number;
  format(v: number): string;
}

/** Choose the notation and the width from the elements that will be printed. */
function makeFormatter(sample: readonly number[], dtype: DType, po: PrintOptions): ElementFormatter {
  const p = po.precision;
  if (dtype === 'bool' || dtype === 'int32') {
    const str = dtype === 'bool' ? (v: number) => (v !== 0 ? 'True' : 'False') : (v: number) => String(v);
    const width = sample.reduce((w, v) => Math.max(w, str(v).length), 1);
    return { width, format: (v) => str(v).padStart(width) };
  }

  const nonzeroFinite = sample.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sci = false;
  let width = 1;
  if (nonzeroFinite.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const v of nonzeroFinite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
    }
    intMode = nonzeroFinite.every(Number.isInteger);
    const wide = max / min > 1000 || max > 1e8;
    let widthOf: (v: number) => number;
    if (intMode) {
      sci = wide;
      // '+ 1' for the '.' that marks the value as floating
      widthOf = sci ? (v) => formatExponential(v, p).length : (v) => formatFixed(v, 0).length + 1;
    } else {
      sci = wide || min < 1e-4;
      widthOf = sci ? (v) => formatExponential(v, p).length : (v) => formatFixed(v, p).length;
    }
    for (const v of nonzeroFinite) width = Math.max(width, widthOf(v));
    // The forced notation applies only when some element is finite and non-zero (as in PyTorch).
    if (po.sciMode !== null) sci = po.sciMode;
  }

  const w = width;
  const format = (v: number): string => {
    let s: string;
    if (sci) s = formatExponential(v, p);
    else if (intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, p);
    return s.padStart(w);
  };
  return { width: w, format };
}

/** Python's `'{:.Nf}'.format(v)`: exact, rounded half to even, sign kept on -0 (`-0.0000`). */
export function formatFixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return sign + (digits > 0 ? `0.${'0'.repeat(digits)}` : '0');
  const s = roundScaled(Math.abs(v), digits).toString().padStart(digits + 1, '0');
  return sign + (digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s);
}

/** Python's `'{:.Ne}'.format(v)`: `1.2346e+05`, exponent with at least two digits. */
export function formatExponential(v: number, digits: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  const a = Math.abs(v);
  let mantissa: string;
  let exp = 0;
  if (a === 0) {
    mantissa = '0'.repeat(digits + 1);
  } else {
    // Find exp with 10^digits <= round(a / 10^(exp - digits)) < 10^(digits + 1).
    exp = Math.floor(Math.log10(a));
    const lo = 10n ** BigInt(digits);
    const hi = lo * 10n;
    let n = roundScaled(a, digits - exp);
    while (n >= hi || n < lo) {
      exp += n >= hi ? 1 : -1;
      n = roundScaled(a, digits - exp);
    }
    mantissa = n.toString();
  }
  const m = digits > 0 ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${m}e${e}`;
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

const f64 = new DataView(new ArrayBuffer(8));

/** `a * 10^pow10` rounded to an integer, half to even, computed exactly (`a` finite and > 0). */
function roundScaled(a: number, pow10: number): bigint {
  // a = mant * 2^exp2 exactly
  f64.setFloat64(0, a);
  const hiWord = f64.getUint32(0);
  const biased = (hiWord >>> 20) & 0x7ff;
  let mant = (BigInt(hiWord & 0xfffff) << 32n) | BigInt(f64.getUint32(4));
  let exp2 = -1074; // subnormal
  if (biased !== 0) {
    mant |= 1n << 52n;
    exp2 = biased - 1075;
  }
  let num = mant;
  let den = 1n;
  if (exp2 >= 0) num <<= BigInt(exp2);
  else den <<= BigInt(-exp2);
  if (pow10 >= 0) num *= 10n ** BigInt(pow10);
  else den *= 10n ** BigInt(-pow10);
  let q = num / den;
  const twiceRem = 2n * (num % den);
  if (twiceRem > den || (twiceRem === den && (q & 1n) === 1n)) q += 1n;
  return q;
}
