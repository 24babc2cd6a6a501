/**
 * TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder/Decoder and cloneModule:
 * float64 gradchecks (dropout 0; fast-check over options and masks) w.r.t. the inputs and every
 * parameter; post-LN vs pre-LN structure; causality and padding properties; deep copies; names,
 * dropout, errors. PyTorch parity is in attention.fixtures.test.ts; learning in
 * transformer.learning.test.ts.
 */
import fc from 'fast-check';
import { Parameter, Variable, add, gradcheck, mul, sum } from '@dl/autograd';
import { Generator, Tensor, randn, tensor, zeros } from '@dl/tensor';
import { generateSquareSubsequentMask } from './attention';
import { Linear } from './linear';
import { LayerNorm } from './normalization';
import { Sequential } from './containers';
import { TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, cloneModule } from './transformer';
import { leaf, seedArb } from './testing/gradcheck';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const arr = (t: Tensor | Variable | null): number[] => Array.from((t instanceof Variable ? t.data : (t as Tensor)).contiguous().toTypedArray());

function weightedSum(p: Variable, seed: number): Variable {
  return sum(mul(p, randn([...p.shape], { dtype: 'float64', generator: new Generator(seed + 101) })));
}

function expectAllClose(a: number[], b: number[], tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    if (!(Math.abs(v - b[i]) <= tol)) throw new Error(`element ${i}: ${v} vs ${b[i]}`);
  });
}

/** Random values for every parameter (LayerNorm weights around 1), so that no term hides behind a zero bias. */
function randomize(m: { parameters(): Parameter[] }, seed: number): void {
  const g = new Generator(seed);
  for (const p of m.parameters()) {
    const r = randn([...p.shape], { dtype: p.dtype, generator: g }).mul(0.5);
    p.data.copy_(p.ndim === 1 && arr(p).every((x) => x === 1) ? r.mul(0.4).add(1) : r);
  }
}

const layerArb = fc.record({
  H: fc.integer({ min: 1, max: 2 }),
  hd: fc.integer({ min: 1, max: 2 }),
  ff: fc.integer({ min: 1, max: 3 }),
  L: fc.integer({ min: 1, max: 3 }),
  S: fc.integer({ min: 1, max: 3 }),
  N: fc.integer({ min: 1, max: 2 }),
  normFirst: fc.boolean(),
  activation: fc.constantFrom<'relu' | 'gelu'>('relu', 'gelu'),
  batchFirst: fc.boolean(),
  unbatched: fc.boolean(),
  mask: fc.constantFrom('none', 'float', 'causal'),
  kpm: fc.boolean(),
  seed: seedArb,
});
type LayerCase = typeof layerArb extends fc.Arbitrary<infer C> ? C : never;

function seq(c: LayerCase, T: number, d: number, seed: number): Variable {
  return leaf(c.unbatched ? [T, d] : c.batchFirst ? [c.N, T, d] : [T, c.N, d], seed);
}

function padMask(c: LayerCase, T: number, g: Generator): Tensor | undefined {
  if (!c.kpm) return undefined;
  return randn(c.unbatched ? [T] : [c.N, T], { generator: g }).gt(0.6);
}

