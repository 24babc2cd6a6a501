/**
 * Normalization layers: `BatchNorm1d`, `BatchNorm2d` (statistics over the batch, running averages
 * for evaluation) and `LayerNorm` (statistics over the last dims of each sample).
 *
 * Both normalize `x_hat = (x - mean) / sqrt(var + eps)` (biased variance) and then apply
 * `y = x_hat * weight + bias`. The training-mode computation is one fused differentiable Function
 * ({@link BatchNormTrain}, {@link NormalizeAffine}) whose backward is the closed form
 *
 *   g = gy * weight,   gx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)
 *   gweight = sum(gy * x_hat),   gbias = sum(gy)
 *
 * (means over the normalized dims, sums over the others), instead of a chain of ~10 recorded ops.
 * Without `createGraph` the backward works on the Tensors saved by forward; with `createGraph` it
 * recomputes the statistics with Variable ops from x, so the gradient can be differentiated again.
 *
 * ```ts
 * const bn = new BatchNorm2d(16);
 * bn.call(x);                 // training: batch statistics, running stats updated
 * bn.eval().call(x);          // evaluation: running statistics
 * new LayerNorm(512).call(h); // h [N, T, 512], each h[n, t] normalized
 * ```
 */
import { Function, Parameter, Variable, add, div, isGradEnabled, mean, mul, noGrad, reshape, sqrt, sub, sumTo } from '@dl/autograd';
import { ShapeError, Tensor, ValueError, checkOptions, fmtShape, onesLike, optionKeys, zeros } from '@dl/tensor';
import { floatInput, paramDType, pyNumber, pyRepr } from './checks';
import { emptyParameter, ones as initOnes, zeros as initZeros } from './init';
import { checkSize } from './linear';
import { Module, type Input } from './module';

/**
 * The closed-form gradients with Variable ops, recomputing the statistics from x: differentiable,
 * for `createGraph` (and the reference the fast paths are checked against).
 */
function composedGrads(
  gy: Variable,
  x: Variable,
  w: Variable | undefined,
  b: Variable | undefined,
  dims: readonly number[],
  eps: number,
): (Variable | null)[] {
  const o = { dim: [...dims], keepdim: true };
  const xc = sub(x, mean(x, o));
  const std = sqrt(add(mean(mul(xc, xc), o), eps));
  const xhat = div(xc, std);
  const g = w === undefined ? gy : mul(gy, w);
  const gx = x.requiresGrad ? div(sub(sub(g, mean(g, o)), mul(xhat, mean(mul(g, xhat), o))), std) : null;
  const gw = w?.requiresGrad ? sumTo(mul(gy, xhat), w.shape) : null;
  const gb = b?.requiresGrad ? sumTo(gy, b.shape) : null;
  return [gx, gw, gb];
}

/**
 * `y = (x - mean_D(x)) / sqrt(var_D(x) + eps) * w + b`, the means and the (biased) variance over the
 * dims D, `w` and `b` broadcasting against x (any shape, e.g. LayerNorm's normalized shape).
 * Inputs: `x`, or `x, w, b`. Backward: the closed form (see the module docs).
 */
export class NormalizeAffine extends Function {
  private xhat: Tensor | null = null;
  private std: Tensor | null = null;

  constructor(
    private readonly dims: readonly number[],
    private readonly eps: number,
  ) {
    super();
  }

  forward(x: Tensor, w?: Tensor, b?: Tensor): Tensor {
    const o = { dim: [...this.dims], keepdim: true };
    const xc = x.sub(x.mean(o));
    const std = xc.mul(xc).mean(o).add(this.eps).sqrt();
    const xhat = xc.div(std);
    this.xhat = xhat;
    this.std = std;
    if (w === undefined || b === undefined) return xhat;
    return xhat.mul(w).add(b);
  }

  backward(gy: Variable): (Variable | null)[] {
    const [x, w, b] = this.inputs;
    if (isGradEnabled()) return composedGrads(gy, x, w, b, this.dims, this.eps).slice(0, this.inputs.length);
    const o = { dim: [...this.dims], keepdim: true };
    const xhat = this.xhat as Tensor;
    const g = w === undefined ? gy.data : gy.data.mul(w.data);
    const gx = x.requiresGrad ? g.sub(g.mean(o)).sub(xhat.mul(g.mul(xhat).mean(o))).div(this.std as Tensor) : null;
    const gw = w?.requiresGrad ? sumTo(new Variable(gy.data.mul(xhat)), w.shape) : null;
    const gb = b?.requiresGrad ? sumTo(gy, b.shape) : null;
    return [gx && new Variable(gx), gw, gb].slice(0, this.inputs.length); // one gradient per input
  }

