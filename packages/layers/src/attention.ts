/**
 * Attention: the functional {@link scaledDotProductAttention} and the {@link MultiheadAttention}
 * layer, with PyTorch's names, shapes, masks and initialisation.
 *
 *   Attention(Q, K, V) = softmax(Q K^T * scale + M) V,   scale = 1 / sqrt(E) by default,
 *
 * `M` an additive mask: 0 where a query may look at a key, -inf where it may not. Boolean masks are
 * turned into such a mask. The batched products are autograd `matmul`s on `[..., L, E] x [..., E, S]`
 * (for MultiheadAttention `[N, heads, L, E/heads]`), the softmax is over the last dim (the keys).
 *
 * Fully masked rows: a query that may see no key at all gets all-zero attention weights (and so a
 * zero attention output, before MultiheadAttention's output bias); its gradients are zero too.
 * PyTorch 1.13 gives NaN there (softmax over a row of -inf); this is the behaviour of later PyTorch
 * versions' `scaled_dot_product_attention`, and it keeps padded batches from poisoning training.
 *
 * ```ts
 * const { output, weights } = scaledDotProductAttention(q, k, v, { isCausal: true });
 * const mha = new MultiheadAttention(64, 8, { batchFirst: true });
 * const { output: y, weights: w } = mha.call(x, x, x, { keyPaddingMask: pad }); // y [N, L, 64], w [N, L, L]
 * ```
 */
import { Parameter, Variable, add, cat, expand, linear, matmul, mean, mul, narrow, permute, reshape, select, softmax, split, transpose } from '@dl/autograd';
import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  broadcastShapes,
  cat as tensorCat,
  checkOptions,
  fmtShape,
  optionKeys,
  where as tensorWhere,
  zeros,
  type DType,
  type Generator,
} from '@dl/tensor';
import { dropout } from './dropout';
import { checkSize, Linear } from './linear';
import { emptyParameter, constant, xavierNormal, xavierUniform } from './init';
import { floatInput } from './checks';
import { Module, type Input } from './module';

/** What the attention functions return: the output and the attention weights (after dropout, the ones that multiplied V). */
export interface AttentionResult {
  /** `[..., L, Ev]`. */
  output: Variable;
  /**
   * `[..., L, S]`, the weights that multiplied V: without dropout each row sums to 1 (0 for a fully
   * masked row); with dropout, zeros and survivors scaled by 1 / (1 - p).
   */
  weights: Variable;
}

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to `[..., L, S]`. Bool: **true = the query may attend to the key** (PyTorch's
   * `scaled_dot_product_attention` convention; note MultiheadAttention's bool masks mean the opposite).
   * Float: added to the scores (0 = keep, -inf = forbid). A constant: no gradient flows into it.
   */
  attnMask?: Input | null;
  /** Dropout probability on the attention weights (default 0). Applied whenever > 0: pass 0 in evaluation. */
  dropoutP?: number;
  /** Forbid key j for query i when j > i (top-left aligned `[L, S]` lower triangle); not together with attnMask. */
  isCausal?: boolean;
  /** Multiplies Q K^T (default `1 / sqrt(E)`, E = the last size of the query). */
  scale?: number | null;
  /** Generator for the dropout mask (default: the global one). */
  generator?: Generator;
}

const SDPA_OPTIONS = optionKeys<ScaledDotProductAttentionOptions>({ attnMask: true, dropoutP: true, isCausal: true, scale: true, generator: true });

/** The raw tensor of a mask given as a Tensor or a Variable (masks are constants). */
function maskTensor(label: string, name: string, m: Input): Tensor {
  const t = m instanceof Variable ? m.data : m;
  if (!(t instanceof Tensor)) throw new ValueError(`${label}: ${name} must be a Tensor (bool or float), got ${m === null ? 'null' : typeof m}`);
  if (t.dtype !== 'bool' && t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new DTypeError(`${label}: ${name} ${fmtShape(t.shape)} has dtype ${t.dtype}; only bool and floating-point masks are supported (convert it with .bool())`);
  }
  return t;
}

