/**
 * scaledDotProductAttention and MultiheadAttention: float64 gradchecks (fast-check over sizes,
 * layouts, masks and options) w.r.t. query/key/value and every parameter; values checked by hand;
 * consistency between layouts and code paths; masks' conventions; dropout; init; errors.
 * PyTorch parity is in attention.fixtures.test.ts.
 */
import fc from 'fast-check';
import { Variable, add, gradcheck, mul, sum } from '@dl/autograd';
import { Generator, Tensor, randn, tensor, zeros } from '@dl/tensor';
import { MultiheadAttention, causalMask, generateSquareSubsequentMask, scaledDotProductAttention } from './attention';
import { leaf, seedArb } from './testing/gradcheck';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 300_000;

const RUNS = 20;
const arr = (t: Tensor | Variable | null): number[] => Array.from((t instanceof Variable ? t.data : (t as Tensor)).contiguous().toTypedArray());

/** sum(out * R) (+ sum(w * Rw)) with fixed random R: a scalar whose gradient checks the whole Jacobian direction. */
function weightedSum(parts: (Variable | null)[], seed: number): Variable {
  const terms = parts.flatMap((p, i) => (p ? [sum(mul(p, randn([...p.shape], { dtype: 'float64', generator: new Generator(seed + 101 * i) })))] : []));
  return terms.reduce((a, b) => add(a, b));
}

function expectAllClose(a: number[], b: number[], tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    if (!(Math.abs(v - b[i]) <= tol)) throw new Error(`element ${i}: ${v} vs ${b[i]}`);
  });
}

// ---- scaledDotProductAttention ---------------------------------------------------------------------------

