/**
 * RNN, LSTM, GRU over sequences: float64 gradcheck (fast-check over sizes, numLayers 1-2,
 * bidirectional, batchFirst, unbatched, with and without initial states and bias) w.r.t. the
 * input, the initial states and every parameter; consistency with the cells, layouts of output
 * and h_n, dropout, names and initialisation, errors. PyTorch parity is in recurrent.fixtures.test.ts.
 */
import fc from 'fast-check';
import { Variable, gradcheck, narrow } from '@dl/autograd';
import { Generator, randn, type Tensor } from '@dl/tensor';
import { GRU, LSTM, RNN, type RNNBase } from './recurrent';
import { GRUCell, LSTMCell, RNNCell } from './rnn-cells';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const RUNS = 20;

function leaf(shape: number[], g: Generator): Variable {
  return new Variable(randn(shape, { dtype: 'float64', generator: g }), { requiresGrad: true });
}

type Kind = 'rnn-tanh' | 'rnn-relu' | 'lstm' | 'gru';

interface SeqConfig {
  kind: Kind;
  I: number;
  H: number;
  T: number;
  B: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  unbatched: boolean;
  withState: boolean;
  bias: boolean;
  seed: number;
}

const seqConfig: fc.Arbitrary<SeqConfig> = fc.record({
  kind: fc.constantFrom<Kind>('rnn-tanh', 'rnn-relu', 'lstm', 'gru'),
  I: fc.integer({ min: 1, max: 2 }),
  H: fc.integer({ min: 1, max: 2 }),
  T: fc.integer({ min: 1, max: 3 }),
  B: fc.integer({ min: 1, max: 2 }),
  numLayers: fc.integer({ min: 1, max: 2 }),
  bidirectional: fc.boolean(),
  batchFirst: fc.boolean(),
  unbatched: fc.boolean(),
  withState: fc.boolean(),
  bias: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

function makeSeq(c: SeqConfig, g?: Generator): RNN | LSTM | GRU {
  const o = { numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias, dtype: 'float64' as const, generator: g };
  switch (c.kind) {
    case 'lstm':
      return new LSTM(c.I, c.H, o);
    case 'gru':
      return new GRU(c.I, c.H, o);
    default:
      return new RNN(c.I, c.H, { ...o, nonlinearity: c.kind === 'rnn-relu' ? 'relu' : 'tanh' });
  }
}

/** The module's results as a list (output, h, c?), for gradcheck. */
function runSeq(m: RNN | LSTM | GRU, x: Variable, states: Variable[]): Variable[] {
  if (m instanceof LSTM) {
    const r = m.call(x, states.length ? [states[0], states[1]] : null);
    return [r.output, r.h, r.c];
  }
  const r = m.call(x, states.length ? states[0] : null);
  return [r.output, r.h];
}

describe('RNN / LSTM / GRU: gradcheck in float64', () => {
  it('w.r.t. input, initial states and every parameter (random sizes and options)', () => {
    fc.assert(
      fc.property(seqConfig, (c) => {
        const g = new Generator(c.seed);
        const m = makeSeq(c, g);
        const D = c.bidirectional ? 2 : 1;
        const xShape = c.unbatched ? [c.T, c.I] : c.batchFirst ? [c.B, c.T, c.I] : [c.T, c.B, c.I];
        const sShape = c.unbatched ? [c.numLayers * D, c.H] : [c.numLayers * D, c.B, c.H];
        const x = leaf(xShape, g);
        const states = c.withState ? (c.kind === 'lstm' ? [leaf(sShape, g), leaf(sShape, g)] : [leaf(sShape, g)]) : [];
        const n = states.length;
        return gradcheck((x, ...rest) => runSeq(m, x, rest.slice(0, n)), [x, ...states, ...m.parameters()]);
      }),
      { numRuns: RUNS },
    );
  }, SLOW_TEST_TIMEOUT);
});

describe('RNN / LSTM / GRU: gradcheck through dropout', () => {
  it('the same masks (reseeded dropoutGenerator) give a differentiable function of input and parameters', () => {
    const g = new Generator(4);
    const m = new GRU(2, 2, { numLayers: 3, dropout: 0.4, dtype: 'float64', generator: g });
    const x = leaf([3, 2, 2], g);
    const fn = (x: Variable) => {
      m.dropoutGenerator = new Generator(11);
      const r = m.call(x);
      return [r.output, r.h];
    };
    expect(gradcheck(fn, [x, ...m.parameters()])).toBe(true);
  });
});

describe('RNN / LSTM / GRU: layouts', () => {
  const shape = (v: Variable | Tensor) => [...v.shape];

  it('output [T, B, D*H] (batchFirst: [B, T, D*H]), h and c [L*D, B, H], unbatched drops B', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const r = lstm.call(randn([5, 2, 3]));
    expect([shape(r.output), shape(r.h), shape(r.c)]).toEqual([[5, 2, 8], [4, 2, 4], [4, 2, 4]]);
    const bf = new GRU(3, 4, { numLayers: 3, batchFirst: true });
    const r2 = bf.call(randn([2, 5, 3]));
    expect([shape(r2.output), shape(r2.h)]).toEqual([[2, 5, 4], [3, 2, 4]]);
    const r3 = new RNN(3, 4, { bidirectional: true, batchFirst: true }).call(randn([5, 3]));
    expect([shape(r3.output), shape(r3.h)]).toEqual([[5, 8], [2, 4]]);
  });

  it('h_n of the last layer: the forward direction ends at step T-1, the reverse one at step 0', () => {
    for (const m of [new GRU(3, 4, { numLayers: 2, bidirectional: true, dtype: 'float64' }), new RNN(3, 4, { numLayers: 2, bidirectional: true, dtype: 'float64' })]) {
      const { output, h } = m.call(randn([5, 2, 3], { dtype: 'float64' }));
      expect(output.select(0, 4).narrow(1, 0, 4).toArray()).toEqual(h.select(0, 2).toArray());
      expect(output.select(0, 0).narrow(1, 4, 4).toArray()).toEqual(h.select(0, 3).toArray());
    }
  });

  it('batchFirst and unbatched give the same numbers as the time-major layout', () => {
    const g = new Generator(3);
    const a = new LSTM(3, 4, { numLayers: 2, bidirectional: true, dtype: 'float64', generator: new Generator(1) });
    const b = new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: 'float64', generator: new Generator(1) });
    const x = randn([5, 2, 3], { dtype: 'float64', generator: g });
    const h0 = randn([4, 2, 4], { dtype: 'float64', generator: g });
    const c0 = randn([4, 2, 4], { dtype: 'float64', generator: g });
    const ra = a.call(x, [h0, c0]);
    const rb = b.call(x.transpose(0, 1), { h: h0, c: c0 });
    expect(rb.output.transpose(0, 1).toArray()).toEqual(ra.output.toArray());
    expect(rb.h.toArray()).toEqual(ra.h.toArray());
    const ru = a.call(x.select(1, 1), [h0.select(1, 1), c0.select(1, 1)]);
    const close = (p: Variable, q: Variable) => expect(p.sub(q).abs().max().item()).toBeLessThan(1e-14);
    close(ru.output, ra.output.select(1, 1));
    close(ru.c, ra.c.select(1, 1));
  });

  it('one layer equals its cell run step by step with the same weights', () => {
    const g = new Generator(5);
    const x = randn([4, 2, 3], { dtype: 'float64', generator: g });
    const pairs = [
      [new RNN(3, 5, { nonlinearity: 'relu', dtype: 'float64' }), new RNNCell(3, 5, { nonlinearity: 'relu', dtype: 'float64' })],
      [new GRU(3, 5, { dtype: 'float64' }), new GRUCell(3, 5, { dtype: 'float64' })],
    ] as const;
    for (const [seq, cell] of pairs) {
      cell.loadStateDict(Object.fromEntries(Object.entries(seq.stateDict()).map(([k, v]) => [k.replace('_l0', ''), v])));
      let h: Variable | null = null;
      for (let t = 0; t < 4; t++) h = cell.call(x.select(0, t), h);
      expect(seq.call(x).h.select(0, 0).sub(h as Variable).abs().max().item()).toBeLessThan(1e-14);
    }
    const lstm = new LSTM(3, 5, { dtype: 'float64' });
    const cell = new LSTMCell(3, 5, { dtype: 'float64' });
    cell.loadStateDict(Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k.replace('_l0', ''), v])));
    let s = cell.call(x.select(0, 0));
    for (let t = 1; t < 4; t++) s = cell.call(x.select(0, t), s);
    const r = lstm.call(x);
    expect(r.c.select(0, 0).sub(s.c).abs().max().item()).toBeLessThan(1e-14);
    expect(narrow(r.output, 0, 3, 1).squeeze(0).sub(s.h).abs().max().item()).toBeLessThan(1e-14);
  });
});

