/**
 * Positional encodings for Transformers: attention itself does not see the order of a sequence.
 *
 * - {@link SinusoidalPositionalEncoding}: the fixed table of "Attention Is All You Need", added to
 *   the embeddings;
 * - {@link LearnedPositionalEncoding}: a learned vector per position (BERT, GPT-2), added;
 * - {@link RotaryPositionalEmbedding} (RoPE, Su et al. 2021): rotates the queries and keys inside
 *   attention, so that q·k depends on the positions only through their difference.
 *
 * ```ts
 * const pe = new SinusoidalPositionalEncoding(32, { dropout: 0.1, batchFirst: true });
 * const h = pe.call(emb.call(tokens).mul(Math.sqrt(32)));   // [N, L, 32]
 * const rope = new RotaryPositionalEmbedding(8);
 * const qr = rope.call(q), kr = rope.call(k);                // q, k [N, heads, L, 8]
 * ```
 */
import { Parameter, Variable, add, indexSelect, mul, narrow, reshape } from '@dl/autograd';
import { ShapeError, Tensor, ValueError, checkOptions, fmtShape, optionKeys, type DType, type Generator } from '@dl/tensor';
import { floatInput, pyNumber } from './checks';
import { Dropout } from './dropout';
import { emptyParameter, normal } from './init';
import { checkSize } from './linear';
import { Module, type Input } from './module';

export interface AddedPositionalOptions {
  /** Dropout probability applied after adding the positions, in training mode (default 0.1). */
  dropout?: number;
  /** Inputs are `[N, L, dModel]` (true) or `[L, N, dModel]` (false, the default, as the Transformer layers). */
  batchFirst?: boolean;
  /** Generator for the dropout masks (and LearnedPositionalEncoding's initial weights); default: the global one. */
  generator?: Generator;
}

export interface PositionOffset {
  /** Position of the first element of the sequence (default 0), e.g. when decoding one step at a time. */
  offset?: number;
}

const OFFSET_OPTIONS = optionKeys<PositionOffset>({ offset: true });
const SINUSOIDAL_OPTIONS = optionKeys<AddedPositionalOptions & { maxLen?: number; dtype?: 'float32' | 'float64' }>({
  dropout: true,
  batchFirst: true,
  generator: true,
  maxLen: true,
  dtype: true,
});
const LEARNED_OPTIONS = optionKeys<AddedPositionalOptions & { std?: number; dtype?: 'float32' | 'float64' }>({
  dropout: true,
  batchFirst: true,
  generator: true,
  std: true,
  dtype: true,
});

/** Checks `[L, N, d]` / `[N, L, d]` / `[L, d]` and returns the Variable, L and how to view a `[L, d]` table against it. */
function sequenceInput(label: string, x: Input, d: number, batchFirst: boolean, maxLen: number, offset: number): { v: Variable; L: number; tableShape: number[] } {
  const v = floatInput(label, x, null);
  if ((v.ndim !== 2 && v.ndim !== 3) || v.shape[v.ndim - 1] !== d) {
    throw new ShapeError(`${label}: expected ${batchFirst ? '[N, L, dModel]' : '[L, N, dModel]'} or [L, dModel] with dModel = ${d}, got ${fmtShape(v.shape)}`);
  }
  const seqFirst = v.ndim === 2 || !batchFirst;
  const L = v.shape[seqFirst ? 0 : 1];
  if (!Number.isInteger(offset) || offset < 0) throw new ValueError(`${label}: offset must be an integer >= 0, got ${offset}`);
  if (offset + L > maxLen) {
    throw new ShapeError(`${label}: positions ${offset}..${offset + L - 1} of the input ${fmtShape(v.shape)} exceed maxLen = ${maxLen}; build it with a larger maxLen`);
  }
  return { v, L, tableShape: v.ndim === 2 ? [L, d] : seqFirst ? [L, 1, d] : [1, L, d] };
}

