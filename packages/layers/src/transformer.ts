/**
 * Transformer blocks (Vaswani et al., 2017) as PyTorch's `torch.nn`: {@link TransformerEncoderLayer},
 * {@link TransformerDecoderLayer}, and the stacks {@link TransformerEncoder} and
 * {@link TransformerDecoder}, with PyTorch's sub-module names (so stateDict keys match PyTorch's),
 * post-LN by default and pre-LN with `normFirst`. Also {@link cloneModule}, the deep copy the
 * stacks make of their layer.
 *
 * ```ts
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, dropout: 0.1, batchFirst: true });
 * const encoder = new TransformerEncoder(layer, 2, { norm: new LayerNorm(32) });
 * const h = encoder.call(x, { srcKeyPaddingMask: pad }); // x [N, L, 32] -> [N, L, 32]
 * ```
 */
import { Parameter, Variable, add } from '@dl/autograd';
import { ShapeError, Tensor, ValueError, checkOptions, fmtShape, optionKeys, type DType, type Generator } from '@dl/tensor';
import { gelu, relu } from './activation';
import { MultiheadAttention } from './attention';
import { floatInput } from './checks';
import { ModuleList } from './containers';
import { Dropout } from './dropout';
import { Linear, checkSize } from './linear';
import { Module, type Input } from './module';
import { LayerNorm } from './normalization';

// ---- cloneModule -----------------------------------------------------------------------------------------

function cloneValue(v: unknown, memo: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v; // primitives and functions are shared
  if (memo.has(v)) return memo.get(v);
  let out: unknown;
  if (v instanceof Parameter) out = new Parameter(v.data.clone(), { requiresGrad: v.requiresGrad });
  else if (v instanceof Variable) out = new Variable(v.data.clone(), { requiresGrad: v.requiresGrad });
  else if (v instanceof Tensor) out = v.clone();
  else if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    memo.set(v, m);
    for (const [k, x] of v) m.set(k, cloneValue(x, memo));
    return m;
  } else if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(cloneValue(x, memo));
    return a;
  } else if (v instanceof Module || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    const o: object = Object.create(Object.getPrototypeOf(v) as object | null) as object;
    memo.set(v, o);
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key) as PropertyDescriptor;
      if ('value' in d) d.value = cloneValue(d.value, memo);
      Object.defineProperty(o, key, d);
    }
    return o;
  } else out = v; // other objects (a Generator, ...) are shared with the original
  memo.set(v, out);
  return out;
}

/**
 * A deep copy of a module, as Python's `copy.deepcopy(module)`: every child module is copied, every
 * Parameter and buffer gets a fresh copy of its values (equal, not shared: training one copy leaves
 * the others alone). Sharing inside the module is kept (a parameter used twice is one parameter in
 * the copy). Functions (an activation) and other objects such as a Generator are shared with the
 * original; gradients are not copied.
 *
 * ```ts
 * const a = new Linear(3, 2);
 * const b = cloneModule(a);
 * b.weight !== a.weight;                          // true
 * b.weight.data.toArray(); // equal to a.weight.data.toArray()
 * ```
 */
export function cloneModule<M extends Module>(module: M): M {
  if (!(module instanceof Module)) throw new ValueError('cloneModule: expected a Module');
  return cloneValue(module, new Map()) as M;
}

// ---- shared pieces ----------------------------------------------------------------------------------------

/** The feed-forward activation: 'relu' (default), 'gelu' (exact, erf-based), or any function. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Variable) => Variable);

function activationFn(label: string, a: TransformerActivation): (x: Variable) => Variable {
  if (a === 'relu') return (x) => relu(x);
  if (a === 'gelu') return (x) => gelu(x);
  if (typeof a === 'function') return a;
  throw new ValueError(`${label}: activation should be 'relu', 'gelu' or a function, not '${String(a)}'`);
}

export interface TransformerLayerOptions {
  /** Hidden size of the feed-forward network (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability after attention, inside and after the feed-forward network, and on the attention weights (default 0.1). */
  dropout?: number;
  /** The feed-forward activation (default 'relu'). */
  activation?: TransformerActivation;
  /** LayerNorm's eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs are `[N, L, dModel]` (true) or `[L, N, dModel]` (false, the default). */
  batchFirst?: boolean;
  /** Pre-LN (true: `x + f(norm(x))`) or post-LN (false, the default: `norm(x + f(x))`). */
  normFirst?: boolean;
  /** The source of the initial weights and dropout masks (default: the global generator). */
  generator?: Generator;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

