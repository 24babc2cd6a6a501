/**
 * The argument forms of the reductions, in one place: Tensor's methods, Variable's methods and
 * autograd's free functions all read their arguments through these parsers, so every reduction
 * takes PyTorch's positional forms alongside the options object, and rejects anything else (a
 * string or fractional dim, an unknown option, one argument too many) with a message that names
 * the op and shows the forms it accepts:
 *
 * | parser           | ops                                     | forms                                                    |
 * |------------------|-----------------------------------------|----------------------------------------------------------|
 * | `reduceArgs`     | sum, mean, prod, amax, amin, logsumexp  | `f()`, `f(dim, keepdim?)`, `f([dims], keepdim?)`, `f({ dim, keepdim })` |
 * | `extremeArgs`    | max, min, argmax, argmin                | `f()`, `f(dim, keepdim?)`, `f({ dim, keepdim })` (one dim) |
 * | `varArgs`        | var, std                                | `f()`, `f(unbiased)`, `f(dim, unbiased?, keepdim?)`, `f([dims], unbiased?, keepdim?)`, `f({ dim, unbiased \| correction, keepdim })` |
 * | `dimArg`         | softmax, logSoftmax, cumsum             | `f(dim)`, `f({ dim })`                                   |
 *
 * ```ts
 * x.sum(1);                          // PyTorch's x.sum(1)
 * x.sum(1, true);                    // x.sum(1, keepdim=True)
 * x.sum({ dim: 1, keepdim: true });  // the same
 * x.argmax(1);                       // x.argmax(1): indices along dim 1
 * x.sum('1');                        // ValueError: sum: expected sum(), sum(dim, keepdim?), ... ; got sum('1')
 * ```
 *
 * A trailing `undefined` counts as omitted (`f(undefined)` is `f()`), as for any optional JS
 * parameter. Dims out of range are left to `normalizeDim(s)`, which names the shape.
 */
import { ValueError } from './errors';

/** One dim or a list of dims. */
export type DimArg = number | readonly number[];

/** Options of reductions. `dim` omitted reduces over every dim. */
export interface ReduceOptions {
  dim?: DimArg;
  keepdim?: boolean;
}

/**
 * Options of `var` / `std`. The sum of squared deviations is divided by `n - correction`:
 * `correction: 1` (the default, Bessel's correction; `unbiased: true`) or `0` (`unbiased: false`).
 * Give `unbiased` or `correction`, not both.
 */
export interface VarOptions extends ReduceOptions {
  unbiased?: boolean;
  correction?: number;
}

/** Options of the reductions along one dim (`max`, `min`, `argmax`, `argmin`). */
export interface DimOptions {
  dim?: number;
  keepdim?: boolean;
}

/** The argument lists `reduceArgs` accepts (for rest parameters that forward them). */
export type ReduceArgs = [opts?: ReduceOptions] | [dim: DimArg | undefined, keepdim?: boolean];
/** The argument lists `extremeArgs` accepts. */
export type ExtremeArgs = [opts?: DimOptions] | [dim: number | undefined, keepdim?: boolean];
/** The argument lists `varArgs` accepts. */
export type VarArgs = [opts?: VarOptions] | [unbiased: boolean] | [dim: DimArg | undefined, unbiased?: boolean, keepdim?: boolean];
/** The argument lists `dimArg` accepts. */
export type DimArgs = [dim: number] | [opts: { dim: number }];

/** What the parsers return: `dim` undefined means every dim. */
export interface ReduceSpec {
  dim: DimArg | undefined;
  keepdim: boolean;
}
export interface ExtremeSpec {
  dim: number | undefined;
  keepdim: boolean;
}
export interface VarSpec extends ReduceSpec {
  /** Divide by `n - correction` (clamped at 0, as PyTorch). */
  correction: number;
}

/** `sum`, `mean`, `prod`, `amax`, `amin`, `logsumexp`: all dims, one dim or a list of dims. */
export function reduceArgs(op: string, args: readonly unknown[]): ReduceSpec {
  const forms = `${op}(), ${op}(dim, keepdim?), ${op}([dims], keepdim?) or ${op}({ dim, keepdim })`;
  const p = new Parser(op, forms, args);
  if (p.n === 0) return { dim: undefined, keepdim: false };
  const o = p.options(['dim', 'keepdim']);
  if (o) return { dim: p.dims(o.dim, 'dim'), keepdim: p.bool(o.keepdim, 'keepdim') };
  p.atMost(2);
  return { dim: p.dims(p.args[0], 'dim'), keepdim: p.bool(p.args[1], 'keepdim') };
}

/**
 * `max`, `min`, `argmax`, `argmin`: one dim (no lists). With `requireDim` (max, min), a call with
 * arguments must give the dim: `max()` is the overall max, `max(dim)` values and indices.
 */
export function extremeArgs(op: string, args: readonly unknown[], requireDim = false): ExtremeSpec {
  const forms = `${op}(), ${op}(dim, keepdim?) or ${op}({ dim, keepdim })`;
  const hint =
    op === 'max' || op === 'min'
      ? ` (for the elementwise ${op}imum of two tensors use ${op}imum(other))`
      : '';
  const p = new Parser(op, forms, args, hint);
  if (p.n === 0) return { dim: undefined, keepdim: false };
  const o = p.options(['dim', 'keepdim']);
  const [dim, keepdim] = o ? [o.dim, o.keepdim] : (p.atMost(2), [p.args[0], p.args[1]]);
  return { dim: p.dim(dim, 'dim', requireDim), keepdim: p.bool(keepdim, 'keepdim') };
}