  override release(): void {
    super.release();
    this.xhat = null;
    this.std = null;
  }
}

/**
 * Batch normalization in training mode for x `(N, C, *)`, with `w`, `b` of shape `(C, 1, ...)`:
 * `y = (x - m) * invstd * w + b`, `m` and the biased variance per channel.
 *
 * The per-channel algebra keeps the passes over x few (broadcasting a per-channel value is the
 * costly kind of elementwise op): with `xc = x - m` saved by forward, `k = w invstd`,
 * `S = sum(gy)`, `P = sum(gy xc)` over the M values of each channel,
 *
 *   gbias = S,   gweight = invstd P,   gx = k gy - k invstd^2 P / M xc - k S / M.
 *
 * Forward exposes the batch mean and biased variance (`batchMean`, `batchVar`, keepdim shape) for
 * the running statistics.
 */
export class BatchNormTrain extends Function {
  batchMean: Tensor | null = null;
  batchVar: Tensor | null = null;
  private xc: Tensor | null = null;
  private invstd: Tensor | null = null;

  constructor(
    private readonly dims: readonly number[],
    private readonly eps: number,
  ) {
    super();
  }

  forward(x: Tensor, w?: Tensor, b?: Tensor): Tensor {
    const o = { dim: [...this.dims], keepdim: true };
    const m = x.mean(o);
    const xc = x.sub(m);
    const v = xc.mul(xc).mean(o);
    const std = v.add(this.eps).sqrt();
    const invstd = onesLike(std).div(std);
    this.batchMean = m;
    this.batchVar = v;
    this.xc = xc;
    this.invstd = invstd;
    const y = xc.mul(w === undefined ? invstd : invstd.mul(w));
    return b === undefined ? y : y.add(b);
  }

  backward(gy: Variable): (Variable | null)[] {
    const [x, w, b] = this.inputs;
    if (isGradEnabled()) return composedGrads(gy, x, w, b, this.dims, this.eps).slice(0, this.inputs.length);
    const o = { dim: [...this.dims], keepdim: true };
    const g = gy.data;
    const xc = this.xc as Tensor;
    const invstd = this.invstd as Tensor;
    const count = x.numel() / invstd.numel();
    const S = g.sum(o);
    const P = g.mul(xc).sum(o);
    let gx: Variable | null = null;
    if (x.requiresGrad) {
      const k = w === undefined ? invstd : invstd.mul(w.data);
      const c1 = k.mul(invstd).mul(invstd).mul(P).div(-count);
      const c0 = k.mul(S).div(-count);
      gx = new Variable(g.mul(k).add(xc.mul(c1)).add(c0));
    }
    const gw = w?.requiresGrad ? new Variable(invstd.mul(P).reshape(w.shape)) : null;
    const gb = b?.requiresGrad ? new Variable(S.reshape(b.shape)) : null;
    return [gx, gw, gb].slice(0, this.inputs.length); // one gradient per input
  }

  override release(): void {
    super.release();
    this.xc = null;
    this.invstd = null;
  }
}

export interface BatchNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1); null: cumulative average `1 / numBatchesTracked`. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (init 1) and shift `bias` (init 0) (default true). */
  affine?: boolean;
  /** Keep running mean/variance for evaluation (default true); if false, batch statistics are used in both modes. */
  trackRunningStats?: boolean;
  /** dtype of the parameters and running statistics (default float32). */
  dtype?: 'float32' | 'float64';
}

const BATCH_NORM_OPTIONS = optionKeys<BatchNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true, dtype: true });