const LAYER_OPTIONS = optionKeys<TransformerLayerOptions>({
  dimFeedforward: true,
  dropout: true,
  activation: true,
  layerNormEps: true,
  batchFirst: true,
  normFirst: true,
  generator: true,
  dtype: true,
});

interface Resolved {
  ff: number;
  p: number;
  eps: number;
  batchFirst: boolean;
  normFirst: boolean;
  act: (x: Variable) => Variable;
}

function resolve(label: string, dModel: number, nhead: number, o: TransformerLayerOptions): Resolved {
  checkOptions(label, o, LAYER_OPTIONS);
  checkSize(label, 'dModel', dModel, 1);
  checkSize(label, 'nhead', nhead, 1);
  if (dModel % nhead !== 0) throw new ValueError(`${label}: dModel (${dModel}) must be divisible by nhead (${nhead})`);
  const ff = o.dimFeedforward ?? 2048;
  checkSize(label, 'dimFeedforward', ff, 1);
  const activation = o.activation ?? 'relu';
  return {
    ff,
    p: o.dropout ?? 0.1,
    eps: o.layerNormEps ?? 1e-5,
    batchFirst: o.batchFirst ?? false,
    normFirst: o.normFirst ?? false,
    act: activationFn(label, activation),
  };
}

/** Checks a sequence input `[L, N, d]` / `[N, L, d]` / `[L, d]` of the layer's dtype. */
function checkSequence(label: string, name: string, x: Input, dModel: number, batchFirst: boolean, dtype: DType): Variable {
  const v = floatInput(`${label} (${name})`, x, dtype);
  if ((v.ndim !== 2 && v.ndim !== 3) || v.shape[v.ndim - 1] !== dModel) {
    const layout = batchFirst ? '[N, L, dModel]' : '[L, N, dModel]';
    throw new ShapeError(`${label}: ${name} must be ${layout} or unbatched [L, dModel] with dModel = ${dModel}; got ${fmtShape(v.shape)}`);
  }
  return v;
}

// ---- encoder layer ---------------------------------------------------------------------------------------

export interface TransformerEncoderLayerForwardOptions {
  /** `[L, L]` or `[N * nhead, L, L]`: bool (true = not allowed) or float (added), as MultiheadAttention's attnMask. */
  srcMask?: Input | null;
  /** `[N, L]` (`[L]` unbatched): bool (true = padding, ignored as a key) or float (added). */
  srcKeyPaddingMask?: Input | null;
  /** Causal self-attention (position i sees positions <= i); combined with srcMask if both are given. */
  isCausal?: boolean;
}

const ENCODER_LAYER_FORWARD_OPTIONS = optionKeys<TransformerEncoderLayerForwardOptions>({ srcMask: true, srcKeyPaddingMask: true, isCausal: true });