/**
 * An additive float mask from a bool or float one: bool entries equal to `forbidWhen` become -inf,
 * the others 0; float masks are converted to `dtype` as they are.
 */
function additive(t: Tensor, forbidWhen: boolean, dtype: DType): Tensor {
  if (t.dtype !== 'bool') return t.to(dtype);
  const forbid = forbidWhen ? t : t.logicalNot();
  return tensorWhere(forbid, -Infinity, 0).to(dtype);
}

/** `[L, S]` bool, true above the diagonal (j > i): the keys a causal query may not see. */
export function causalMask(L: number, S: number = L): Tensor {
  const data = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) data[i * S + j] = 1;
  return new Tensor(data, [L, S]).bool();
}

/**
 * `[sz, sz]` float mask with -inf above the diagonal and 0 elsewhere: PyTorch's
 * `Transformer.generate_square_subsequent_mask`, for `tgtMask` / `srcMask` (or pass `isCausal: true`).
 */
export function generateSquareSubsequentMask(sz: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  checkSize('generateSquareSubsequentMask', 'sz', sz);
  return additive(causalMask(sz), true, dtype);
}

/**
 * The attention core on heads already laid out: q `[..., L, E]`, k `[..., S, E]`, v `[..., S, Ev]`,
 * `mask` an additive float Tensor broadcastable to `[..., L, S]` (or null).
 */
function attend(q: Variable, k: Variable, v: Variable, mask: Tensor | null, scale: number, dropoutP: number, generator?: Generator): AttentionResult {
  // scale the smaller of Q and the scores (PyTorch 1.13's MultiheadAttention scales Q; only rounding differs)
  const E = q.shape[q.ndim - 1];
  const S = k.shape[k.ndim - 2];
  let scores = E <= S ? matmul(mul(q, scale), transpose(k, -2, -1)) : mul(matmul(q, transpose(k, -2, -1)), scale);
  let keep: Tensor | null = null;
  if (mask !== null) {
    // rows where every key is forbidden: give them 0 weights instead of softmax's NaN
    const dead = mask.amax({ dim: -1, keepdim: true }).eq(-Infinity);
    if (dead.sum().item() > 0) {
      keep = dead.logicalNot();
      mask = tensorWhere(keep, mask, 0);
    }
    scores = add(scores, mask);
  }
  let w = softmax(scores, -1);
  if (keep !== null) w = mul(w, keep.to(w.dtype));
  const used = dropoutP > 0 ? dropout(w, dropoutP, true, generator) : w;
  return { output: matmul(used, v), weights: used };
}

/**
 * Scaled dot-product attention:
 *
 *   weights = softmax(Q K^T * scale + M, dim=-1),   output = dropout(weights) V
 *
 * Shapes: query `[..., L, E]`, key `[..., S, E]`, value `[..., S, Ev]` (batch dims broadcast) ->
 * output `[..., L, Ev]`, weights `[..., L, S]`. Returns both (weights after dropout, i.e. the ones
 * that multiplied V). Masks: see {@link ScaledDotProductAttentionOptions} (bool true = may attend,
 * as PyTorch's `F.scaled_dot_product_attention`). A query row with every key forbidden gets zero
 * weights and a zero output (PyTorch 1.13: NaN).
 *
 * ```ts
 * const q = randn([2, 4, 5, 8]), k = randn([2, 4, 7, 8]), v = randn([2, 4, 7, 8]);
 * const { output, weights } = scaledDotProductAttention(q, k, v); // [2, 4, 5, 8], [2, 4, 5, 7]
 * scaledDotProductAttention(q, q, q, { isCausal: true, dropoutP: model.training ? 0.1 : 0 });
 * ```
 */