/**
 * The sinusoidal table `[maxLen, dModel]` of Vaswani et al.:
 *
 *   PE[pos, 2i] = sin(pos / 10000^(2i / dModel)),   PE[pos, 2i+1] = cos(pos / 10000^(2i / dModel))
 *
 * (computed in float64; for an odd dModel the last column is a sin).
 */
export function sinusoidalTable(maxLen: number, dModel: number, dtype: DType = 'float32'): Tensor {
  checkSize('sinusoidalTable', 'maxLen', maxLen);
  checkSize('sinusoidalTable', 'dModel', dModel, 1);
  const data = new Float64Array(maxLen * dModel);
  for (let i = 0; i < dModel; i += 2) {
    const freq = Math.pow(10000, -i / dModel);
    for (let pos = 0; pos < maxLen; pos++) {
      data[pos * dModel + i] = Math.sin(pos * freq);
      if (i + 1 < dModel) data[pos * dModel + i + 1] = Math.cos(pos * freq);
    }
  }
  return new Tensor(data, [maxLen, dModel]).to(dtype);
}

/**
 * Adds the fixed sinusoidal positional encoding, then dropout: `y = dropout(x + PE[offset : offset + L])`
 * with PE from {@link sinusoidalTable}. The table is a non-persistent buffer `pe` `[maxLen, dModel]`
 * (not in the stateDict, moved by `to()`); the module has no parameters.
 *
 * Shapes: `[L, N, dModel]` (`[N, L, dModel]` with batchFirst, or `[L, dModel]`) -> the same.
 *
 * ```ts
 * const pe = new SinusoidalPositionalEncoding(16, { maxLen: 100, dropout: 0 });
 * pe.call(zeros([5, 2, 16])).shape;   // [5, 2, 16]: every batch row is PE[0:5]
 * ```
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly dModel: number;
  readonly maxLen: number;
  readonly batchFirst: boolean;
  /** `[maxLen, dModel]`, non-persistent buffer. */
  declare readonly pe: Tensor;
  dropout: Dropout;

  constructor(dModel: number, opts: AddedPositionalOptions & { maxLen?: number; dtype?: 'float32' | 'float64' } = {}) {
    super();
    checkOptions('SinusoidalPositionalEncoding', opts, SINUSOIDAL_OPTIONS);
    checkSize('SinusoidalPositionalEncoding', 'dModel', dModel, 1);
    const maxLen = opts.maxLen ?? 5000;
    checkSize('SinusoidalPositionalEncoding', 'maxLen', maxLen, 1);
    this.dModel = dModel;
    this.maxLen = maxLen;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = new Dropout(opts.dropout ?? 0.1, { generator: opts.generator });
    this.registerBuffer('pe', sinusoidalTable(maxLen, dModel, opts.dtype ?? 'float32'), { persistent: false });
  }

  forward(x: Input, opts: PositionOffset = {}): Variable {
    checkOptions('SinusoidalPositionalEncoding.forward', opts, OFFSET_OPTIONS);
    const label = `SinusoidalPositionalEncoding(d_model=${this.dModel}, max_len=${this.maxLen})`;
    const offset = opts.offset ?? 0;
    const { v, L, tableShape } = sequenceInput(label, x, this.dModel, this.batchFirst, this.maxLen, offset);
    const pe = this.pe.narrow(0, offset, L).reshape(tableShape);
    return this.dropout.call(add(v, pe.dtype === v.dtype ? pe : pe.to(v.dtype)));
  }

  override extraRepr(): string {
    return `d_model=${this.dModel}, max_len=${this.maxLen}, batch_first=${this.batchFirst ? 'True' : 'False'}`;
  }
}