/**
 * One Transformer encoder block: self-attention and a feed-forward network, each with a residual
 * connection, dropout and LayerNorm, as `torch.nn.TransformerEncoderLayer`:
 *
 *   post-LN (default):  x = norm1(x + SA(x));        x = norm2(x + FF(x))
 *   pre-LN (normFirst): x = x + SA(norm1(x));        x = x + FF(norm2(x))
 *   SA(x) = dropout1(self_attn(x, x, x)),   FF(x) = dropout2(linear2(dropout(act(linear1(x)))))
 *
 * Shapes: src `[L, N, dModel]` (`[N, L, dModel]` with batchFirst, `[L, dModel]` unbatched) -> the
 * same. Sub-modules (PyTorch's names): `self_attn`, `linear1`, `dropout`, `linear2`, `norm1`,
 * `norm2`, `dropout1`, `dropout2`.
 *
 * ```ts
 * const layer = new TransformerEncoderLayer(16, 2, { dimFeedforward: 32, batchFirst: true, normFirst: true });
 * layer.call(x, { isCausal: true }).shape; // [N, L, 16]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  /** The feed-forward activation function. */
  readonly activation: (x: Variable) => Variable;
  // children, in PyTorch's order
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const r = resolve('TransformerEncoderLayer', dModel, nhead, opts);
    const g = opts.generator;
    const dtype = opts.dtype;
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = r.normFirst;
    this.batchFirst = r.batchFirst;
    this.activation = r.act;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: r.p, batchFirst: r.batchFirst, generator: g, dtype });
    this.linear1 = new Linear(dModel, r.ff, { generator: g, dtype });
    this.dropout = new Dropout(r.p, { generator: g });
    this.linear2 = new Linear(r.ff, dModel, { generator: g, dtype });
    this.norm1 = new LayerNorm(dModel, { eps: r.eps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: r.eps, dtype });
    this.dropout1 = new Dropout(r.p, { generator: g });
    this.dropout2 = new Dropout(r.p, { generator: g });
  }

  forward(src: Input, opts: TransformerEncoderLayerForwardOptions = {}): Variable {
    checkOptions('TransformerEncoderLayer.forward', opts, ENCODER_LAYER_FORWARD_OPTIONS);
    let x = checkSequence(`TransformerEncoderLayer(d_model=${this.dModel}, nhead=${this.nhead})`, 'src', src, this.dModel, this.batchFirst, this.linear1.weight.dtype);
    const sa = (h: Variable): Variable =>
      this.dropout1.call(
        this.self_attn.call(h, h, h, { attnMask: opts.srcMask, keyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.isCausal, needWeights: false }).output,
      );
    const ff = (h: Variable): Variable => this.dropout2.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(h)))));
    if (this.normFirst) {
      x = add(x, sa(this.norm1.call(x)));
      x = add(x, ff(this.norm2.call(x)));
    } else {
      x = this.norm1.call(add(x, sa(x)));
      x = this.norm2.call(add(x, ff(x)));
    }
    return x;
  }
}

// ---- decoder layer ---------------------------------------------------------------------------------------

export interface TransformerDecoderLayerForwardOptions {
  /** `[T, T]` or `[N * nhead, T, T]` mask of the target self-attention (bool true = not allowed, or float added). */
  tgtMask?: Input | null;
  /** `[T, S]` or `[N * nhead, T, S]` mask of the attention to the memory. */
  memoryMask?: Input | null;
  /** `[N, T]`: bool true = padding target position (ignored as a key), or float added. */
  tgtKeyPaddingMask?: Input | null;
  /** `[N, S]`: bool true = padding memory position, or float added. */
  memoryKeyPaddingMask?: Input | null;
  /** Causal target self-attention (combined with tgtMask if both are given). */
  tgtIsCausal?: boolean;
  /** Causal attention to the memory (position i sees memory positions <= i); rarely wanted. */
  memoryIsCausal?: boolean;
}

const DECODER_FORWARD_OPTIONS = optionKeys<TransformerDecoderLayerForwardOptions>({
  tgtMask: true,
  memoryMask: true,
  tgtKeyPaddingMask: true,
  memoryKeyPaddingMask: true,
  tgtIsCausal: true,
  memoryIsCausal: true,
});

/**
 * One Transformer decoder block, as `torch.nn.TransformerDecoderLayer`: self-attention over the
 * target, attention to the encoder's output (`memory`), and a feed-forward network:
 *
 *   post-LN: x = norm1(x + SA(x));  x = norm2(x + MHA(x, mem));  x = norm3(x + FF(x))
 *   pre-LN:  x = x + SA(norm1(x));  x = x + MHA(norm2(x), mem);  x = x + FF(norm3(x))
 *   SA = dropout1(self_attn(...)), MHA = dropout2(multihead_attn(x, mem, mem)), FF = dropout3(linear2(dropout(act(linear1(x)))))
 *
 * Shapes: tgt `[T, N, dModel]`, memory `[S, N, dModel]` (batch first with batchFirst; unbatched
 * `[T, dModel]`, `[S, dModel]`) -> `[T, N, dModel]`. Sub-modules: `self_attn`, `multihead_attn`,
 * `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `norm3`, `dropout1`, `dropout2`, `dropout3`.
 *
 * ```ts
 * const dec = new TransformerDecoderLayer(16, 2, { dimFeedforward: 32, batchFirst: true });
 * dec.call(tgt, memory, { tgtIsCausal: true, memoryKeyPaddingMask: pad }).shape; // [N, T, 16]
 * ```
 */