describe('TransformerEncoderLayer', () => {
  it('gradcheck in float64 w.r.t. src and every parameter (post-/pre-LN, relu/gelu, layouts, masks)', () => {
    fc.assert(
      fc.property(layerArb, (c) => {
        const d = c.H * c.hd;
        const g = new Generator(c.seed);
        const m = new TransformerEncoderLayer(d, c.H, { dimFeedforward: c.ff, dropout: 0, activation: c.activation, normFirst: c.normFirst, batchFirst: c.batchFirst, dtype: 'float64', generator: g });
        randomize(m, c.seed);
        const src = seq(c, c.L, d, c.seed + 1);
        const opts = {
          srcMask: c.mask === 'float' ? randn([c.L, c.L], { dtype: 'float64', generator: g }) : undefined,
          isCausal: c.mask === 'causal',
          srcKeyPaddingMask: padMask(c, c.L, g),
        };
        // LayerNorm with d = 1 has a zero gradient everywhere; relu's kink is avoided by random values
        return gradcheck((x) => weightedSum(m.call(x, opts), c.seed), [src, ...m.parameters()]);
      }),
      { numRuns: 15 },
    );
  }, SLOW_TEST_TIMEOUT);

  it('post-LN: norm2(h + FF(h)) with h = norm1(x + SA(x)); pre-LN: x + SA(norm1 x), then + FF(norm2 .)', () => {
    const g = new Generator(4);
    const x = randn([3, 2, 4], { dtype: 'float64', generator: g });
    for (const normFirst of [false, true]) {
      const m = new TransformerEncoderLayer(4, 2, { dimFeedforward: 5, dropout: 0, normFirst, dtype: 'float64', generator: g });
      randomize(m, 9);
      const sa = (h: Variable) => m.self_attn.call(h, h, h).output;
      const ff = (h: Variable) => m.linear2.call(m.linear1.call(h).relu());
      const xv = new Variable(x);
      let ref: Variable;
      if (normFirst) {
        const h = add(xv, sa(m.norm1.call(xv)));
        ref = add(h, ff(m.norm2.call(h)));
      } else {
        const h = m.norm1.call(add(xv, sa(xv)));
        ref = m.norm2.call(add(h, ff(h)));
      }
      expectAllClose(arr(m.call(x)), arr(ref), 1e-12);
    }
  });

  it('isCausal: position i does not depend on later positions; a padded key does not change the others', () => {
    const m = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, batchFirst: true, dtype: 'float64', generator: new Generator(1) });
    const x = randn([1, 5, 4], { dtype: 'float64', generator: new Generator(2) });
    const y = m.call(x, { isCausal: true });
    const x2 = x.clone();
    x2.select(1, 3).copy_(randn([1, 4], { dtype: 'float64', generator: new Generator(3) }).reshape([4]));
    const y2 = m.call(x2, { isCausal: true });
    expectAllClose(arr(y.data.narrow(1, 0, 3)), arr(y2.data.narrow(1, 0, 3)), 1e-12);
    expect(arr(y.data.narrow(1, 3, 1))).not.toEqual(arr(y2.data.narrow(1, 3, 1)));
    // same with an explicit float mask
    expectAllClose(arr(m.call(x, { srcMask: generateSquareSubsequentMask(5, 'float64') })), arr(y), 1e-12);
    const pad = tensor([[false, false, false, true, false]]);
    const p1 = m.call(x, { srcKeyPaddingMask: pad });
    const p2 = m.call(x2, { srcKeyPaddingMask: pad });
    for (const i of [0, 1, 2, 4]) expectAllClose(arr(p1.data.select(1, i)), arr(p2.data.select(1, i)), 1e-12);
  });

  it("has PyTorch's sub-modules, state-dict keys and defaults; prints like PyTorch", () => {
    const m = new TransformerEncoderLayer(8, 2);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['self_attn', 'linear1', 'dropout', 'linear2', 'norm1', 'norm2', 'dropout1', 'dropout2']);
    expect(Object.keys(m.stateDict())).toEqual([
      'self_attn.in_proj_weight',
      'self_attn.in_proj_bias',
      'self_attn.out_proj.weight',
      'self_attn.out_proj.bias',
      'linear1.weight',
      'linear1.bias',
      'linear2.weight',
      'linear2.bias',
      'norm1.weight',
      'norm1.bias',
      'norm2.weight',
      'norm2.bias',
    ]);
    expect(m.linear1.weight.shape).toEqual([2048, 8]);
    expect(m.dropout.p).toBe(0.1);
    expect(m.self_attn.dropout).toBe(0.1);
    expect(m.norm1.eps).toBe(1e-5);
    expect(m.normFirst).toBe(false);
    expect(m.batchFirst).toBe(false);
    expect(m.toString()).toContain('TransformerEncoderLayer(\n  (self_attn): MultiheadAttention(\n    (out_proj): Linear(in_features=8, out_features=8, bias=True)\n  )\n  (linear1): Linear(in_features=8, out_features=2048, bias=True)\n  (dropout): Dropout(p=0.1, inplace=False)');
  });

  it('uses dropout in training only', () => {
    const m = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.3, generator: new Generator(5) });
    const x = randn([3, 2, 4], { generator: new Generator(6) });
    expect(arr(m.call(x))).not.toEqual(arr(m.call(x)));
    m.eval();
    expect(arr(m.call(x))).toEqual(arr(m.call(x)));
  });

  it('accepts a custom activation function', () => {
    const m = new TransformerEncoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, activation: (x) => x.tanh(), dtype: 'float64' });
    const x = randn([2, 1, 4], { dtype: 'float64', generator: new Generator(1) });
    const xv = new Variable(x);
    const h = m.norm1.call(add(xv, m.self_attn.call(xv, xv, xv).output));
    const ref = m.norm2.call(add(h, m.linear2.call(m.linear1.call(h).tanh())));
    expectAllClose(arr(m.call(x)), arr(ref), 1e-12);
  });

  it('rejects bad configurations and inputs with clear errors', () => {
    expect(() => new TransformerEncoderLayer(6, 4)).toThrow(/TransformerEncoderLayer: dModel \(6\) must be divisible by nhead \(4\)/);
    expect(() => new TransformerEncoderLayer(4, 2, { activation: 'tanh' as never })).toThrow(/activation should be 'relu', 'gelu' or a function, not 'tanh'/);
    const m = new TransformerEncoderLayer(4, 2, { dimFeedforward: 4 });
    expect(() => m.call(zeros([3, 2, 5]))).toThrow(/TransformerEncoderLayer\(d_model=4, nhead=2\): src must be \[L, N, dModel\] or unbatched \[L, dModel\] with dModel = 4; got \[3, 2, 5\]/);
    expect(() => m.call(zeros([3, 2, 4]), { srcMask: zeros([2, 2]) })).toThrow(/attnMask \[2, 2\] must be \[L, S\] = \[3, 3\]/);
  });
});