export function scaledDotProductAttention(query: Input, key: Input, value: Input, opts: ScaledDotProductAttentionOptions = {}): AttentionResult {
  const label = 'scaledDotProductAttention';
  checkOptions(label, opts, SDPA_OPTIONS);
  const q = floatInput(`${label} (query)`, query, null);
  const k = floatInput(`${label} (key)`, key, q.dtype);
  const v = floatInput(`${label} (value)`, value, q.dtype);
  const shapes = `query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`;
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new ShapeError(`${label}: query, key and value need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]); got ${shapes}`);
  }
  const E = q.shape[q.ndim - 1];
  const L = q.shape[q.ndim - 2];
  const S = k.shape[k.ndim - 2];
  if (k.shape[k.ndim - 1] !== E) throw new ShapeError(`${label}: query and key must have the same last size E; got ${shapes}`);
  if (v.shape[v.ndim - 2] !== S) throw new ShapeError(`${label}: key and value must have the same sequence length S (dim -2); got ${shapes}`);
  let batch: number[];
  try {
    batch = broadcastShapes(label, broadcastShapes(label, q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  } catch {
    throw new ShapeError(`${label}: the batch dims (all but the last two) of query, key and value do not broadcast; got ${shapes}`);
  }
  const p = opts.dropoutP ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${label}: dropoutP must be between 0 and 1, got ${p}`);
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new ValueError(`${label}: scale must be a finite number, got ${scale}`);
  let mask: Tensor | null = null;
  if (opts.isCausal) {
    if (opts.attnMask !== undefined && opts.attnMask !== null) {
      throw new ValueError(`${label}: pass either attnMask or isCausal: true, not both (fold the causal mask into attnMask)`);
    }
    mask = additive(causalMask(L, S), true, q.dtype);
  } else if (opts.attnMask !== undefined && opts.attnMask !== null) {
    const m = maskTensor(label, 'attnMask', opts.attnMask);
    const full = [...batch, L, S];
    let fits = m.ndim <= full.length;
    if (fits) {
      try {
        fits = broadcastShapes(label, m.shape, full).every((s, i) => s === full[i]);
      } catch {
        fits = false;
      }
    }
    if (!fits) throw new ShapeError(`${label}: attnMask ${fmtShape(m.shape)} does not broadcast to the scores' shape ${fmtShape(full)} ([..., L, S])`);
    mask = additive(m, false, q.dtype);
  }
  return attend(q, k, v, mask, scale, p, opts.generator);
}

// ---- MultiheadAttention ------------------------------------------------------------------------------

/**
 * `linear` on x `[..., D]` viewed as `[rows, D]`: the weight gradient is then one 2-D product
 * instead of a batched product summed over the batch (several times faster on small batches).
 */
function flatLinear(x: Variable, w: Variable, b: Variable | null): Variable {
  if (x.ndim <= 2) return linear(x, w, b);
  const D = x.shape[x.ndim - 1];
  const y = linear(reshape(x, [x.numel() / D, D]), w, b);
  return reshape(y, [...x.shape.slice(0, -1), w.shape[0]]);
}

export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Learn the input and output projection biases (default true). */
  bias?: boolean;
  /** Learn one extra key and value (`bias_k`, `bias_v`, `[1, 1, E]`) appended to the sequence (default false). */
  addBiasKV?: boolean;
  /** Append an all-zero key and value after the projection (default false). */
  addZeroAttn?: boolean;
  /** Size of the key inputs (default embedDim). */
  kdim?: number | null;
  /** Size of the value inputs (default embedDim). */
  vdim?: number | null;
  /** Inputs and output are `[N, L, E]` (true) or `[L, N, E]` (false, the default, as PyTorch). */
  batchFirst?: boolean;
  /** The source of the initial weights and of the dropout masks (default: the global generator). */
  generator?: Generator;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

