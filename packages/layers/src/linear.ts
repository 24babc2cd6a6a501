/**
 * Fully connected and reshaping layers: `Linear`, `Identity`, `Flatten`, `Unflatten`.
 *
 * ```ts
 * const fc = new Linear(784, 300);          // weight [300, 784], bias [300]
 * fc.call(x).shape;                         // x [N, 784] -> [N, 300]
 * new Flatten().call(images).shape;         // [N, 1, 28, 28] -> [N, 784]
 * new Unflatten(1, [1, 28, 28]).call(v);    // [N, 784] -> [N, 1, 28, 28]
 * ```
 */
import { Parameter, Variable, flatten, linear, reshape } from '@dl/autograd';
import { ShapeError, ValueError, checkOptions, fmtShape, optionKeys, type Generator } from '@dl/tensor';
import { floatInput, pyRepr } from './checks';
import { emptyParameter, kaimingUniform, uniform } from './init';
import { Module, asVariable, type Input } from './module';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: the global one, see `manualSeed`). */
  generator?: Generator;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

const LINEAR_OPTIONS = optionKeys<LinearOptions>({ bias: true, generator: true, dtype: true });

/**
 * Checks that layer sizes are non-negative integers.
 * @internal
 */
export function checkSize(label: string, name: string, v: number, min = 0): void {
  if (!Number.isInteger(v) || v < min) throw new ValueError(`${label}: ${name} must be an integer >= ${min}, got ${v}`);
}

/**
 * Applies an affine map to the last dim: `y = x W^T + b`.
 *
 * Shapes: input `(*, in_features)` -> output `(*, out_features)`; `weight` `(out_features,
 * in_features)`, `bias` `(out_features)`.
 *
 * Initialisation (PyTorch's): `weight` by Kaiming uniform with `a = sqrt(5)`, which is
 * `U(-1/sqrt(in_features), 1/sqrt(in_features))`, and `bias` from the same range.
 *
 * ```ts
 * const fc = new Linear(784, 300);
 * fc.toString();          // 'Linear(in_features=784, out_features=300, bias=True)'
 * fc.call(x).shape;       // [32, 784] -> [32, 300]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `(out_features, in_features)`. */
  weight: Parameter;
  /** `(out_features)`, or null with `{ bias: false }`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkOptions('Linear', opts, LINEAR_OPTIONS);
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = emptyParameter([outFeatures, inFeatures], opts.dtype);
    this.bias = opts.bias === false ? null : emptyParameter([outFeatures], opts.dtype);
    this.resetParameters(opts.generator);
  }

  /** Draws fresh initial values (PyTorch's `reset_parameters`). */
  resetParameters(generator?: Generator): void {
    if (this.inFeatures > 0 && this.outFeatures > 0) kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform(this.bias, -bound, bound, { generator });
    }
  }

  forward(x: Input): Variable {
    const label = `Linear(${this.inFeatures} -> ${this.outFeatures})`;
    const v = floatInput(label, x, this.weight.dtype);
    if (v.ndim === 0 || v.shape[v.ndim - 1] !== this.inFeatures) {
      const got = v.ndim === 0 ? 'a 0-D input' : `an input with ${v.shape[v.ndim - 1]} features in its last dim ${fmtShape(v.shape)}`;
      throw new ShapeError(`${label}: got ${got}, expected ${this.inFeatures} (input shape [*, ${this.inFeatures}])`);
    }
    return linear(v, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}

/** Returns its input unchanged (as a Variable): a placeholder, e.g. to switch a layer off. */
export class Identity extends Module {
  forward(x: Input): Variable {
    return asVariable(x);
  }
}

/**
 * Flattens dims `startDim..endDim` into one (default: all but the batch dim, as PyTorch).
 *
 * Shapes: `(N, C, H, W)` -> `(N, C*H*W)` with the defaults.
 *
 * ```ts
 * new Flatten().call(x).shape;        // [32, 1, 28, 28] -> [32, 784]
 * new Flatten(0).call(x).shape;       // -> [25088]
 * ```
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim)) {
      throw new ValueError(`Flatten: startDim and endDim must be integers, got ${startDim} and ${endDim}`);
    }
  }

  forward(x: Input): Variable {
    const v = asVariable(x);
    const nd = Math.max(v.ndim, 1);
    const s = this.startDim < 0 ? this.startDim + nd : this.startDim;
    const e = this.endDim < 0 ? this.endDim + nd : this.endDim;
    if (s < 0 || s >= nd || e < 0 || e >= nd || s > e) {
      throw new ShapeError(
        `Flatten(start_dim=${this.startDim}, end_dim=${this.endDim}): does not fit a ${v.ndim}-D input ${fmtShape(v.shape)}; ` +
          'startDim and endDim must be dims of the input with startDim <= endDim',
      );
    }
    return flatten(v, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize` (one entry may be -1, inferred): the inverse of Flatten.
 *
 * ```ts
 * new Unflatten(1, [1, 28, 28]).call(x).shape;  // [32, 784] -> [32, 1, 28, 28]
 * new Unflatten(-1, [2, -1]).call(y).shape;     // [4, 6] -> [4, 2, 3]
 * ```
 */
export class Unflatten extends Module {
  readonly unflattenedSize: readonly number[];

  constructor(
    readonly dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ValueError(`Unflatten: dim must be an integer, got ${dim}`);
    const bad = unflattenedSize.some((s) => !Number.isInteger(s) || s < -1);
    if (bad || unflattenedSize.length === 0 || unflattenedSize.filter((s) => s === -1).length > 1) {
      throw new ValueError(
        `Unflatten: unflattenedSize must be a non-empty list of sizes >= 0 with at most one -1, got ${fmtShape(unflattenedSize)}`,
      );
    }
    this.unflattenedSize = [...unflattenedSize];
  }

  forward(x: Input): Variable {
    const v = asVariable(x);
    const label = `Unflatten(dim=${this.dim}, unflattened_size=${pyRepr(this.unflattenedSize)})`;
    const d = this.dim < 0 ? this.dim + v.ndim : this.dim;
    if (d < 0 || d >= v.ndim) throw new ShapeError(`${label}: dim ${this.dim} is out of range for a ${v.ndim}-D input ${fmtShape(v.shape)}`);
    const n = v.shape[d];
    const known = this.unflattenedSize.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const sizes = this.unflattenedSize.map((s) => (s === -1 ? (known === 0 ? 0 : n / known) : s));
    if (sizes.reduce((a, b) => a * b, 1) !== n || sizes.some((s) => !Number.isInteger(s))) {
      throw new ShapeError(`${label}: dim ${this.dim} of the input ${fmtShape(v.shape)} has size ${n}, which does not split into ${fmtShape(this.unflattenedSize)}`);
    }
    return reshape(v, [...v.shape.slice(0, d), ...sizes, ...v.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyRepr(this.unflattenedSize)}`;
  }
}