describe('TransformerDecoderLayer', () => {
  it('gradcheck in float64 w.r.t. tgt, memory and every parameter (post-/pre-LN, causal target, padding)', () => {
    fc.assert(
      fc.property(layerArb, (c) => {
        const d = c.H * c.hd;
        const g = new Generator(c.seed);
        const m = new TransformerDecoderLayer(d, c.H, { dimFeedforward: c.ff, dropout: 0, activation: c.activation, normFirst: c.normFirst, batchFirst: c.batchFirst, dtype: 'float64', generator: g });
        randomize(m, c.seed);
        const tgt = seq(c, c.L, d, c.seed + 1);
        const memory = seq(c, c.S, d, c.seed + 2);
        const opts = {
          tgtIsCausal: c.mask === 'causal',
          memoryMask: c.mask === 'float' ? randn([c.L, c.S], { dtype: 'float64', generator: g }) : undefined,
          tgtKeyPaddingMask: padMask(c, c.L, g),
          memoryKeyPaddingMask: padMask(c, c.S, g),
        };
        return gradcheck((t, mem) => weightedSum(m.call(t, mem, opts), c.seed), [tgt, memory, ...m.parameters()]);
      }),
      { numRuns: 10 },
    );
  }, SLOW_TEST_TIMEOUT);

  it("has PyTorch's sub-modules in order; tgtIsCausal equals the -inf subsequent mask", () => {
    const m = new TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, dtype: 'float64', generator: new Generator(2) });
    expect(m.namedChildren().map(([n]) => n)).toEqual(['self_attn', 'multihead_attn', 'linear1', 'dropout', 'linear2', 'norm1', 'norm2', 'norm3', 'dropout1', 'dropout2', 'dropout3']);
    const tgt = randn([4, 2, 4], { dtype: 'float64', generator: new Generator(3) });
    const mem = randn([3, 2, 4], { dtype: 'float64', generator: new Generator(4) });
    expectAllClose(arr(m.call(tgt, mem, { tgtIsCausal: true })), arr(m.call(tgt, mem, { tgtMask: generateSquareSubsequentMask(4, 'float64') })), 1e-12);
    expect(() => m.call(tgt, mem.select(1, 0))).toThrow(/both be batched \(3-D\) or both unbatched/);
  });
});

