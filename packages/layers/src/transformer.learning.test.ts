/**
 * Learning test: a tiny seeded Transformer encoder learns to sort short sequences of small integers.
 *
 * Input: N tokens from an alphabet of V; target at position i: the i-th smallest token. Model:
 * Embedding(V, d) + sinusoidal positions, a 2-layer pre-LN TransformerEncoder (2 heads),
 * a final LayerNorm and a Linear head to V logits per position. Cross-entropy from logSoftmax +
 * gather, and Adam written inline (the optimizers live in @dl/optim, which layers does not depend on).
 */
import { gather, logSoftmax, mean, mul, noGrad } from '@dl/autograd';
import { Generator, Tensor, manualSeed } from '@dl/tensor';
import { Embedding } from './embedding';
import { Linear } from './linear';
import { Module, type Input } from './module';
import { LayerNorm } from './normalization';
import { SinusoidalPositionalEncoding } from './positional';
import { TransformerEncoder, TransformerEncoderLayer } from './transformer';
import type { Variable } from '@dl/autograd';
import { InlineAdam } from './testing/inline-adam';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const V = 8; // alphabet
const N = 6; // tokens per sequence
const D = 32; // model width

function makeBatch(g: Generator, B: number): { x: Tensor; y: Tensor } {
  const x = new Int32Array(B * N);
  const y = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const s = Array.from({ length: N }, () => g.integer(0, V));
    s.forEach((v, i) => (x[b * N + i] = v));
    [...s].sort((p, q) => p - q).forEach((v, i) => (y[b * N + i] = v));
  }
  return { x: new Tensor(x, [B, N]), y: new Tensor(y, [B, N, 1]) };
}

class Sorter extends Module {
  emb: Embedding;
  pos: SinusoidalPositionalEncoding;
  encoder: TransformerEncoder;
  head: Linear;

  constructor(g: Generator) {
    super();
    this.emb = new Embedding(V, D, { generator: g });
    this.pos = new SinusoidalPositionalEncoding(D, { maxLen: N, dropout: 0, batchFirst: true });
    const layer = new TransformerEncoderLayer(D, 2, { dimFeedforward: 64, dropout: 0, normFirst: true, batchFirst: true, generator: g });
    this.encoder = new TransformerEncoder(layer, 2, { norm: new LayerNorm(D) });
    this.head = new Linear(D, V, { generator: g });
  }

  forward(tokens: Input): Variable {
    const h = this.pos.call(this.emb.call(tokens));
    return this.head.call(this.encoder.call(h)); // [B, N, V]
  }
}

function accuracy(model: Sorter, g: Generator, B: number): number {
  const { x, y } = makeBatch(g, B);
  const pred = noGrad(() => model.call(x)).data.argmax({ dim: -1 });
  return pred.eq(y.reshape([B, N])).float().mean().item();
}

describe('Transformer learning test', () => {
  it('a tiny Transformer encoder learns to sort 6 tokens of 8 values (>= 95% token accuracy)', () => {
    manualSeed(0);
    const g = new Generator(1234);
    const model = new Sorter(g);
    const opt = new InlineAdam(model.parameters(), 3e-3);
    for (let step = 1; step <= 600; step++) {
      const { x, y } = makeBatch(g, 64);
      model.zeroGrad();
      const logp = logSoftmax(model.call(x), -1);
      const loss = mul(mean(gather(logp, 2, y)), -1);
      loss.backward();
      opt.step();
      // about 90 steps (a few seconds) with this seed
      if (step % 10 === 0 && accuracy(model, new Generator(99), 200) >= 0.97) break;
    }
    expect(accuracy(model, new Generator(7), 1000)).toBeGreaterThanOrEqual(0.95); // on fresh sequences
  }, SLOW_TEST_TIMEOUT);
});