/**
 * `var`, `std`: PyTorch's `var(dim, unbiased, keepdim)` and `var(unbiased)` positional forms, or
 * `{ dim, unbiased, correction, keepdim }`.
 */
export function varArgs(op: string, args: readonly unknown[]): VarSpec {
  const forms =
    `${op}(), ${op}(unbiased), ${op}(dim, unbiased?, keepdim?), ${op}([dims], unbiased?, keepdim?) ` +
    `or ${op}({ dim, unbiased, correction, keepdim })`;
  const p = new Parser(op, forms, args);
  if (p.n === 0) return { dim: undefined, keepdim: false, correction: 1 };
  const o = p.options(['dim', 'unbiased', 'correction', 'keepdim']);
  if (o) {
    if (o.unbiased !== undefined && o.correction !== undefined) p.fail('give unbiased or correction, not both');
    const correction =
      o.correction !== undefined ? p.correction(o.correction) : p.bool(o.unbiased, 'unbiased', true) ? 1 : 0;
    return { dim: p.dims(o.dim, 'dim'), keepdim: p.bool(o.keepdim, 'keepdim'), correction };
  }
  if (typeof p.args[0] === 'boolean') {
    p.atMost(1); // var(unbiased)
    return { dim: undefined, keepdim: false, correction: p.args[0] ? 1 : 0 };
  }
  p.atMost(3);
  return {
    dim: p.dims(p.args[0], 'dim'),
    correction: p.bool(p.args[1], 'unbiased', true) ? 1 : 0,
    keepdim: p.bool(p.args[2], 'keepdim'),
  };
}

/** `softmax`, `logSoftmax`, `cumsum`: exactly one dim, `f(dim)` or `f({ dim })`. */
export function dimArg(op: string, args: readonly unknown[]): number {
  const p = new Parser(op, `${op}(dim) or ${op}({ dim })`, args);
  const o = p.n > 0 ? p.options(['dim']) : null;
  if (!o) p.atMost(1);
  return p.dim(o ? o.dim : p.args[0], 'dim', true) as number;
}

/** Reads one argument list, failing with the op's accepted forms and what was given. */
class Parser {
  /** The arguments without trailing undefineds. */
  readonly args: readonly unknown[];

  constructor(
    private readonly op: string,
    private readonly forms: string,
    private readonly given: readonly unknown[],
    private readonly hint = '',
  ) {
    let n = given.length;
    while (n > 0 && given[n - 1] === undefined) n--;
    this.args = given.slice(0, n);
  }

  get n(): number {
    return this.args.length;
  }

  fail(reason: string): never {
    const got = `${this.op}(${this.given.map(describeArg).join(', ')})`;
    throw new ValueError(`${this.op}: expected ${this.forms}; got ${got}: ${reason}${this.hint}`);
  }

  atMost(k: number): void {
    if (this.n > k) this.fail(`${this.n} arguments, at most ${k} in this form`);
  }

  /** The options object when the first argument is one (then it must be the only argument). */
  options(keys: readonly string[]): Record<string, unknown> | null {
    const a = this.args[0];
    if (!isPlainObject(a)) {
      if (a !== null && typeof a === 'object' && !Array.isArray(a)) {
        this.fail(`a ${a.constructor?.name ?? 'object'} is neither a dim nor an options object`);
      }
      return null;
    }
    if (this.n > 1) this.fail('the options object must be the only argument');
    const unknown = Object.keys(a).filter((k) => !keys.includes(k));
    if (unknown.length > 0) {
      const list = unknown.map((k) => `'${k}'`).join(', ');
      this.fail(`unknown option${unknown.length > 1 ? 's' : ''} ${list} (known: ${keys.join(', ')})`);
    }
    return a;
  }

  /** One integer dim; undefined allowed unless `required`. */
  dim(v: unknown, what: string, required = false): number | undefined {
    if (v === undefined) {
      if (required) this.fail(`${what} is required`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.fail(`${what} must be an integer${Array.isArray(v) ? ' (one dim, not a list)' : ''}`);
    }
    return v;
  }

  /** An integer dim or a list of integer dims; undefined for all dims. */
  dims(v: unknown, what: string): DimArg | undefined {
    if (Array.isArray(v)) {
      if (!v.every((d) => typeof d === 'number' && Number.isInteger(d))) this.fail(`${what} must be a list of integers`);
      return v as readonly number[];
    }
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v))) {
      this.fail(`${what} must be an integer or a list of integers`);
    }
    return v;
  }

  bool(v: unknown, what: string, dflt = false): boolean {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(`${what} must be a boolean`);
    return v;
  }

  correction(v: unknown): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail('correction must be a finite number');
    return v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An argument as it would be written in a call: `'1'`, `1.5`, `[0, 1]`, `{ dim: 1 }`, `Tensor`. */
export function describeArg(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol' || typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) {
    return Object.is(v, -0) ? '-0' : String(v);
  }
  if (Array.isArray(v)) return `[${v.map(describeArg).join(', ')}]`;
  if (isPlainObject(v)) {
    const entries = Object.entries(v).map(([k, x]) => `${k}: ${describeArg(x)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  const obj = v as { constructor?: { name?: string }; shape?: unknown };
  const name = obj.constructor?.name ?? 'object';
  return Array.isArray(obj.shape) ? `${name} of shape [${obj.shape.join(', ')}]` : name;
}