export class TransformerDecoderLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  readonly activation: (x: Variable) => Variable;
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const r = resolve('TransformerDecoderLayer', dModel, nhead, opts);
    const g = opts.generator;
    const dtype = opts.dtype;
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = r.normFirst;
    this.batchFirst = r.batchFirst;
    this.activation = r.act;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: r.p, batchFirst: r.batchFirst, generator: g, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: r.p, batchFirst: r.batchFirst, generator: g, dtype });
    this.linear1 = new Linear(dModel, r.ff, { generator: g, dtype });
    this.dropout = new Dropout(r.p, { generator: g });
    this.linear2 = new Linear(r.ff, dModel, { generator: g, dtype });
    this.norm1 = new LayerNorm(dModel, { eps: r.eps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: r.eps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: r.eps, dtype });
    this.dropout1 = new Dropout(r.p, { generator: g });
    this.dropout2 = new Dropout(r.p, { generator: g });
    this.dropout3 = new Dropout(r.p, { generator: g });
  }

  forward(tgt: Input, memory: Input, opts: TransformerDecoderLayerForwardOptions = {}): Variable {
    checkOptions('TransformerDecoderLayer.forward', opts, DECODER_FORWARD_OPTIONS);
    const label = `TransformerDecoderLayer(d_model=${this.dModel}, nhead=${this.nhead})`;
    const dt = this.linear1.weight.dtype;
    let x = checkSequence(label, 'tgt', tgt, this.dModel, this.batchFirst, dt);
    const mem = checkSequence(label, 'memory', memory, this.dModel, this.batchFirst, dt);
    if (mem.ndim !== x.ndim) {
      throw new ShapeError(`${label}: tgt ${fmtShape(x.shape)} and memory ${fmtShape(mem.shape)} must both be batched (3-D) or both unbatched (2-D)`);
    }
    const sa = (h: Variable): Variable =>
      this.dropout1.call(
        this.self_attn.call(h, h, h, { attnMask: opts.tgtMask, keyPaddingMask: opts.tgtKeyPaddingMask, isCausal: opts.tgtIsCausal, needWeights: false }).output,
      );
    const ca = (h: Variable): Variable =>
      this.dropout2.call(
        this.multihead_attn.call(h, mem, mem, {
          attnMask: opts.memoryMask,
          keyPaddingMask: opts.memoryKeyPaddingMask,
          isCausal: opts.memoryIsCausal,
          needWeights: false,
        }).output,
      );
    const ff = (h: Variable): Variable => this.dropout3.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(h)))));
    if (this.normFirst) {
      x = add(x, sa(this.norm1.call(x)));
      x = add(x, ca(this.norm2.call(x)));
      x = add(x, ff(this.norm3.call(x)));
    } else {
      x = this.norm1.call(add(x, sa(x)));
      x = this.norm2.call(add(x, ca(x)));
      x = this.norm3.call(add(x, ff(x)));
    }
    return x;
  }
}

// ---- stacks ---------------------------------------------------------------------------------------------

/** What TransformerEncoder stacks: a module with TransformerEncoderLayer's forward. */
export interface EncoderLayerModule extends Module {
  forward(src: Input, opts?: TransformerEncoderLayerForwardOptions): Variable;
}

/** What TransformerDecoder stacks: a module with TransformerDecoderLayer's forward. */
export interface DecoderLayerModule extends Module {
  forward(tgt: Input, memory: Input, opts?: TransformerDecoderLayerForwardOptions): Variable;
}

export interface TransformerStackOptions {
  /** A final normalization (e.g. `new LayerNorm(dModel)`, usual with pre-LN layers), or null (default). */
  norm?: Module & { forward(x: Input): Variable } | null;
}