/**
 * Shared implementation of BatchNorm1d / BatchNorm2d (PyTorch's `_BatchNorm`).
 *
 * Training mode: `y = (x - mean_B) / sqrt(var_B + eps) * weight + bias` with the mean and the biased
 * variance of each channel over the batch (and length / spatial) dims, and the running statistics
 * updated as
 *
 *   running_mean = (1 - momentum) running_mean + momentum mean_B
 *   running_var  = (1 - momentum) running_var  + momentum var_B * M / (M - 1)   (unbiased; M values per channel)
 *
 * Evaluation mode: the running statistics replace the batch ones. Buffers are named as PyTorch's
 * (`running_mean`, `running_var`, `num_batches_tracked` (int32 here)), so state dicts carry over.
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** `(C)`, init 1; null without `affine`. */
  weight: Parameter | null;
  /** `(C)`, init 0; null without `affine`. */
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const L = this.constructor.name;
    checkOptions(L, opts, BATCH_NORM_OPTIONS);
    checkSize(L, 'numFeatures', numFeatures, 1);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (!(this.eps >= 0)) throw new ValueError(`${L}: eps must be >= 0, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ValueError(`${L}: momentum must be in [0, 1] or null (cumulative average), got ${this.momentum}`);
    }
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.affine ? initOnes(emptyParameter([numFeatures], dtype)) : null;
    this.bias = this.affine ? initZeros(emptyParameter([numFeatures], dtype)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', zeros([numFeatures], { dtype }).fill_(1));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Running mean `(C)` (the `running_mean` buffer), or null without trackRunningStats. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** Running (unbiased) variance `(C)` (the `running_var` buffer), or null. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** Number of training batches seen (the int32 `num_batches_tracked` buffer), or null. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Resets the running statistics to mean 0, variance 1 and 0 batches. */
  resetRunningStats(): void {
    this.running_mean?.fill_(0);
    this.running_var?.fill_(1);
    this.num_batches_tracked?.fill_(0);
  }

  /** The accepted input ranks and their description, e.g. `[2, 3]`, 'a 2-D (N, C) or 3-D (N, C, L) input'. */
  protected abstract inputRanks(): [readonly number[], string];

  forward(x: Input): Variable {
    const label = `${this.constructor.name}(${this.numFeatures})`;
    const v = floatInput(label, x, paramDType(this.weight) ?? this.running_mean?.dtype ?? null);
    const [ranks, what] = this.inputRanks();
    if (!ranks.includes(v.ndim)) throw new ShapeError(`${label}: expected ${what}, got a ${v.ndim}-D input ${fmtShape(v.shape)}`);
    if (v.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `${label}: input ${fmtShape(v.shape)} has ${v.shape[1]} channels (dim 1), expected ${this.numFeatures}; ` +
          `the channels must be dim 1 (N, C, ...)`,
      );
    }
    const dims = [0, ...v.shape.slice(2).map((_, i) => i + 2)];
    const count = v.numel() / this.numFeatures;
    const useBatchStats = this.training || this.running_mean === null || this.running_var === null;
    const bshape = [this.numFeatures, ...v.shape.slice(2).map(() => 1)];
    const w = this.weight ? reshape(this.weight, bshape) : null;
    const b = this.bias ? reshape(this.bias, bshape) : null;
    if (!useBatchStats) return this.evalForward(v, w, b, bshape);
    if (count <= 1) {
      throw new ValueError(
        `${label}: expected more than 1 value per channel when training, got input ${fmtShape(v.shape)}; ` +
          'use a batch of 2 or more, or call model.eval() to normalize with the running statistics',
      );
    }
    const f = new BatchNormTrain(dims, this.eps);
    const y = w !== null && b !== null ? f.apply(v, w, b) : f.apply(v);
    if (this.training && this.trackRunningStats) this.updateRunningStats(f, count);
    return y;
  }

  private updateRunningStats(f: BatchNormTrain, count: number): void {
    const rm = this.running_mean as Tensor;
    const rv = this.running_var as Tensor;
    const nbt = this.num_batches_tracked as Tensor;
    nbt.fill_(nbt.item() + 1);
    const m = this.momentum === null ? 1 / nbt.item() : this.momentum;
    const bm = (f.batchMean as Tensor).reshape([this.numFeatures]);
    const bv = (f.batchVar as Tensor).reshape([this.numFeatures]).mul(count / (count - 1));
    rm.copy_(rm.mul(1 - m).add(bm.mul(m).to(rm.dtype)));
    rv.copy_(rv.mul(1 - m).add(bv.mul(m).to(rv.dtype)));
  }

  /** `y = x * s + (b - running_mean * s)` with `s = w / sqrt(running_var + eps)`: two passes over x. */
  private evalForward(v: Variable, w: Variable | null, b: Variable | null, bshape: number[]): Variable {
    const rm = (this.running_mean as Tensor).reshape(bshape);
    const invstd = noGrad(() => new Variable((this.running_var as Tensor).reshape(bshape).add(this.eps).sqrt()));
    const s = w === null ? div(1, invstd) : div(w, invstd);
    const shift = sub(b ?? 0, mul(rm, s));
    return add(mul(v, s), shift);
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyNumber(this.eps, true)}, momentum=${this.momentum === null ? 'None' : pyNumber(this.momentum, true)}, ` +
      `affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.trackRunningStats)}`
    );
  }
}