export interface MultiheadAttentionForwardOptions {
  /**
   * `[N, S]` (`[S]` unbatched): bool, **true = ignore this key** (padding); or float, added to the
   * scores of that key. A constant.
   */
  keyPaddingMask?: Input | null;
  /** Return the attention weights (default true); `weights` is null otherwise. */
  needWeights?: boolean;
  /**
   * `[L, S]` (shared by the batch) or `[N * numHeads, L, S]` (`[numHeads, L, S]` unbatched; row
   * `n * numHeads + h`): bool, **true = not allowed to attend**; or float, added to the scores.
   */
  attnMask?: Input | null;
  /** Average the returned weights over the heads (default true): `[N, L, S]`, else `[N, numHeads, L, S]`. */
  averageAttnWeights?: boolean;
  /**
   * Forbid key j for query i when j > i. Combined with attnMask when both are given (PyTorch 2
   * treats the flag as a hint that attnMask is causal: with a causal attnMask the result is the same).
   */
  isCausal?: boolean;
}

const MHA_OPTIONS = optionKeys<MultiheadAttentionOptions>({
  dropout: true,
  bias: true,
  addBiasKV: true,
  addZeroAttn: true,
  kdim: true,
  vdim: true,
  batchFirst: true,
  generator: true,
  dtype: true,
});
const MHA_FORWARD_OPTIONS = optionKeys<MultiheadAttentionForwardOptions>({
  keyPaddingMask: true,
  needWeights: true,
  attnMask: true,
  averageAttnWeights: true,
  isCausal: true,
});

export interface MultiheadAttentionOutput {
  /** `[L, N, E]`, `[N, L, E]` with batchFirst, `[L, E]` unbatched. */
  output: Variable;
  /** `[N, L, S]` (averaged) or `[N, numHeads, L, S]`; without the batch dim when unbatched; null without needWeights. */
  weights: Variable | null;
}