/**
 * Adds a learned vector per position, then dropout: `y = dropout(x + weight[offset : offset + L])`.
 * `weight` `[maxLen, dModel]` is initialised from N(0, std^2), std = 1 by default (as an
 * `Embedding(maxLen, dModel)`, which is what this is with an arange of positions); BERT and GPT-2
 * use std = 0.02.
 *
 * Shapes: `[L, N, dModel]` (`[N, L, dModel]` with batchFirst, or `[L, dModel]`) -> the same.
 *
 * ```ts
 * const pos = new LearnedPositionalEncoding(64, 32, { batchFirst: true, std: 0.02 });
 * pos.call(h).shape; // h [N, L <= 64, 32] -> [N, L, 32]
 * ```
 */
export class LearnedPositionalEncoding extends Module {
  readonly maxLen: number;
  readonly dModel: number;
  readonly batchFirst: boolean;
  /** `[maxLen, dModel]`. */
  weight: Parameter;
  dropout: Dropout;

  constructor(maxLen: number, dModel: number, opts: AddedPositionalOptions & { std?: number; dtype?: 'float32' | 'float64' } = {}) {
    super();
    checkOptions('LearnedPositionalEncoding', opts, LEARNED_OPTIONS);
    checkSize('LearnedPositionalEncoding', 'maxLen', maxLen, 1);
    checkSize('LearnedPositionalEncoding', 'dModel', dModel, 1);
    this.maxLen = maxLen;
    this.dModel = dModel;
    this.batchFirst = opts.batchFirst ?? false;
    this.weight = normal(emptyParameter([maxLen, dModel], opts.dtype), 0, opts.std ?? 1, { generator: opts.generator });
    this.dropout = new Dropout(opts.dropout ?? 0.1, { generator: opts.generator });
  }

  forward(x: Input, opts: PositionOffset = {}): Variable {
    checkOptions('LearnedPositionalEncoding.forward', opts, OFFSET_OPTIONS);
    const label = `LearnedPositionalEncoding(max_len=${this.maxLen}, d_model=${this.dModel})`;
    const offset = opts.offset ?? 0;
    const { v, L, tableShape } = sequenceInput(label, x, this.dModel, this.batchFirst, this.maxLen, offset);
    if (v.dtype !== this.weight.dtype) floatInput(label, v, this.weight.dtype); // throws the dtype error
    return this.dropout.call(add(v, reshape(narrow(this.weight, 0, offset, L), tableShape)));
  }

  override extraRepr(): string {
    return `max_len=${this.maxLen}, d_model=${this.dModel}, batch_first=${this.batchFirst ? 'True' : 'False'}`;
  }
}

export interface RotaryOptions {
  /** The base of the frequencies theta_i = base^(-2i / headDim) (default 10000). */
  base?: number;
}

const ROTARY_OPTIONS = optionKeys<RotaryOptions>({ base: true });

/**
 * Rotary positional embedding (RoPE, Su et al., "RoFormer", 2021), applied to queries and keys
 * `[..., L, headDim]` before attention. Pairing convention: **interleaved** -- the pairs
 * `(x[2i], x[2i+1])`, i = 0..headDim/2-1, as the RoFormer paper and Meta's LLaMA reference code
 * (not the "rotate half" pairs `(x[i], x[i + headDim/2])` of GPT-NeoX / Hugging Face). Pair i at
 * position p is rotated by the angle `p * theta_i`, `theta_i = base^(-2i / headDim)`:
 *
 *   y[2i]   = x[2i] cos(p theta_i) - x[2i+1] sin(p theta_i)
 *   y[2i+1] = x[2i] sin(p theta_i) + x[2i+1] cos(p theta_i)
 *
 * so `<rope(q, m), rope(k, n)>` depends on m and n only through m - n. Positions are
 * `offset, offset + 1, ...` along dim -2. The frequencies are a non-persistent buffer `invFreq`
 * `[headDim / 2]`; there are no parameters.
 *
 * ```ts
 * const rope = new RotaryPositionalEmbedding(8);
 * const q = rope.call(qh), k = rope.call(kh);   // qh, kh [N, heads, L, 8]
 * scaledDotProductAttention(q, k, vh, { isCausal: true });
 * ```
 */