export interface TransformerEncoderForwardOptions {
  /** Self-attention mask for every layer, as TransformerEncoderLayer's srcMask. */
  mask?: Input | null;
  /** `[N, L]`: bool true = padding (ignored as a key), or float added. */
  srcKeyPaddingMask?: Input | null;
  /** Causal self-attention in every layer. */
  isCausal?: boolean;
}

const STACK_OPTIONS = optionKeys<TransformerStackOptions>({ norm: true });
const ENCODER_FORWARD_OPTIONS = optionKeys<TransformerEncoderForwardOptions>({ mask: true, srcKeyPaddingMask: true, isCausal: true });

function checkNumLayers(label: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${label}: numLayers must be an integer >= 1, got ${n}`);
}

/**
 * A stack of `numLayers` copies of `encoderLayer` (deep copies made by {@link cloneModule}, so all
 * layers start with equal but separate parameters, as PyTorch's), then an optional final `norm`:
 * `x = norm(layer_{n-1}(...layer_0(src)))`. Parameters are named `layers.0.self_attn.in_proj_weight`,
 * ..., `norm.weight`, as PyTorch's. The layer passed in is not part of the model.
 *
 * ```ts
 * const enc = new TransformerEncoder(new TransformerEncoderLayer(32, 4, { batchFirst: true }), 2);
 * enc.call(x, { srcKeyPaddingMask: pad }).shape; // [N, L, 32]
 * ```
 */
export class TransformerEncoder extends Module {
  readonly numLayers: number;
  layers: ModuleList;
  norm: (Module & { forward(x: Input): Variable }) | null;

  constructor(encoderLayer: EncoderLayerModule, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    checkOptions('TransformerEncoder', opts, STACK_OPTIONS);
    if (!(encoderLayer instanceof Module)) throw new ValueError('TransformerEncoder: encoderLayer must be a Module (e.g. a TransformerEncoderLayer)');
    checkNumLayers('TransformerEncoder', numLayers);
    this.numLayers = numLayers;
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(encoderLayer)));
    this.norm = opts.norm ?? null;
  }

  forward(src: Input, opts: TransformerEncoderForwardOptions = {}): Variable {
    checkOptions('TransformerEncoder.forward', opts, ENCODER_FORWARD_OPTIONS);
    let x: Input = src;
    for (const layer of this.layers) {
      x = (layer as EncoderLayerModule).call(x, { srcMask: opts.mask, srcKeyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.isCausal });
    }
    return this.norm ? this.norm.call(x) : (x as Variable);
  }
}

export type TransformerDecoderForwardOptions = TransformerDecoderLayerForwardOptions;

/**
 * A stack of `numLayers` copies of `decoderLayer` (see {@link TransformerEncoder}), each attending
 * to the same `memory`, then an optional final `norm`.
 *
 * ```ts
 * const dec = new TransformerDecoder(new TransformerDecoderLayer(32, 4), 2);
 * dec.call(tgt, memory, { tgtIsCausal: true }).shape; // [T, N, 32]
 * ```
 */
export class TransformerDecoder extends Module {
  readonly numLayers: number;
  layers: ModuleList;
  norm: (Module & { forward(x: Input): Variable }) | null;

  constructor(decoderLayer: DecoderLayerModule, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    checkOptions('TransformerDecoder', opts, STACK_OPTIONS);
    if (!(decoderLayer instanceof Module)) throw new ValueError('TransformerDecoder: decoderLayer must be a Module (e.g. a TransformerDecoderLayer)');
    checkNumLayers('TransformerDecoder', numLayers);
    this.numLayers = numLayers;
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(decoderLayer)));
    this.norm = opts.norm ?? null;
  }

  forward(tgt: Input, memory: Input, opts: TransformerDecoderForwardOptions = {}): Variable {
    checkOptions('TransformerDecoder.forward', opts, DECODER_FORWARD_OPTIONS);
    let x: Input = tgt;
    for (const layer of this.layers) x = (layer as DecoderLayerModule).call(x, memory, opts);
    return this.norm ? this.norm.call(x) : (x as Variable);
  }
}