describe('scaledDotProductAttention', () => {
  it('computes softmax(q k^T / sqrt(E)) v (checked by hand)', () => {
    const q = tensor([[[1, 0]]], { dtype: 'float64' }); // [1, 1, 2]
    const k = tensor([[[1, 0], [0, 1]]], { dtype: 'float64' }); // [1, 2, 2]
    const v = tensor([[[10, 0], [0, 20]]], { dtype: 'float64' });
    const { output, weights } = scaledDotProductAttention(q, k, v);
    const s = 1 / Math.sqrt(2);
    const w0 = Math.exp(s) / (Math.exp(s) + 1);
    expectAllClose(arr(weights), [w0, 1 - w0]);
    expectAllClose(arr(output), [10 * w0, 20 * (1 - w0)]);
    expect(output.shape).toEqual([1, 1, 2]);
    // an explicit scale
    const r = scaledDotProductAttention(q, k, v, { scale: 2 });
    const w2 = Math.exp(2) / (Math.exp(2) + 1);
    expectAllClose(arr(r.weights), [w2, 1 - w2]);
  });

  it('bool attnMask: true = may attend (PyTorch SDPA convention); float masks are added; isCausal', () => {
    const g = new Generator(3);
    const q = randn([2, 3, 4], { dtype: 'float64', generator: g });
    const k = randn([2, 3, 4], { dtype: 'float64', generator: g });
    const v = randn([2, 3, 5], { dtype: 'float64', generator: g });
    const allowed = causalMask(3).logicalNot(); // lower triangle incl. diagonal
    const a = scaledDotProductAttention(q, k, v, { attnMask: allowed });
    const b = scaledDotProductAttention(q, k, v, { isCausal: true });
    const c = scaledDotProductAttention(q, k, v, { attnMask: generateSquareSubsequentMask(3, 'float64') });
    expectAllClose(arr(a.output), arr(b.output));
    expectAllClose(arr(a.output), arr(c.output));
    const w = arr(b.weights); // [2, 3, 3]: zero above the diagonal, rows sum to 1
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 3; i++) {
        let s = 0;
        for (let j = 0; j < 3; j++) {
          const x = w[n * 9 + i * 3 + j];
          if (j > i) expect(x).toBe(0);
          s += x;
        }
        expect(Math.abs(s - 1)).toBeLessThan(1e-12);
      }
    }
    expect(b.output.shape).toEqual([2, 3, 5]);
  });

  it('gives fully masked rows zero weights, zero output and zero (finite) gradients', () => {
    const q = leaf([2, 3], 1);
    const k = leaf([4, 3], 2);
    const v = leaf([4, 2], 3);
    const mask = tensor([[true, true, false, false], [false, false, false, false]]).bool(); // row 1: nothing allowed
    const { output, weights } = scaledDotProductAttention(q, k, v, { attnMask: mask });
    expect(arr(weights).slice(4)).toEqual([0, 0, 0, 0]);
    expect(arr(output).slice(2)).toEqual([0, 0]);
    expect(arr(output).every(Number.isFinite)).toBe(true);
    sum(mul(output, output)).backward();
    for (const x of [q, k, v]) expect(arr(x.grad).every(Number.isFinite)).toBe(true);
    expect(arr(q.grad).slice(3)).toEqual([0, 0, 0]);
  });

  it('gradcheck in float64 w.r.t. query, key and value (random batch dims, masks, causal, scale)', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.constantFrom<number[]>([], [2], [1, 2], [2, 1]),
          L: fc.integer({ min: 1, max: 3 }),
          S: fc.integer({ min: 1, max: 3 }),
          E: fc.integer({ min: 1, max: 3 }),
          Ev: fc.integer({ min: 1, max: 3 }),
          mask: fc.constantFrom('none', 'bool', 'float', 'causal'),
          scale: fc.option(fc.double({ min: 0.1, max: 2, noNaN: true }), { nil: undefined }),
          seed: seedArb,
        }),
        ({ batch, L, S, E, Ev, mask, scale, seed }) => {
          const g = new Generator(seed);
          const q = leaf([...batch, L, E], seed);
          const k = leaf([...batch.slice(1), S, E], seed + 1); // broadcasts against q's batch dims
          const v = leaf([...batch, S, Ev], seed + 2);
          let attnMask: Tensor | undefined;
          if (mask === 'bool') attnMask = randn([L, S], { generator: g }).gt(-0.5);
          if (mask === 'float') attnMask = randn([L, S], { dtype: 'float64', generator: g });
          const opts = { attnMask, isCausal: mask === 'causal', scale };
          return gradcheck(
            (a, b, c) => {
              const r = scaledDotProductAttention(a, b, c, opts);
              return weightedSum([r.output, r.weights], seed);
            },
            [q, k, v],
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('dropout: applied to the weights (rescaled by 1/(1-p)), reproducible with a generator, none at p = 0', () => {
    const g = new Generator(5);
    const q = randn([4, 6, 3], { dtype: 'float64', generator: g });
    const k = randn([4, 6, 3], { dtype: 'float64', generator: g });
    const v = randn([4, 6, 2], { dtype: 'float64', generator: g });
    const plain = scaledDotProductAttention(q, k, v);
    const d1 = scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(9) });
    const d2 = scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(9) });
    expect(arr(d1.output)).toEqual(arr(d2.output));
    const w = arr(plain.weights);
    const wd = arr(d1.weights);
    let zeros = 0;
    wd.forEach((x, i) => {
      if (x === 0) zeros++;
      else expect(Math.abs(x - 2 * w[i])).toBeLessThan(1e-12);
    });
    expect(zeros).toBeGreaterThan(wd.length * 0.3);
    expect(zeros).toBeLessThan(wd.length * 0.7);
    expect(arr(scaledDotProductAttention(q, k, v, { dropoutP: 1 }).output).every((x) => x === 0)).toBe(true);
  });

  it('rejects bad input with clear errors', () => {
    const q = zeros([2, 3, 4]);
    expect(() => scaledDotProductAttention(q, zeros([2, 5, 3]), zeros([2, 5, 4]))).toThrow(/scaledDotProductAttention: query and key must have the same last size E; got query \[2, 3, 4\], key \[2, 5, 3\]/);
    expect(() => scaledDotProductAttention(q, zeros([2, 5, 4]), zeros([2, 4, 4]))).toThrow(/same sequence length S/);
    expect(() => scaledDotProductAttention(q, zeros([3, 5, 4]), zeros([3, 5, 4]))).toThrow(/batch dims .* do not broadcast/);
    expect(() => scaledDotProductAttention(zeros([4]), zeros([4]), zeros([4]))).toThrow(/at least 2 dims/);
    expect(() => scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 4]) })).toThrow(/attnMask \[3, 4\] does not broadcast to the scores' shape \[2, 3, 3\]/);
    expect(() => scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 3], { dtype: 'int32' }) })).toThrow(/only bool and floating-point masks/);
    expect(() => scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 3]), isCausal: true })).toThrow(/either attnMask or isCausal/);
    expect(() => scaledDotProductAttention(q, q, q, { dropoutP: 2 })).toThrow(/dropoutP must be between 0 and 1/);
    expect(() => scaledDotProductAttention(q, q.double(), q)).toThrow(/float64 but the layer's parameters are float32/);
  });
});