describe('TransformerEncoder / TransformerDecoder and cloneModule', () => {
  it('cloneModule: equal but separate parameters and buffers; sharing inside is kept; the copy trains alone', () => {
    const lin = new Linear(3, 3);
    const net = new Sequential(lin, new LayerNorm(3), lin); // lin used twice
    net.registerBuffer('steps', tensor([1, 2]));
    net.eval();
    const copy = cloneModule(net);
    expect(copy).toBeInstanceOf(Sequential);
    expect(copy.training).toBe(false);
    const [p, q] = [net.namedParameters(), copy.namedParameters()];
    expect(q.map(([n]) => n)).toEqual(p.map(([n]) => n));
    q.forEach(([, x], i) => {
      expect(x).not.toBe(p[i][1]);
      expect(x).toBeInstanceOf(Parameter);
      expect(arr(x)).toEqual(arr(p[i][1]));
    });
    expect(copy.at(0)).toBe(copy.at(2)); // still one shared Linear
    expect(copy.buffers()[0]).not.toBe(net.buffers()[0]);
    q[0][1].data.fill_(7);
    expect(arr(p[0][1]).some((x) => x === 7)).toBe(false);
    const x = randn([4, 3], { generator: new Generator(1) });
    expect(() => copy.call(x)).not.toThrow();
  });

  it('TransformerEncoder: numLayers equal copies named layers.i, final norm, PyTorch keys; layers train separately', () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, generator: new Generator(3) });
    const enc = new TransformerEncoder(layer, 3, { norm: new LayerNorm(4) });
    const keys = Object.keys(enc.stateDict());
    expect(keys[0]).toBe('layers.0.self_attn.in_proj_weight');
    expect(keys.filter((k) => k.startsWith('layers.2.'))).toHaveLength(12);
    expect(keys.slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    expect(enc.parameters()).toHaveLength(3 * 12 + 2);
    const l0 = enc.layers.at(0) as TransformerEncoderLayer;
    const l1 = enc.layers.at(1) as TransformerEncoderLayer;
    expect(arr(l0.linear1.weight)).toEqual(arr(layer.linear1.weight));
    expect(arr(l1.linear1.weight)).toEqual(arr(layer.linear1.weight));
    expect(l0.linear1.weight).not.toBe(l1.linear1.weight);
    expect(enc.parameters()).not.toContain(layer.linear1.weight);
    // = running the layers in turn, then the norm
    const x = randn([3, 2, 4], { generator: new Generator(5) });
    let h: Variable = new Variable(x);
    for (const l of enc.layers) h = (l as TransformerEncoderLayer).call(h, { isCausal: true });
    expectAllClose(arr(enc.call(x, { isCausal: true })), arr((enc.norm as LayerNorm).call(h)), 1e-6);
    expect(() => new TransformerEncoder(layer, 0)).toThrow(/numLayers must be an integer >= 1, got 0/);
  });

  it('gradcheck in float64 through a 2-layer pre-LN encoder with a final norm (all parameters) and a 2-layer decoder', () => {
    const g = new Generator(11);
    const enc = new TransformerEncoder(new TransformerEncoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, normFirst: true, activation: 'gelu', batchFirst: true, dtype: 'float64', generator: g }), 2, {
      norm: new LayerNorm(4, { dtype: 'float64' }),
    });
    randomize(enc, 12);
    const src = leaf([2, 3, 4], 13);
    const pad = tensor([[false, false, true], [false, false, false]]);
    expect(gradcheck((x) => weightedSum(enc.call(x, { srcKeyPaddingMask: pad }), 1), [src, ...enc.parameters()])).toBe(true);
    const dec = new TransformerDecoder(new TransformerDecoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, dtype: 'float64', generator: g }), 2);
    randomize(dec, 14);
    const tgt = leaf([2, 2, 4], 15);
    const mem = leaf([3, 2, 4], 16);
    expect(Object.keys(dec.stateDict())).toHaveLength(2 * 18);
    // (every parameter of a decoder layer is gradchecked above; here the gradient through the stack)
    expect(gradcheck((t, m) => weightedSum(dec.call(t, m, { tgtIsCausal: true }), 2), [tgt, mem, ...(dec.layers.at(0) as TransformerDecoderLayer).linear1.parameters()])).toBe(true);
  }, SLOW_TEST_TIMEOUT);
});
