/**
 * Positional encodings: values by hand, layouts and offsets, buffers and parameters, float64
 * gradchecks (fast-check), RoPE's relative-position property, dropout, errors. The tables are
 * also compared with PyTorch computations in attention.fixtures.test.ts.
 */
import fc from 'fast-check';
import { Variable, gradcheck, mul, sum } from '@dl/autograd';
import { Generator, Tensor, randn, zeros } from '@dl/tensor';
import { LearnedPositionalEncoding, RotaryPositionalEmbedding, SinusoidalPositionalEncoding, sinusoidalTable } from './positional';
import { leaf, seedArb } from './testing/gradcheck';

const arr = (t: Tensor | Variable | null): number[] => Array.from((t instanceof Variable ? t.data : (t as Tensor)).contiguous().toTypedArray());

function expectAllClose(a: number[], b: number[], tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    if (!(Math.abs(v - b[i]) <= tol)) throw new Error(`element ${i}: ${v} vs ${b[i]}`);
  });
}

function weightedSum(p: Variable, seed: number): Variable {
  return sum(mul(p, randn([...p.shape], { dtype: 'float64', generator: new Generator(seed + 101) })));
}

describe('SinusoidalPositionalEncoding', () => {
  it('is sin(pos / 10000^(2i/d)) on even and cos on odd features (checked by hand)', () => {
    const t = arr(sinusoidalTable(3, 4, 'float64')); // [3, 4]
    const r = (pos: number) => [Math.sin(pos), Math.cos(pos), Math.sin(pos / 100), Math.cos(pos / 100)];
    expectAllClose(t, [...r(0), ...r(1), ...r(2)]);
    expect(t.slice(0, 4)).toEqual([0, 1, 0, 1]);
  });

  it('adds PE[offset : offset + L] in every layout; no parameters, a non-persistent buffer', () => {
    const d = 6;
    const table = sinusoidalTable(10, d, 'float64');
    const seqFirst = new SinusoidalPositionalEncoding(d, { maxLen: 10, dropout: 0, dtype: 'float64' });
    const batchFirst = new SinusoidalPositionalEncoding(d, { maxLen: 10, dropout: 0, batchFirst: true, dtype: 'float64' });
    const x = randn([4, 2, d], { dtype: 'float64', generator: new Generator(1) });
    const y = seqFirst.call(x, { offset: 3 });
    for (let n = 0; n < 2; n++) {
      expectAllClose(arr(y.data.select(1, n).sub(x.select(1, n))), arr(table.narrow(0, 3, 4)));
    }
    const xb = x.transpose(0, 1).contiguous();
    expectAllClose(arr(batchFirst.call(xb, { offset: 3 }).data.transpose(0, 1)), arr(y));
    expectAllClose(arr(seqFirst.call(x.select(1, 0).contiguous()).data.sub(x.select(1, 0))), arr(table.narrow(0, 0, 4)));
    expect(seqFirst.parameters()).toHaveLength(0);
    expect(Object.keys(seqFirst.stateDict())).toEqual([]);
    expect(seqFirst.namedBuffers().map(([n]) => n)).toEqual(['pe']);
    expect(new SinusoidalPositionalEncoding(4).pe.shape).toEqual([5000, 4]);
    expect(new SinusoidalPositionalEncoding(4).double().pe.dtype).toBe('float64');
  });

  it('passes gradients through unchanged and applies dropout (default 0.1) in training only', () => {
    const pe = new SinusoidalPositionalEncoding(3, { maxLen: 8, dropout: 0, dtype: 'float64' });
    const x = leaf([5, 3], 1);
    expect(gradcheck((v) => weightedSum(pe.call(v), 2), [x])).toBe(true);
    const drop = new SinusoidalPositionalEncoding(8, { maxLen: 64, generator: new Generator(3) });
    expect(drop.dropout.p).toBe(0.1);
    const z = zeros([64, 1, 8]);
    expect(arr(drop.call(z)).filter((v) => v === 0).length).toBeGreaterThan(20);
    drop.eval();
    expectAllClose(arr(drop.call(z)), arr(drop.pe), 0);
  });

  it('rejects bad input with clear errors', () => {
    const pe = new SinusoidalPositionalEncoding(4, { maxLen: 5 });
    expect(() => pe.call(zeros([6, 1, 4]))).toThrow(/SinusoidalPositionalEncoding\(d_model=4, max_len=5\): positions 0..5 of the input \[6, 1, 4\] exceed maxLen = 5/);
    expect(() => pe.call(zeros([3, 4]), { offset: 3 })).toThrow(/positions 3..5/);
    expect(() => pe.call(zeros([3, 1, 5]))).toThrow(/expected \[L, N, dModel\] or \[L, dModel\] with dModel = 4, got \[3, 1, 5\]/);
    expect(() => pe.call(zeros([3, 4], { dtype: 'int32' }))).toThrow(/expected a floating-point input/);
  });
});

