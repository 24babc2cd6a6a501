/**
 * Learning test: a tiny seeded LSTM learns to reverse short sequences.
 *
 * Each example is N symbols from an alphabet of V (one-hot, V + 1 input channels) followed by N
 * "answer now" steps (channel V set); at answer step k the target is the symbol N-1-k, so the
 * network has to remember the whole sequence and give it back in reverse. A Linear head (written
 * inline with `linear`), cross-entropy from logSoftmax + gather, and Adam written inline (the
 * optimizers live in @dl/optim, which layers does not depend on).
 */
import { Parameter, Variable, gather, linear, logSoftmax, noGrad } from '@dl/autograd';
import { Generator, Tensor, zeros } from '@dl/tensor';
import { uniform } from './init';
import { LSTM } from './recurrent';
import { InlineAdam } from './testing/inline-adam';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const V = 4; // alphabet size
const N = 4; // symbols per sequence

function makeBatch(g: Generator, B: number): { x: Tensor; y: Tensor } {
  const x = new Float32Array(B * 2 * N * (V + 1));
  const y = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const syms = Array.from({ length: N }, () => g.integer(0, V));
    syms.forEach((s, t) => (x[(b * 2 * N + t) * (V + 1) + s] = 1));
    for (let k = 0; k < N; k++) {
      x[(b * 2 * N + N + k) * (V + 1) + V] = 1;
      y[b * N + k] = syms[N - 1 - k];
    }
  }
  return { x: new Tensor(x, [B, 2 * N, V + 1]), y: new Tensor(y, [B, N, 1]) };
}

describe('LSTM learning test', () => {
  it('a tiny LSTM learns to reverse sequences of 4 symbols (>= 95% token accuracy)', () => {
    const g = new Generator(0);
    const H = 32;
    const lstm = new LSTM(V + 1, H, { batchFirst: true, generator: g });
    const W = uniform(new Parameter(zeros([V, H])), -1 / Math.sqrt(H), 1 / Math.sqrt(H), { generator: g });
    const bias = uniform(new Parameter(zeros([V])), -1 / Math.sqrt(H), 1 / Math.sqrt(H), { generator: g });
    const params = [...lstm.parameters(), W, bias];
    const opt = new InlineAdam(params, 0.02);

    const logits = (x: Tensor): Variable => linear(lstm.call(x).output.narrow(1, N, N), W, bias); // [B, N, V]
    const accuracy = (x: Tensor, y: Tensor): number =>
      noGrad(() => {
        const pred = logits(x).data.argmax({ dim: 2, keepdim: true });
        return pred.eq(y).float().mean().item();
      });

    const test = makeBatch(new Generator(123), 512);
    let acc = 0;
    let steps = 0;
    for (; steps < 600 && acc < 0.99; steps++) {
      const { x, y } = makeBatch(g, 32);
      for (const p of params) p.zeroGrad();
      const loss = gather(logSoftmax(logits(x), 2), 2, y).mean().neg();
      loss.backward();
      opt.step();
      if (steps % 25 === 24) acc = accuracy(test.x, test.y);
    }
    expect(acc).toBeGreaterThanOrEqual(0.95); // 99.8% after 200 steps (about 2 s)
  }, SLOW_TEST_TIMEOUT);
});