export class RotaryPositionalEmbedding extends Module {
  readonly headDim: number;
  readonly base: number;
  /** `[headDim / 2]`: theta_i = base^(-2i / headDim), float64, non-persistent buffer. */
  declare readonly invFreq: Tensor;
  private cache: { key: string; cos: Tensor; sin: Tensor } | null = null;
  private readonly swap: number[];

  constructor(headDim: number, opts: RotaryOptions = {}) {
    super();
    checkOptions('RotaryPositionalEmbedding', opts, ROTARY_OPTIONS);
    checkSize('RotaryPositionalEmbedding', 'headDim', headDim, 2);
    if (headDim % 2 !== 0) throw new ValueError(`RotaryPositionalEmbedding: headDim must be even (it rotates pairs of features), got ${headDim}`);
    const base = opts.base ?? 10000;
    if (!(typeof base === 'number' && base > 0 && Number.isFinite(base))) throw new ValueError(`RotaryPositionalEmbedding: base must be a positive number, got ${base}`);
    this.headDim = headDim;
    this.base = base;
    const f = new Float64Array(headDim / 2).map((_, i) => Math.pow(base, (-2 * i) / headDim));
    this.registerBuffer('invFreq', new Tensor(f, [headDim / 2]), { persistent: false });
    this.swap = Array.from({ length: headDim }, (_, j) => j ^ 1); // (x1, x0, x3, x2, ...)
  }

  /** `cos` and `sign * sin` tables `[L, headDim]`, each angle repeated for the two elements of its pair. */
  private tables(L: number, offset: number, dtype: DType): { cos: Tensor; sin: Tensor } {
    const key = `${L}:${offset}:${dtype}`;
    if (this.cache && this.cache.key === key) return this.cache;
    const d = this.headDim;
    // from base directly, not from the buffer (which model.float() may have rounded)
    const freq = Array.from({ length: d / 2 }, (_, i) => Math.pow(this.base, (-2 * i) / d));
    const c = new Float64Array(L * d);
    const s = new Float64Array(L * d);
    for (let p = 0; p < L; p++) {
      for (let i = 0; i < d / 2; i++) {
        const a = (p + offset) * freq[i];
        c[p * d + 2 * i] = c[p * d + 2 * i + 1] = Math.cos(a);
        s[p * d + 2 * i] = -Math.sin(a); // y[2i] gets -x[2i+1] sin
        s[p * d + 2 * i + 1] = Math.sin(a); // y[2i+1] gets +x[2i] sin
      }
    }
    this.cache = { key, cos: new Tensor(c, [L, d]).to(dtype), sin: new Tensor(s, [L, d]).to(dtype) };
    return this.cache;
  }

  /** `y = x * cos + swapPairs(x) * (-+sin)`: the rotation above, differentiable in x. */
  forward(x: Input, opts: PositionOffset = {}): Variable {
    checkOptions('RotaryPositionalEmbedding.forward', opts, OFFSET_OPTIONS);
    const label = `RotaryPositionalEmbedding(head_dim=${this.headDim}, base=${pyNumber(this.base, true)})`;
    const v = floatInput(label, x, null);
    if (v.ndim < 2 || v.shape[v.ndim - 1] !== this.headDim) {
      throw new ShapeError(`${label}: expected [..., L, headDim] with headDim = ${this.headDim}, got ${fmtShape(v.shape)}`);
    }
    const offset = opts.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ValueError(`${label}: offset must be an integer >= 0, got ${offset}`);
    const { cos, sin } = this.tables(v.shape[v.ndim - 2], offset, v.dtype);
    return add(mul(v, cos), mul(indexSelect(v, -1, this.swap), sin));
  }

  override extraRepr(): string {
    return `head_dim=${this.headDim}, base=${pyNumber(this.base, true)}`;
  }
}