/**
 * Multi-head attention (Vaswani et al., 2017), as `torch.nn.MultiheadAttention`:
 *
 *   head_h = softmax((Q W_q^h + b_q^h)(K W_k^h + b_k^h)^T / sqrt(E/H) + M) (V W_v^h + b_v^h)
 *   output = concat(head_1, ..., head_H) W_o^T + b_o
 *
 * Parameters (PyTorch's names, so stateDict keys match): `in_proj_weight` `[3E, E]` (the q, k, v
 * projections stacked) when kdim = vdim = E, otherwise `q_proj_weight` `[E, E]`, `k_proj_weight`
 * `[E, kdim]`, `v_proj_weight` `[E, vdim]`; `in_proj_bias` `[3E]`; `bias_k`, `bias_v` `[1, 1, E]`
 * with addBiasKV; `out_proj` a Linear(E, E) (`out_proj.weight`, `out_proj.bias`). Initialisation:
 * Xavier uniform for the input projections, zero biases, Linear's default for `out_proj.weight`,
 * Xavier normal for `bias_k` / `bias_v`.
 *
 * Shapes: query `[L, N, E]`, key `[S, N, kdim]`, value `[S, N, vdim]` (`[N, L, E]`... with
 * batchFirst; `[L, E]`, `[S, kdim]`, `[S, vdim]` unbatched) -> `{ output, weights }` (see
 * {@link MultiheadAttentionOutput}). Masks: see {@link MultiheadAttentionForwardOptions}; bool true
 * means *forbidden* here (PyTorch's MultiheadAttention convention). Dropout on the attention weights
 * in training mode only; the returned weights are the ones after dropout (as PyTorch 1.13).
 *
 * ```ts
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const x = randn([2, 5, 16]);
 * const { output, weights } = mha.call(x, x, x, { isCausal: true }); // [2, 5, 16], [2, 5, 5]
 * mha.stateDict(); // in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias
 * ```
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly headDim: number;
  /** Dropout probability on the attention weights. */
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  /** Generator for the dropout masks; null: the global one. */
  generator: Generator | null;
  // parameters, declared in PyTorch's registration order (they are found in property order)
  /** `[3E, E]`: rows 0..E-1 project the query, E..2E-1 the key, 2E..3E-1 the value; null with kdim/vdim != E. */
  in_proj_weight: Parameter | null;
  /** `[E, E]`, only with kdim/vdim != E. */
  q_proj_weight: Parameter | null;
  /** `[E, kdim]`, only with kdim/vdim != E. */
  k_proj_weight: Parameter | null;
  /** `[E, vdim]`, only with kdim/vdim != E. */
  v_proj_weight: Parameter | null;
  /** `[3E]` (query, key, value parts), or null without bias. */
  in_proj_bias: Parameter | null;
  /** `[1, 1, E]` with addBiasKV, else null. */
  bias_k: Parameter | null;
  /** `[1, 1, E]` with addBiasKV, else null. */
  bias_v: Parameter | null;
  /** The output projection, Linear(E, E). */
  out_proj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', opts, MHA_OPTIONS);
    checkSize('MultiheadAttention', 'embedDim', embedDim, 1);
    checkSize('MultiheadAttention', 'numHeads', numHeads, 1);
    if (embedDim % numHeads !== 0) {
      throw new ValueError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads}); each head gets embedDim / numHeads features`);
    }
    const p = opts.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`MultiheadAttention: dropout must be between 0 and 1, got ${p}`);
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    checkSize('MultiheadAttention', 'kdim', this.kdim, 1);
    checkSize('MultiheadAttention', 'vdim', this.vdim, 1);
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this.batchFirst = opts.batchFirst ?? false;
    this.addZeroAttn = opts.addZeroAttn ?? false;
    this.generator = opts.generator ?? null;
    const dt = opts.dtype ?? 'float32';
    const E = embedDim;
    const packed = this.kdim === E && this.vdim === E;
    this.in_proj_weight = packed ? emptyParameter([3 * E, E], dt) : null;
    this.q_proj_weight = packed ? null : emptyParameter([E, E], dt);
    this.k_proj_weight = packed ? null : emptyParameter([E, this.kdim], dt);
    this.v_proj_weight = packed ? null : emptyParameter([E, this.vdim], dt);
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? emptyParameter([3 * E], dt) : null;
    this.bias_k = opts.addBiasKV ? emptyParameter([1, 1, E], dt) : null;
    this.bias_v = opts.addBiasKV ? emptyParameter([1, 1, E], dt) : null;
    this.out_proj = new Linear(E, E, { bias, dtype: dt, generator: opts.generator });
    this.resetParameters(opts.generator);
  }

  /** PyTorch's `_reset_parameters`: Xavier uniform input projections, zero biases, Xavier normal bias_k/bias_v. */
  resetParameters(generator?: Generator): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) {
      if (w) xavierUniform(w, { generator });
    }
    if (this.in_proj_bias) constant(this.in_proj_bias, 0);
    if (this.out_proj.bias) constant(this.out_proj.bias, 0);
    if (this.bias_k) xavierNormal(this.bias_k, { generator });
    if (this.bias_v) xavierNormal(this.bias_v, { generator });
  }

  private get label(): string {
    return `MultiheadAttention(embed_dim=${this.embedDim}, num_heads=${this.numHeads})`;
  }

  forward(query: Input, key: Input, value: Input, opts: MultiheadAttentionForwardOptions = {}): MultiheadAttentionOutput {
    checkOptions('MultiheadAttention.forward', opts, MHA_FORWARD_OPTIONS);
    const label = this.label;
    const E = this.embedDim;
    const H = this.numHeads;
    const dt = this.out_proj.weight.dtype;
    // the same object passed twice stays one Variable, so self-attention projects it once
    const q = floatInput(`${label} (query)`, query, dt);
    const k = key === query ? q : floatInput(`${label} (key)`, key, dt);
    const v = value === key ? k : value === query ? q : floatInput(`${label} (value)`, value, dt);
    const shapes = `query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`;
    if (q.ndim !== 2 && q.ndim !== 3) {
      const layout = this.batchFirst ? '[N, L, E]' : '[L, N, E]';
      throw new ShapeError(`${label}: query must be batched ${layout} (3-D) or unbatched [L, E] (2-D); got ${shapes}`);
    }
    if (k.ndim !== q.ndim || v.ndim !== q.ndim) {
      throw new ShapeError(`${label}: key and value must have as many dims as the query (${q.ndim}-D); got ${shapes}`);
    }
    const batched = q.ndim === 3;
    const seqDim = batched && this.batchFirst ? 1 : 0;
    const batchDim = batched ? 1 - seqDim : -1;
    const L = q.shape[seqDim];
    const S = k.shape[seqDim];
    const N = batched ? q.shape[batchDim] : 1;
    if (q.shape[q.ndim - 1] !== E) throw new ShapeError(`${label}: the query's last size must be embedDim = ${E}; got ${shapes}`);
    if (k.shape[k.ndim - 1] !== this.kdim) throw new ShapeError(`${label}: the key's last size must be kdim = ${this.kdim}; got ${shapes}`);
    if (v.shape[v.ndim - 1] !== this.vdim) throw new ShapeError(`${label}: the value's last size must be vdim = ${this.vdim}; got ${shapes}`);
    if (v.shape[seqDim] !== S) throw new ShapeError(`${label}: key and value must have the same sequence length; got ${shapes}`);
    if (batched && (k.shape[batchDim] !== N || v.shape[batchDim] !== N)) {
      throw new ShapeError(`${label}: query, key and value must have the same batch size (dim ${batchDim}${this.batchFirst ? ', batchFirst' : ''}); got ${shapes}`);
    }

    // input projections
    const [qp, kp, vp] = this.project(q, k, v);
    // [.., T, .., E] -> [N, H, T, hd]
    const hd = this.headDim;
    const toHeads = (x: Variable): Variable => {
      if (batched && this.batchFirst) return permute(reshape(x, [N, x.shape[1], H, hd]), [0, 2, 1, 3]);
      return permute(reshape(x, [x.shape[0], N, H, hd]), [1, 2, 0, 3]);
    };
    const qh = toHeads(qp);
    let kh = toHeads(kp);
    let vh = toHeads(vp);
    if (this.bias_k && this.bias_v) {
      kh = cat([kh, expand(reshape(this.bias_k, [1, H, 1, hd]), [N, H, 1, hd])], 2);
      vh = cat([vh, expand(reshape(this.bias_v, [1, H, 1, hd]), [N, H, 1, hd])], 2);
    }
    if (this.addZeroAttn) {
      const z = new Variable(zeros([N, H, 1, hd], { dtype: dt }));
      kh = cat([kh, z], 2);
      vh = cat([vh, z], 2);
    }
    const mask = this.buildMask(opts, batched, N, L, S, kh.shape[2] - S, dt);
    const { output: oh, weights } = attend(qh, kh, vh, mask, 1 / Math.sqrt(hd), this.training ? this.dropout : 0, this.generator ?? undefined);
    // [N, H, L, hd] -> [N, L, E] / [L, N, E] / [L, E]
    const merged = batched && this.batchFirst ? reshape(permute(oh, [0, 2, 1, 3]), [N, L, E]) : reshape(permute(oh, [2, 0, 1, 3]), batched ? [L, N, E] : [L, E]);
    const output = flatLinear(merged, this.out_proj.weight, this.out_proj.bias);
    if (opts.needWeights === false) return { output, weights: null };
    let w = (opts.averageAttnWeights ?? true) ? mean(weights, { dim: 1 }) : weights;
    if (!batched) w = select(w, 0, 0);
    return { output, weights: w };
  }

  /** The q, k, v projections, sharing one product where the inputs are the same Variable. */
  private project(q: Variable, k: Variable, v: Variable): [Variable, Variable, Variable] {
    const E = this.embedDim;
    const b = this.in_proj_bias;
    const bpart = (i: number): Variable | null => (b ? narrow(b, 0, i * E, E) : null);
    if (this.in_proj_weight) {
      const W = this.in_proj_weight;
      if (q === k && k === v) {
        const [a, c, d] = split(flatLinear(q, W, b), E, -1);
        return [a, c, d];
      }
      const qp = flatLinear(q, narrow(W, 0, 0, E), bpart(0));
      if (k === v) {
        const [kp, vp] = split(flatLinear(k, narrow(W, 0, E, 2 * E), b ? narrow(b, 0, E, 2 * E) : null), E, -1);
        return [qp, kp, vp];
      }
      return [qp, flatLinear(k, narrow(W, 0, E, E), bpart(1)), flatLinear(v, narrow(W, 0, 2 * E, E), bpart(2))];
    }
    return [
      flatLinear(q, this.q_proj_weight as Parameter, bpart(0)),
      flatLinear(k, this.k_proj_weight as Parameter, bpart(1)),
      flatLinear(v, this.v_proj_weight as Parameter, bpart(2)),
    ];
  }

  /**
   * The additive mask `[N | 1, H | 1, L, S + extra]` from attnMask, keyPaddingMask and isCausal
   * (each checked), zero-padded for the extra keys of addBiasKV / addZeroAttn; null if none.
   */
  private buildMask(opts: MultiheadAttentionForwardOptions, batched: boolean, N: number, L: number, S: number, extra: number, dt: DType): Tensor | null {
    const label = this.label;
    const H = this.numHeads;
    const parts: Tensor[] = [];
    const plus = (m: Tensor): void => void parts.push(m);
    if (opts.attnMask !== undefined && opts.attnMask !== null) {
      const m = maskTensor(label, 'attnMask', opts.attnMask);
      const nh = batched ? N * H : H;
      const ok3 = m.ndim === 3 && m.shape[0] === nh && m.shape[1] === L && m.shape[2] === S;
      const ok2 = m.ndim === 2 && m.shape[0] === L && m.shape[1] === S;
      if (!ok2 && !ok3) {
        const three = batched ? `[N * numHeads, L, S] = [${nh}, ${L}, ${S}]` : `[numHeads, L, S] = [${nh}, ${L}, ${S}]`;
        throw new ShapeError(`${label}: attnMask ${fmtShape(m.shape)} must be [L, S] = [${L}, ${S}] or ${three}`);
      }
      plus(additive(ok2 ? m.reshape([1, 1, L, S]) : m.reshape([batched ? N : 1, H, L, S]), true, dt));
    }
    if (opts.keyPaddingMask !== undefined && opts.keyPaddingMask !== null) {
      const m = maskTensor(label, 'keyPaddingMask', opts.keyPaddingMask);
      const ok = batched ? m.ndim === 2 && m.shape[0] === N && m.shape[1] === S : m.ndim === 1 && m.shape[0] === S;
      if (!ok) {
        throw new ShapeError(`${label}: keyPaddingMask ${fmtShape(m.shape)} must be ${batched ? `[N, S] = [${N}, ${S}]` : `[S] = [${S}] for an unbatched input`} (true = padding)`);
      }
      plus(additive(m.reshape([batched ? N : 1, 1, 1, S]), true, dt));
    }
    if (opts.isCausal) plus(additive(causalMask(L, S).reshape([1, 1, L, S]), true, dt));
    if (parts.length === 0) return null;
    const m = parts.reduce((a, b) => a.add(b));
    if (extra === 0) return m;
    return tensorCat([m, zeros([...m.shape.slice(0, 3), extra], { dtype: dt })], 3);
  }
}
