/**
 * RNNCell, LSTMCell, GRUCell: float64 gradcheck (fast-check over sizes, batched / unbatched, with
 * and without a state, with and without bias) w.r.t. the input, the state and every parameter;
 * formulas checked by hand on tiny cases; initialisation range; errors. PyTorch parity is in
 * recurrent.fixtures.test.ts.
 */
import fc from 'fast-check';
import { Variable, gradcheck } from '@dl/autograd';
import { Generator, Tensor, randn, tensor } from '@dl/tensor';
import { GRUCell, LSTMCell, RNNCell } from './rnn-cells';

const RUNS = 30;

function leaf(shape: number[], g: Generator): Variable {
  return new Variable(randn(shape, { dtype: 'float64', generator: g }), { requiresGrad: true });
}

const cellConfig = fc.record({
  kind: fc.constantFrom('rnn-tanh', 'rnn-relu', 'lstm', 'gru'),
  I: fc.integer({ min: 1, max: 3 }),
  H: fc.integer({ min: 1, max: 3 }),
  B: fc.integer({ min: 1, max: 3 }),
  unbatched: fc.boolean(),
  withState: fc.boolean(),
  bias: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('recurrent cells: gradcheck in float64', () => {
  it('w.r.t. input, state and every parameter (random sizes and options)', () => {
    fc.assert(
      fc.property(cellConfig, ({ kind, I, H, B, unbatched, withState, bias, seed }) => {
        const g = new Generator(seed);
        const o = { bias, dtype: 'float64' as const, generator: g };
        const xs = unbatched ? [I] : [B, I];
        const hs = unbatched ? [H] : [B, H];
        const x = leaf(xs, g);
        if (kind === 'lstm') {
          const cell = new LSTMCell(I, H, o);
          const states = withState ? [leaf(hs, g), leaf(hs, g)] : [];
          return gradcheck(
            (x, ...rest) => {
              const { h, c } = cell.call(x, withState ? [rest[0], rest[1]] : null);
              return [h, c];
            },
            [x, ...states, ...cell.parameters()],
          );
        }
        const cell = kind === 'gru' ? new GRUCell(I, H, o) : new RNNCell(I, H, { ...o, nonlinearity: kind === 'rnn-relu' ? 'relu' : 'tanh' });
        const states = withState ? [leaf(hs, g)] : [];
        return gradcheck((x, ...rest) => cell.call(x, withState ? rest[0] : null), [x, ...states, ...cell.parameters()]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('recurrent cells: formulas by hand', () => {
  // I = 1, H = 1: every gate is a scalar, so the formulas can be written out
  const set = (p: Variable | null, vals: number[]) => p?.data.copy_(tensor(vals, { dtype: 'float64' }));
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const x = tensor([[0.5]], { dtype: 'float64' });
  const h = tensor([[-0.3]], { dtype: 'float64' });
  const c = tensor([[0.8]], { dtype: 'float64' });

  it('RNNCell: tanh and relu of x w_ih + b_ih + h w_hh + b_hh', () => {
    for (const nl of ['tanh', 'relu'] as const) {
      const cell = new RNNCell(1, 1, { nonlinearity: nl, dtype: 'float64' });
      cell.weight_ih.data.copy_(tensor([[2]], { dtype: 'float64' }));
      cell.weight_hh.data.copy_(tensor([[-1]], { dtype: 'float64' }));
      set(cell.bias_ih, [0.1]);
      set(cell.bias_hh, [0.2]);
      const pre = 0.5 * 2 + 0.1 + -0.3 * -1 + 0.2;
      expect(cell.call(x, h).item()).toBeCloseTo(nl === 'tanh' ? Math.tanh(pre) : Math.max(pre, 0), 14);
    }
  });

  it('LSTMCell: gates i, f, g, o in this order', () => {
    const cell = new LSTMCell(1, 1, { dtype: 'float64' });
    cell.weight_ih.data.copy_(tensor([[1], [2], [3], [4]], { dtype: 'float64' }));
    cell.weight_hh.data.copy_(tensor([[-1], [-2], [-3], [-4]], { dtype: 'float64' }));
    set(cell.bias_ih, [0.1, 0.2, 0.3, 0.4]);
    set(cell.bias_hh, [0.01, 0.02, 0.03, 0.04]);
    const pre = (k: number) => 0.5 * (k + 1) + 0.1 * (k + 1) + -0.3 * -(k + 1) + 0.01 * (k + 1);
    const [i, f, gg, o] = [sig(pre(0)), sig(pre(1)), Math.tanh(pre(2)), sig(pre(3))];
    const c2 = f * 0.8 + i * gg;
    const r = cell.call(x, [h, c]);
    expect(r.c.item()).toBeCloseTo(c2, 14);
    expect(r.h.item()).toBeCloseTo(o * Math.tanh(c2), 14);
  });

  it('GRUCell: gates r, z, n with r applied to (h w_hn + b_hn)', () => {
    const cell = new GRUCell(1, 1, { dtype: 'float64' });
    cell.weight_ih.data.copy_(tensor([[1], [2], [3]], { dtype: 'float64' }));
    cell.weight_hh.data.copy_(tensor([[-1], [-2], [-3]], { dtype: 'float64' }));
    set(cell.bias_ih, [0.1, 0.2, 0.3]);
    set(cell.bias_hh, [0.01, 0.02, 0.03]);
    const r = sig(0.5 * 1 + 0.1 + -0.3 * -1 + 0.01);
    const z = sig(0.5 * 2 + 0.2 + -0.3 * -2 + 0.02);
    const n = Math.tanh(0.5 * 3 + 0.3 + r * (-0.3 * -3 + 0.03));
    expect(cell.call(x, h).item()).toBeCloseTo((1 - z) * n + z * -0.3, 14);
  });
});

describe('recurrent cells: parameters', () => {
  it('have PyTorch names, shapes and U(-1/sqrt(H), 1/sqrt(H)) initialisation, seedable', () => {
    for (const [C, G] of [
      [RNNCell, 1],
      [LSTMCell, 4],
      [GRUCell, 3],
    ] as const) {
      const cell = new C(5, 16, { generator: new Generator(1) });
      expect(cell.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
        ['weight_ih', [G * 16, 5]],
        ['weight_hh', [G * 16, 16]],
        ['bias_ih', [G * 16]],
        ['bias_hh', [G * 16]],
      ]);
      const all = cell.parameters().flatMap((p) => [...p.data.toTypedArray()]);
      expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...all)).toBeGreaterThan(0.2); // the whole range is used
      expect(Math.min(...all)).toBeLessThan(-0.2);
      const again = new C(5, 16, { generator: new Generator(1) });
      expect(again.weight_hh.data.toArray()).toEqual(cell.weight_hh.data.toArray());
      expect(new C(5, 16, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight_ih', 'weight_hh']);
    }
  });

  it('print like PyTorch', () => {
    expect(new LSTMCell(10, 20).toString()).toBe('LSTMCell(10, 20)');
    expect(new RNNCell(10, 20, { bias: false, nonlinearity: 'relu' }).toString()).toBe('RNNCell(10, 20, bias=False, nonlinearity=relu)');
  });

  it('unbatched input gives unbatched state; the LSTMCell state can be passed back', () => {
    const cell = new LSTMCell(3, 4);
    const s = cell.call(randn([3]));
    expect([...s.h.shape]).toEqual([4]);
    const s2 = cell.call(randn([3]), s);
    expect([...s2.c.shape]).toEqual([4]);
    expect([...new GRUCell(3, 4).call(randn([2, 3])).shape]).toEqual([2, 4]);
  });
});

describe('recurrent cells: errors', () => {
  it('name the layer, the shapes and the fix', () => {
    const cell = new LSTMCell(10, 20);
    expect(() => cell.call(randn([3, 7]))).toThrow('LSTMCell(10 -> 20): input must be [batch, 10] or unbatched [10], got [3, 7]');
    expect(() => cell.call(randn([2, 3, 10]))).toThrow('got [2, 3, 10]');
    expect(() => cell.call(randn([3, 10]), [randn([2, 20]), randn([3, 20])])).toThrow(
      'LSTMCell(10 -> 20): expected h of shape [3, 20] (batch, hiddenSize), got [2, 20]',
    );
    expect(() => cell.call(randn([10]), [randn([1, 20]), randn([1, 20])])).toThrow('expected h of shape [20] (unbatched input: [hiddenSize])');
    expect(() => cell.call(randn([3, 10]), [randn([3, 20])] as unknown as [Tensor, Tensor])).toThrow('the state must be [h, c]');
    expect(() => new GRUCell(3, 4).call(randn([2, 3], { dtype: 'float64' }))).toThrow(
      "GRUCell(3 -> 4): input is float64 but the parameters are float32; convert it with input.float() or the module with module.to('float64')",
    );
    expect(() => new RNNCell(0, 4)).toThrow('RNNCell: inputSize must be a positive integer, got 0');
    expect(() => new RNNCell(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow("RNNCell: unknown nonlinearity 'sigmoid'; use 'tanh' or 'relu'");
  });
});