// ---- MultiheadAttention -------------------------------------------------------------------------------------

interface MhaConfig {
  H: number;
  hd: number;
  L: number;
  S: number;
  N: number;
  kdim: number | null;
  vdim: number | null;
  bias: boolean;
  batchFirst: boolean;
  unbatched: boolean;
  selfAttn: boolean;
  addBiasKV: boolean;
  addZeroAttn: boolean;
  attnMask: 'none' | 'bool2' | 'float2' | 'bool3' | 'float3';
  kpm: 'none' | 'bool' | 'float';
  isCausal: boolean;
  needWeights: boolean;
  average: boolean;
  seed: number;
}

const mhaConfig: fc.Arbitrary<MhaConfig> = fc.record({
  H: fc.integer({ min: 1, max: 2 }),
  hd: fc.integer({ min: 1, max: 2 }),
  L: fc.integer({ min: 1, max: 3 }),
  S: fc.integer({ min: 1, max: 3 }),
  N: fc.integer({ min: 1, max: 2 }),
  kdim: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  vdim: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  bias: fc.boolean(),
  batchFirst: fc.boolean(),
  unbatched: fc.boolean(),
  selfAttn: fc.boolean(),
  addBiasKV: fc.boolean(),
  addZeroAttn: fc.boolean(),
  attnMask: fc.constantFrom<MhaConfig['attnMask']>('none', 'bool2', 'float2', 'bool3', 'float3'),
  kpm: fc.constantFrom<MhaConfig['kpm']>('none', 'bool', 'float'),
  isCausal: fc.boolean(),
  needWeights: fc.boolean(),
  average: fc.boolean(),
  seed: seedArb,
});

function setupMha(c: MhaConfig) {
  const g = new Generator(c.seed);
  const E = c.H * c.hd;
  const self = c.selfAttn && c.kdim === null && c.vdim === null;
  const S = self ? c.L : c.S;
  const m = new MultiheadAttention(E, c.H, {
    kdim: c.kdim,
    vdim: c.vdim,
    bias: c.bias,
    batchFirst: c.batchFirst,
    addBiasKV: c.addBiasKV,
    addZeroAttn: c.addZeroAttn,
    dtype: 'float64',
    generator: g,
  });
  // random biases and bias_k/v too (they start at zero)
  for (const p of m.parameters()) p.data.copy_(randn([...p.shape], { dtype: 'float64', generator: g }).mul(0.5));
  const shape = (T: number, D: number) => (c.unbatched ? [T, D] : c.batchFirst ? [c.N, T, D] : [T, c.N, D]);
  const q = leaf(shape(c.L, E), c.seed + 1);
  const k = self ? q : leaf(shape(S, c.kdim ?? E), c.seed + 2);
  const v = self ? q : leaf(shape(S, c.vdim ?? E), c.seed + 3);
  const nb = c.unbatched ? 1 : c.N;
  let attnMask: Tensor | undefined;
  if (c.attnMask === 'bool2') attnMask = randn([c.L, S], { generator: g }).gt(0.3);
  if (c.attnMask === 'float2') attnMask = randn([c.L, S], { dtype: 'float64', generator: g });
  if (c.attnMask === 'bool3') attnMask = randn([nb * c.H, c.L, S], { generator: g }).gt(0.3);
  if (c.attnMask === 'float3') attnMask = randn([nb * c.H, c.L, S], { dtype: 'float64', generator: g });
  let keyPaddingMask: Tensor | undefined;
  const kShape = c.unbatched ? [S] : [c.N, S];
  if (c.kpm === 'bool') keyPaddingMask = randn(kShape, { generator: g }).gt(0.5);
  if (c.kpm === 'float') keyPaddingMask = randn(kShape, { dtype: 'float64', generator: g });
  const opts = { attnMask, keyPaddingMask, isCausal: c.isCausal, needWeights: c.needWeights, averageAttnWeights: c.average };
  return { m, q, k, v, opts, self, E, S };
}