describe('RNN / LSTM / GRU: parameters', () => {
  it("are named as PyTorch's, layer by layer, forward direction first", () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const names = lstm.namedParameters().map(([n, p]) => `${n} [${p.shape.join(', ')}]`);
    expect(names).toEqual([
      'weight_ih_l0 [16, 3]',
      'weight_hh_l0 [16, 4]',
      'bias_ih_l0 [16]',
      'bias_hh_l0 [16]',
      'weight_ih_l0_reverse [16, 3]',
      'weight_hh_l0_reverse [16, 4]',
      'bias_ih_l0_reverse [16]',
      'bias_hh_l0_reverse [16]',
      'weight_ih_l1 [16, 8]',
      'weight_hh_l1 [16, 4]',
      'bias_ih_l1 [16]',
      'bias_hh_l1 [16]',
      'weight_ih_l1_reverse [16, 8]',
      'weight_hh_l1_reverse [16, 4]',
      'bias_ih_l1_reverse [16]',
      'bias_hh_l1_reverse [16]',
    ]);
    expect(lstm.allWeights.map((ws) => ws.length)).toEqual([4, 4, 4, 4]);
    expect(lstm.allWeights[2][0]).toBe(lstm.namedParameters()[8][1]);
    expect(Object.keys(new GRU(3, 4, { numLayers: 2, bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l1', 'weight_hh_l1']);
    expect(new GRU(3, 4, { bias: false }).bias_ih_l0).toBeNull();
  });

  it('are drawn from U(-1/sqrt(H), 1/sqrt(H)), reproducibly from a generator', () => {
    const m = new RNN(6, 25, { numLayers: 2, generator: new Generator(7) });
    const all = m.parameters().flatMap((p) => [...p.data.toTypedArray()]);
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.2);
    expect(Math.max(...all)).toBeGreaterThan(0.19);
    expect(new RNN(6, 25, { numLayers: 2, generator: new Generator(7) }).weight_hh_l0.data.toArray()).toEqual(m.weight_hh_l0.data.toArray());
    m.resetParameters(new Generator(8));
    expect(m.weight_hh_l0.data.toArray()).not.toEqual(new RNN(6, 25, { numLayers: 2, generator: new Generator(7) }).weight_hh_l0.data.toArray());
  });

  it('follow module.double() / float() (the Parameter objects stay)', () => {
    const m = new LSTM(3, 4, { numLayers: 2 });
    const w = m.weight_hh_l0;
    m.double();
    expect(m.weight_hh_l0).toBe(w);
    expect(m.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    expect(m.call(randn([2, 1, 3], { dtype: 'float64' })).c.dtype).toBe('float64');
    expect(new GRUCell(3, 4).double().call(randn([3], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('print like PyTorch', () => {
    expect(new LSTM(10, 20, { numLayers: 2, batchFirst: true, dropout: 0.5, bidirectional: true }).toString()).toBe(
      'LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)',
    );
    expect(new RNN(10, 20, { nonlinearity: 'relu', bias: false }).toString()).toBe('RNN(10, 20, nonlinearity=relu, bias=False)');
  });
});

describe('RNN / LSTM / GRU: dropout between layers', () => {
  const x = randn([4, 2, 3], { dtype: 'float64' });

  it('is off in eval mode and after the last layer, on in training, seedable', () => {
    const mk = (dropout: number) => new GRU(3, 4, { numLayers: 2, dropout, dtype: 'float64', generator: new Generator(2), dropoutGenerator: new Generator(9) });
    const plain = mk(0).call(x).output.toArray();
    expect(mk(0.5).eval().call(x).output.toArray()).toEqual(plain);
    const a = mk(0.5).call(x).output.toArray();
    expect(a).not.toEqual(plain);
    expect(mk(0.5).call(x).output.toArray()).toEqual(a); // same dropoutGenerator seed, same masks
    // one layer: dropout is never applied
    expect(new GRU(3, 4, { dropout: 0.9, dtype: 'float64', generator: new Generator(2) }).call(x).output.toArray()).toEqual(
      new GRU(3, 4, { dtype: 'float64', generator: new Generator(2) }).call(x).output.toArray(),
    );
  });

  it('keeps each value with probability 1 - p and scales the kept ones by 1 / (1 - p)', () => {
    // layer 0 outputs relu(1) = 1 everywhere; layer 1 passes its (dropped-out) input through relu
    const m = new RNN(1, 1, { numLayers: 2, nonlinearity: 'relu', dropout: 0.25, dtype: 'float64', dropoutGenerator: new Generator(5) });
    const sd = m.stateDict();
    for (const [k, v] of [['weight_ih_l0', 0], ['weight_hh_l0', 0], ['bias_ih_l0', 1], ['bias_hh_l0', 0], ['weight_ih_l1', 1], ['weight_hh_l1', 0], ['bias_ih_l1', 0], ['bias_hh_l1', 0]] as const) {
      sd[k].fill_(v);
    }
    const out = [...m.call(randn([4, 1000, 1], { dtype: 'float64' })).output.data.toTypedArray()];
    const zerosFrac = out.filter((v) => v === 0).length / out.length;
    expect(out.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-15)).toBe(true);
    expect(zerosFrac).toBeGreaterThan(0.22);
    expect(zerosFrac).toBeLessThan(0.28);
  });

  it('with p = 1 the second layer sees zeros', () => {
    const m = new LSTM(3, 4, { numLayers: 2, dropout: 1, dtype: 'float64' });
    const top = new LSTM(4, 4, { dtype: 'float64' });
    top.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).filter(([k]) => k.endsWith('_l1')).map(([k, v]) => [k.replace('_l1', '_l0'), v])));
    expect(m.call(x).output.toArray()).toEqual(top.call(randn([4, 2, 4], { dtype: 'float64' }).mul(0)).output.toArray());
  });
});

describe('RNN / LSTM / GRU: errors', () => {
  it('name the layer, the shapes and the fix', () => {
    const lstm: RNNBase = new LSTM(10, 20, { numLayers: 2 });
    const l = lstm as LSTM;
    expect(() => l.call(randn([5, 3, 7]))).toThrow('LSTM(10 -> 20): input must be [seq, batch, 10] or unbatched [seq, 10], got [5, 3, 7]');
    expect(() => new GRU(10, 20, { batchFirst: true }).call(randn([4, 10]).reshape([1, 1, 1, 4, 10]))).toThrow(
      'GRU(10 -> 20): input must be [batch, seq, 10] (batchFirst) or unbatched [seq, 10], got [1, 1, 1, 4, 10]',
    );
    expect(() => l.call(randn([5, 3, 10]), [randn([1, 3, 20]), randn([2, 3, 20])])).toThrow(
      'LSTM(10 -> 20): expected h0 of shape [2, 3, 20] (numLayers * numDirections, batch, hiddenSize), got [1, 3, 20]',
    );
    expect(() => l.call(randn([5, 10]), [randn([2, 1, 20]), randn([2, 1, 20])])).toThrow(
      'expected h0 of shape [2, 20] (unbatched input: [numLayers * numDirections, hiddenSize])',
    );
    expect(() => l.call(randn([5, 3, 10]), [randn([2, 3, 20]), randn([2, 3, 21])])).toThrow('expected c0 of shape [2, 3, 20]');
    expect(() => l.call(randn([0, 3, 10]))).toThrow('LSTM(10 -> 20): the input sequence is empty (input [0, 3, 10]); need at least one step');
    expect(() => new RNN(3, 4).call(randn([2, 2, 3], { dtype: 'float64' }))).toThrow('RNN(3 -> 4): input is float64 but the parameters are float32');
    expect(() => new LSTM(3, 4, { projSize: 2 })).toThrow('LSTM: projSize=2 (LSTM with projections) is not implemented');
    expect(() => new GRU(3, 4, { numLayers: 0 })).toThrow('GRU: numLayers must be a positive integer, got 0');
    expect(() => new GRU(3, 4, { dropout: 1.5 })).toThrow('GRU: dropout must be a probability in [0, 1], got 1.5');
    expect(() => new RNN(3, 4, { nonlinearity: 'gelu' as 'relu' })).toThrow("RNN: unknown nonlinearity 'gelu'");
  });
});