/**
 * Batch normalization over `(N, C)` or `(N, C, L)` inputs (statistics per channel C over N and L).
 * See {@link BatchNormBase} for the formulas.
 *
 * ```ts
 * const bn = new BatchNorm1d(100);
 * bn.call(x).shape;   // [32, 100] -> [32, 100]
 * bn.toString();      // 'BatchNorm1d(100, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)'
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  protected inputRanks(): [readonly number[], string] {
    return [[2, 3], 'a 2-D (N, C) or 3-D (N, C, L) input'];
  }
}

/**
 * Batch normalization over `(N, C, H, W)` inputs (statistics per channel C over N, H and W).
 * See {@link BatchNormBase} for the formulas.
 *
 * ```ts
 * const bn = new BatchNorm2d(16);
 * bn.call(x).shape;   // [8, 16, 32, 32] -> [8, 16, 32, 32]
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  protected inputRanks(): [readonly number[], string] {
    return [[4], 'a 4-D input (N, C, H, W)'];
  }
}

export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn `weight` (init 1) and `bias` (init 0) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

const LAYER_NORM_OPTIONS = optionKeys<LayerNormOptions>({ eps: true, elementwiseAffine: true, dtype: true });

/**
 * Functional layer normalization over the last `normalizedShape.length` dims:
 * `y = (x - mean) / sqrt(var + eps) * weight + bias` (biased variance; weight and bias of shape
 * normalizedShape, or null).
 */
export function layerNorm(
  x: Input,
  normalizedShape: readonly number[],
  weight: Variable | null = null,
  bias: Variable | null = null,
  eps = 1e-5,
): Variable {
  const v = floatInput('layerNorm', x, paramDType(weight));
  const k = normalizedShape.length;
  const tail = v.shape.slice(v.ndim - k);
  if (k === 0 || v.ndim < k || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new ShapeError(
      `LayerNorm(${pyRepr(normalizedShape)}): expected an input of shape [*, ${normalizedShape.join(', ')}], got ${fmtShape(v.shape)}`,
    );
  }
  const dims = normalizedShape.map((_, i) => v.ndim - k + i);
  if (weight !== null && bias !== null) return new NormalizeAffine(dims, eps).apply(v, weight, bias);
  // none or one of the two: normalize, then apply the one there is
  const y = new NormalizeAffine(dims, eps).apply(v);
  if (weight !== null) return mul(y, weight);
  return bias !== null ? add(y, bias) : y;
}

/**
 * Normalizes each sample over its last dims (`normalizedShape`), with a learned elementwise affine map:
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`, mean and biased variance over the last
 * `normalizedShape.length` dims. Same in training and evaluation.
 *
 * Shapes: input `(*, ...normalizedShape)` -> the same; weight and bias `normalizedShape`.
 *
 * ```ts
 * const ln = new LayerNorm(512);
 * ln.call(h).shape;  // [N, T, 512] -> [N, T, 512]
 * ln.toString();     // 'LayerNorm((512,), eps=1e-05, elementwise_affine=True)'
 * ```
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** `normalizedShape`, init 1; null without elementwiseAffine. */
  weight: Parameter | null;
  /** `normalizedShape`, init 0; null without elementwiseAffine. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', opts, LAYER_NORM_OPTIONS);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new ValueError(`LayerNorm: normalizedShape must be a size >= 1 or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape;
    this.eps = opts.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new ValueError(`LayerNorm: eps must be >= 0, got ${this.eps}`);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.elementwiseAffine ? initOnes(emptyParameter(shape, dtype)) : null;
    this.bias = this.elementwiseAffine ? initZeros(emptyParameter(shape, dtype)) : null;
  }

  forward(x: Input): Variable {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape)}, eps=${pyNumber(this.eps, true)}, elementwise_affine=${pyRepr(this.elementwiseAffine)}`;
  }
}