describe('MultiheadAttention', () => {
  it('gradcheck in float64 w.r.t. query, key, value and every parameter (random sizes, layouts, masks, options)', () => {
    fc.assert(
      fc.property(mhaConfig, (c) => {
        const { m, q, k, v, opts, self } = setupMha(c);
        const inputs = self ? [q] : [q, k, v];
        return gradcheck(
          (...xs) => {
            const [a, b, d] = self ? [xs[0], xs[0], xs[0]] : xs;
            const r = m.call(a, b, d, opts);
            return weightedSum([r.output, r.weights], c.seed);
          },
          [...inputs, ...m.parameters()],
        );
      }),
      { numRuns: RUNS },
    );
  }, SLOW_TEST_TIMEOUT);

  it("has PyTorch's shapes for output and weights (batched, batchFirst, unbatched, per head)", () => {
    fc.assert(
      fc.property(mhaConfig, (c) => {
        const { m, q, k, v, opts, E, S } = setupMha(c);
        const r = m.call(q, k, v, opts);
        const Sx = S + (c.addBiasKV ? 1 : 0) + (c.addZeroAttn ? 1 : 0);
        expect(r.output.shape).toEqual(c.unbatched ? [c.L, E] : c.batchFirst ? [c.N, c.L, E] : [c.L, c.N, E]);
        if (!c.needWeights) expect(r.weights).toBeNull();
        else {
          const perHead = c.average ? [c.L, Sx] : [c.H, c.L, Sx];
          expect(r.weights?.shape).toEqual(c.unbatched ? perHead : [c.N, ...perHead]);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('one head without biases is softmax(q Wq^T (k Wk^T)^T / sqrt(E)) (v Wv^T) Wo^T', () => {
    const m = new MultiheadAttention(3, 1, { bias: false, dtype: 'float64', batchFirst: true });
    const g = new Generator(2);
    const q = randn([2, 4, 3], { dtype: 'float64', generator: g });
    const k = randn([2, 5, 3], { dtype: 'float64', generator: g });
    const v = randn([2, 5, 3], { dtype: 'float64', generator: g });
    const W = m.in_proj_weight as Variable;
    const [Wq, Wk, Wv] = [0, 1, 2].map((i) => W.data.narrow(0, 3 * i, 3));
    const ref = scaledDotProductAttention(q.matmul(Wq.T), k.matmul(Wk.T), v.matmul(Wv.T));
    const r = m.call(q, k, v);
    expectAllClose(arr(r.output), arr(ref.output.data.matmul(m.out_proj.weight.data.T)), 1e-12);
    expectAllClose(arr(r.weights), arr(ref.weights), 1e-12);
  });

  it('gives the same results for self-attention (one input) and three equal copies, batchFirst and seq-first, batched and unbatched', () => {
    const m = new MultiheadAttention(4, 2, { dtype: 'float64', generator: new Generator(1) });
    for (const p of m.parameters()) p.data.copy_(randn([...p.shape], { dtype: 'float64', generator: new Generator(7) }));
    const x = randn([3, 2, 4], { dtype: 'float64', generator: new Generator(4) }); // [L, N, E]
    const one = m.call(x, x, x, { isCausal: true });
    const three = m.call(x.clone(), x.clone(), x.clone(), { isCausal: true });
    expectAllClose(arr(one.output), arr(three.output), 1e-12);
    const bf = new MultiheadAttention(4, 2, { dtype: 'float64', batchFirst: true });
    bf.loadStateDict(m.stateDict());
    const xb = x.transpose(0, 1).contiguous();
    const rb = bf.call(xb, xb, xb, { isCausal: true });
    expectAllClose(arr(rb.output.data.transpose(0, 1)), arr(one.output), 1e-12);
    expectAllClose(arr(rb.weights), arr(one.weights), 1e-12);
    const x0 = x.select(1, 0).contiguous(); // batch element 0, unbatched [L, E]
    const r0 = m.call(x0, x0, x0, { isCausal: true });
    expectAllClose(arr(r0.output), arr(one.output.data.select(1, 0)), 1e-12);
    expectAllClose(arr(r0.weights), arr((one.weights as Variable).data.select(0, 0)), 1e-12);
  });

  it('key padding mask: a padded key gets zero weight and its value does not change the output', () => {
    const m = new MultiheadAttention(4, 2, { dtype: 'float64', batchFirst: true, generator: new Generator(3) });
    const g = new Generator(8);
    const q = randn([2, 3, 4], { dtype: 'float64', generator: g });
    const kv = randn([2, 5, 4], { dtype: 'float64', generator: g });
    const pad = tensor([[false, false, false, true, true], [false, false, false, false, true]]);
    const r = m.call(q, kv, kv, { keyPaddingMask: pad, averageAttnWeights: false });
    const w = arr(r.weights); // [2, 2, 3, 5]
    for (let n = 0; n < 2; n++) for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) {
      const x = w[((n * 2 + h) * 3 + i) * 5 + j];
      if ((n === 0 && j >= 3) || (n === 1 && j === 4)) expect(x).toBe(0);
      else expect(x).toBeGreaterThan(0);
    }
    // change the padded keys/values: nothing moves
    const kv2 = kv.clone();
    kv2.select(0, 0).narrow(0, 3, 2).copy_(randn([2, 4], { dtype: 'float64', generator: g }));
    kv2.select(0, 1).narrow(0, 4, 1).copy_(randn([1, 4], { dtype: 'float64', generator: g }));
    expectAllClose(arr(m.call(q, kv2, kv2, { keyPaddingMask: pad }).output), arr(r.output), 1e-12);
  });

  it('a fully padded sequence gives a zero attention output (the output bias), not NaN', () => {
    const m = new MultiheadAttention(4, 2, { dtype: 'float64', batchFirst: true, generator: new Generator(3) });
    m.out_proj.bias?.data.copy_(tensor([1, 2, 3, 4], { dtype: 'float64' }));
    const x = randn([2, 3, 4], { dtype: 'float64', generator: new Generator(1) });
    const pad = tensor([[true, true, true], [false, false, true]]);
    const r = m.call(x, x, x, { keyPaddingMask: pad });
    expect(arr(r.output.data.select(0, 0))).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(arr(r.output).every(Number.isFinite)).toBe(true);
  });

  it("is initialised as PyTorch: Xavier-uniform in_proj_weight, zero biases, Linear's out_proj.weight", () => {
    const E = 8;
    const m = new MultiheadAttention(E, 2, { generator: new Generator(0) });
    const w = arr(m.in_proj_weight);
    const bound = Math.sqrt(6 / (E + 3 * E));
    expect(w.every((x) => Math.abs(x) <= bound)).toBe(true);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(arr(m.in_proj_bias).every((x) => x === 0)).toBe(true);
    expect(arr(m.out_proj.bias).every((x) => x === 0)).toBe(true);
    const ob = 1 / Math.sqrt(E);
    expect(arr(m.out_proj.weight).every((x) => Math.abs(x) <= ob)).toBe(true);
    const sep = new MultiheadAttention(4, 2, { kdim: 3, vdim: 5, addBiasKV: true, bias: false });
    expect(Object.keys(sep.stateDict())).toEqual(['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'bias_k', 'bias_v', 'out_proj.weight']);
    expect(sep.k_proj_weight?.shape).toEqual([4, 3]);
    expect(sep.v_proj_weight?.shape).toEqual([4, 5]);
    expect(sep.in_proj_weight).toBeNull();
    expect(arr(sep.bias_k).some((x) => x !== 0)).toBe(true);
  });

  it('drops attention weights in training only (and returns the dropped weights, as PyTorch 1.13)', () => {
    const m = new MultiheadAttention(4, 2, { dropout: 0.5, batchFirst: true, generator: new Generator(2) });
    const x = randn([2, 6, 4], { generator: new Generator(3) });
    const a = m.call(x, x, x, { averageAttnWeights: false });
    const b = m.call(x, x, x, { averageAttnWeights: false });
    expect(arr(a.output)).not.toEqual(arr(b.output));
    expect(arr(a.weights).filter((w) => w === 0).length).toBeGreaterThan(10);
    m.eval();
    const c = m.call(x, x, x);
    const d = m.call(x, x, x);
    expect(arr(c.output)).toEqual(arr(d.output));
    expect(arr(c.weights).every((w) => w > 0)).toBe(true);
  });

  it('rejects bad configurations and inputs with clear errors', () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow(/MultiheadAttention: embedDim \(6\) must be divisible by numHeads \(4\)/);
    expect(() => new MultiheadAttention(4, 2, { dropout: 1.5 })).toThrow(/dropout must be between 0 and 1/);
    const m = new MultiheadAttention(4, 2);
    const x = zeros([3, 2, 4]);
    expect(() => m.call(zeros([3, 2, 5]), x, x)).toThrow(/MultiheadAttention\(embed_dim=4, num_heads=2\): the query's last size must be embedDim = 4; got query \[3, 2, 5\]/);
    expect(() => m.call(x, zeros([3, 2, 4]), zeros([2, 2, 4]))).toThrow(/key and value must have the same sequence length; got query \[3, 2, 4\], key \[3, 2, 4\], value \[2, 2, 4\]/);
    expect(() => m.call(x, zeros([3, 1, 4]), zeros([3, 1, 4]))).toThrow(/same batch size \(dim 1\)/);
    expect(() => m.call(zeros([1, 3, 2, 4]), x, x)).toThrow(/batched \[L, N, E\] \(3-D\) or unbatched \[L, E\]/);
    expect(() => m.call(x, zeros([3, 4]), zeros([3, 4]))).toThrow(/as many dims as the query/);
    expect(() => m.call(x, x, x, { attnMask: zeros([3, 2]) })).toThrow(/attnMask \[3, 2\] must be \[L, S\] = \[3, 3\] or \[N \* numHeads, L, S\] = \[4, 3, 3\]/);
    expect(() => m.call(x, x, x, { keyPaddingMask: zeros([3, 2]).bool() })).toThrow(/keyPaddingMask \[3, 2\] must be \[N, S\] = \[2, 3\]/);
    expect(() => m.call(x, x, x, { keyPaddingMask: zeros([2, 3], { dtype: 'int32' }) })).toThrow(/only bool and floating-point masks/);
    expect(() => m.call(x.double(), x.double(), x.double())).toThrow(/float64 but the layer's parameters are float32/);
    const sep = new MultiheadAttention(4, 2, { kdim: 3 });
    expect(() => sep.call(x, x, x)).toThrow(/the key's last size must be kdim = 3/);
  });

  it('prints like PyTorch', () => {
    expect(new MultiheadAttention(4, 2).toString()).toBe('MultiheadAttention(\n  (out_proj): Linear(in_features=4, out_features=4, bias=True)\n)');
  });
});