describe('LearnedPositionalEncoding', () => {
  it('adds weight[offset : offset + L]; weight ~ N(0, std^2); PyTorch-style key `weight`', () => {
    const pos = new LearnedPositionalEncoding(6, 3, { dropout: 0, batchFirst: true, dtype: 'float64', generator: new Generator(1) });
    const x = randn([2, 4, 3], { dtype: 'float64', generator: new Generator(2) });
    const y = pos.call(x, { offset: 1 });
    for (let n = 0; n < 2; n++) expectAllClose(arr(y.data.select(0, n).sub(x.select(0, n))), arr(pos.weight.data.narrow(0, 1, 4)));
    expect(Object.keys(pos.stateDict())).toEqual(['weight']);
    const big = arr(new LearnedPositionalEncoding(100, 50, { generator: new Generator(3) }).weight);
    const std = Math.sqrt(big.reduce((a, b) => a + b * b, 0) / big.length);
    expect(std).toBeGreaterThan(0.95);
    expect(std).toBeLessThan(1.05);
    const small = arr(new LearnedPositionalEncoding(100, 50, { std: 0.02, generator: new Generator(3) }).weight);
    expect(Math.max(...small.map(Math.abs))).toBeLessThan(0.2);
  });

  it('gradcheck in float64 w.r.t. the input and the table; unused positions get zero gradient', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), seedArb, (L, offset, batchFirst, seed) => {
        const pos = new LearnedPositionalEncoding(5, 2, { dropout: 0, batchFirst, dtype: 'float64', generator: new Generator(seed) });
        const x = leaf(batchFirst ? [2, L, 2] : [L, 2, 2], seed);
        return gradcheck((v) => weightedSum(pos.call(v, { offset }), seed), [x, pos.weight]);
      }),
      { numRuns: 20 },
    );
    const pos = new LearnedPositionalEncoding(5, 2, { dropout: 0, dtype: 'float64' });
    sum(pos.call(zeros([2, 3, 2], { dtype: 'float64' }), { offset: 1 })).backward();
    expect(arr(pos.weight.grad)).toEqual([0, 0, 3, 3, 3, 3, 0, 0, 0, 0]); // L = 2 positions (1, 2), N = 3
  });

  it('rejects bad input with clear errors', () => {
    const pos = new LearnedPositionalEncoding(4, 2);
    expect(() => pos.call(zeros([5, 2]))).toThrow(/LearnedPositionalEncoding\(max_len=4, d_model=2\): positions 0..4 .* exceed maxLen = 4/);
    expect(() => pos.call(zeros([3, 2], { dtype: 'float64' }))).toThrow(/float64 but the layer's parameters are float32/);
    expect(() => pos.call(zeros([3, 2]), { offset: -1 })).toThrow(/offset must be an integer >= 0/);
  });
});

describe('RotaryPositionalEmbedding', () => {
  it('rotates the pairs (x[2i], x[2i+1]) by pos * base^(-2i/d) (checked by hand)', () => {
    const rope = new RotaryPositionalEmbedding(4, { base: 100 });
    const x = new Tensor(Float64Array.from([1, 2, 3, 4, 1, 2, 3, 4]), [2, 4]); // positions 0 and 1
    const y = arr(rope.call(x));
    expectAllClose(y.slice(0, 4), [1, 2, 3, 4]); // position 0: no rotation
    const [a, b] = [1, 0.1]; // angles at position 1: theta_0 = 1, theta_1 = 100^(-1/2)
    expectAllClose(y.slice(4), [Math.cos(a) - 2 * Math.sin(a), Math.sin(a) + 2 * Math.cos(a), 3 * Math.cos(b) - 4 * Math.sin(b), 3 * Math.sin(b) + 4 * Math.cos(b)]);
    expect(rope.parameters()).toHaveLength(0);
    expect(Object.keys(rope.stateDict())).toEqual([]);
    expect(arr(rope.invFreq)).toEqual([1, 0.1]);
  });

  it('q·k after RoPE depends only on the distance between positions, and norms are kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 50 }), seedArb, (half, shift, seed) => {
        const d = 2 * half;
        const rope = new RotaryPositionalEmbedding(d);
        const g = new Generator(seed);
        const q = randn([3, d], { dtype: 'float64', generator: g });
        const k = randn([3, d], { dtype: 'float64', generator: g });
        const scores = (off: number) => arr(rope.call(q, { offset: off }).data.matmul(rope.call(k, { offset: off }).data.T));
        expectAllClose(scores(0), scores(shift), 1e-9);
        const n = (t: Tensor) => arr(t.mul(t).sum({ dim: -1 }));
        expectAllClose(n(rope.call(q, { offset: shift }).data), n(q), 1e-9);
      }),
      { numRuns: 30 },
    );
  });

  it('gradcheck in float64 w.r.t. the input (any leading dims)', () => {
    fc.assert(
      fc.property(fc.constantFrom<number[]>([], [2], [2, 1]), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), seedArb, (lead, L, half, seed) => {
        const rope = new RotaryPositionalEmbedding(2 * half);
        const x = leaf([...lead, L, 2 * half], seed);
        return gradcheck((v) => weightedSum(rope.call(v, { offset: seed % 7 }), seed), [x]);
      }),
      { numRuns: 20 },
    );
  });

  it('rejects bad input with clear errors', () => {
    expect(() => new RotaryPositionalEmbedding(5)).toThrow(/RotaryPositionalEmbedding: headDim must be even/);
    expect(() => new RotaryPositionalEmbedding(4, { base: -1 })).toThrow(/base must be a positive number/);
    const rope = new RotaryPositionalEmbedding(4);
    expect(() => rope.call(zeros([2, 3, 6]))).toThrow(/RotaryPositionalEmbedding\(head_dim=4, base=10000.0\): expected \[..., L, headDim\] with headDim = 4, got \[2, 3, 6\]/);
  });
});
