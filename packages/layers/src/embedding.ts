/**
 * `Embedding`: a lookup table of learned vectors, one row per token id.
 *
 * ```ts
 * const emb = new Embedding(1000, 64, { paddingIdx: 0 });
 * emb.call(ids).shape;   // ids int32 [N, T] -> [N, T, 64]
 * ```
 */
import { Function, Parameter, Variable, indexAdd, mul, reshape } from '@dl/autograd';
import { DTypeError, IndexError, Tensor, ValueError, checkOptions, fmtShape, optionKeys, zeros, type Generator } from '@dl/tensor';
import { emptyParameter, normal } from './init';
import { checkSize } from './linear';
import { Module, type Input } from './module';

/**
 * Row lookup `y[i] = weight[idx[i]]` for a flat int32 index; backward scatter-adds the rows of gy
 * into a zero table (`indexAdd`), leaving out the rows whose index is `paddingIdx` (which thus
 * never receives a gradient).
 */
class EmbeddingLookup extends Function {
  constructor(
    private readonly idx: Tensor,
    private readonly paddingIdx: number | null,
  ) {
    super();
  }

  forward(weight: Tensor): Tensor {
    return weight.indexSelect(0, this.idx);
  }

  backward(gy: Variable): Variable {
    const w = this.inputs[0];
    let g = gy;
    if (this.paddingIdx !== null) {
      const keep = this.idx.ne(this.paddingIdx).to(gy.dtype).reshape([this.idx.numel(), 1]);
      g = mul(gy, new Variable(keep));
    }
    return indexAdd(new Variable(zeros(w.shape, { dtype: gy.dtype })), 0, this.idx, g);
  }
}

export interface EmbeddingOptions {
  /** A row that stays as it is (zeros at init) and gets no gradient, e.g. for padding tokens; negative counts from the end. */
  paddingIdx?: number | null;
  /** Generator for the initial weights (default: the global one). */
  generator?: Generator;
  /** dtype of the weight (default float32). */
  dtype?: 'float32' | 'float64';
}

const EMBEDDING_OPTIONS = optionKeys<EmbeddingOptions>({ paddingIdx: true, generator: true, dtype: true });

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim`: `y[..., :] = weight[idx[...], :]`.
 *
 * Shapes: indices int32 of any shape `(*)` -> `(*, embeddingDim)`; weight `(numEmbeddings, embeddingDim)`,
 * initialised from N(0, 1) with the `paddingIdx` row zeroed (PyTorch's defaults).
 *
 * ```ts
 * const emb = new Embedding(10, 3);
 * emb.call(tensor([[1, 2], [4, 9]], { dtype: 'int32' })).shape; // [2, 2, 3]
 * emb.toString(); // 'Embedding(10, 3)'
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalized to [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  /** `(numEmbeddings, embeddingDim)`. */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    checkOptions('Embedding', opts, EMBEDDING_OPTIONS);
    checkSize('Embedding', 'numEmbeddings', numEmbeddings, 1);
    checkSize('Embedding', 'embeddingDim', embeddingDim, 0);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const p = opts.paddingIdx ?? null;
    if (p !== null && (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings)) {
      throw new ValueError(`Embedding: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${p}`);
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + numEmbeddings : p;
    this.weight = emptyParameter([numEmbeddings, embeddingDim], opts.dtype);
    this.resetParameters(opts.generator);
  }

  /** Draws fresh N(0, 1) weights and zeroes the padding row. */
  resetParameters(generator?: Generator): void {
    normal(this.weight, 0, 1, { generator });
    if (this.paddingIdx !== null) this.weight.data.select(0, this.paddingIdx).fill_(0);
  }

  forward(input: Input): Variable {
    const label = `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
    const idx = input instanceof Variable ? input.data : input;
    if (!(idx instanceof Tensor)) throw new ValueError(`${label}: expected an int32 Tensor of indices, got ${idx === null ? 'null' : typeof idx}`);
    if (idx.dtype !== 'int32') {
      throw new DTypeError(`${label}: expected int32 indices, got a ${idx.dtype} input ${fmtShape(idx.shape)}; convert it with .int()`);
    }
    const flat = idx.reshape([idx.numel()]).contiguous();
    if (flat.numel() > 0) {
      const lo = flat.amin().item();
      const hi = flat.amax().item();
      if (lo < 0 || hi >= this.numEmbeddings) {
        throw new IndexError(
          `${label}: index ${lo < 0 ? lo : hi} is out of range [0, ${this.numEmbeddings}) (input ${fmtShape(idx.shape)}); ` +
            'token ids must be smaller than numEmbeddings',
        );
      }
    }
    const rows = new EmbeddingLookup(flat, this.paddingIdx).apply(this.weight);
    return reshape(rows, [...idx.shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
