/**
 * PyTorch parity: replays fixtures/recurrent.json (made by fixtures/make_recurrent_fixtures.py
 * with PyTorch 1.13). For each case the module is built with the same configuration, its
 * stateDict keys are compared with PyTorch's, PyTorch's weights are loaded with loadStateDict,
 * and the forward results (output, h_n, c_n) and the gradients of
 * `sum(output * R_output) + sum(h_n * R_h) (+ sum(c_n * R_c))` w.r.t. the input, the initial
 * states and every parameter must match: 1e-10 relative in float64, 1e-4 in float32.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Variable } from '@dl/autograd';
import { Tensor, type DType } from '@dl/tensor';
import type { Module, StateDict } from './module';
import { GRU, LSTM, RNN } from './recurrent';
import { GRUCell, LSTMCell, RNNCell } from './rnn-cells';

interface T {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  module: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  dtype: 'float32' | 'float64';
  config: {
    inputSize: number;
    hiddenSize: number;
    numLayers?: number;
    bias: boolean;
    batchFirst?: boolean;
    bidirectional?: boolean;
    nonlinearity: 'tanh' | 'relu';
  };
  stateDictKeys: string[];
  params: Record<string, T>;
  input: T;
  state: { h?: T; c?: T };
  weights: { output?: T; h: T; c?: T };
  expected: { output?: T; h: T; c?: T };
  grads: { input: T; h?: T; c?: T; params: Record<string, T> };
}

const file = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'recurrent.json'), 'utf8')) as { torch: string; cases: Case[] };
const cases = file.cases;

function toTensor(t: T, dtype: DType): Tensor {
  return new Tensor(Float64Array.from(t.data), t.shape).to(dtype);
}

/** Max over elements of |a - e| / (|e| + 1e-3 * max|E|): a relative error that tolerates tiny entries. */
function relError(actual: Tensor, expected: T): number {
  expect([...actual.shape]).toEqual(expected.shape);
  const a = actual.to('float64').contiguous().toTypedArray();
  const maxAbs = expected.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  expected.data.forEach((e, i) => {
    const err = Math.abs(a[i] - e) / (Math.abs(e) + 1e-3 * maxAbs + 1e-300);
    if (!(err <= worst)) worst = err; // NaN propagates
  });
  return worst;
}

function expectClose(what: string, actual: Tensor | undefined | null, expected: T, tol: number): void {
  if (!actual) throw new Error(`${what}: no value (expected shape [${expected.shape.join(', ')}])`);
  const err = relError(actual, expected);
  if (!(err <= tol)) throw new Error(`${what}: relative error ${err.toExponential(2)} > ${tol}`);
}

function build(c: Case): Module {
  const { inputSize: I, hiddenSize: H, numLayers, bias, batchFirst, bidirectional, nonlinearity } = c.config;
  const o = { bias, dtype: c.dtype };
  const so = { ...o, numLayers, batchFirst, bidirectional };
  switch (c.module) {
    case 'RNN':
      return new RNN(I, H, { ...so, nonlinearity });
    case 'LSTM':
      return new LSTM(I, H, so);
    case 'GRU':
      return new GRU(I, H, so);
    case 'RNNCell':
      return new RNNCell(I, H, { ...o, nonlinearity });
    case 'LSTMCell':
      return new LSTMCell(I, H, o);
    case 'GRUCell':
      return new GRUCell(I, H, o);
  }
}

/** Runs the module; returns its results under the fixture's names. */
function run(m: Module, x: Variable, h: Variable | null, c: Variable | null): Record<string, Variable> {
  if (m instanceof LSTM) return { ...m.call(x, h && c ? [h, c] : null) };
  if (m instanceof RNN || m instanceof GRU) return { ...m.call(x, h) };
  if (m instanceof LSTMCell) return { ...m.call(x, h && c ? { h, c } : null) };
  if (m instanceof RNNCell || m instanceof GRUCell) return { h: m.call(x, h) };
  throw new Error('unknown module');
}

describe(`recurrent layers match PyTorch ${file.torch} (fixtures/recurrent.json)`, () => {
  it('has the expected cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const m of ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']) {
      expect(cases.filter((c) => c.module === m).length).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const tol = c.dtype === 'float64' ? 1e-10 : 1e-4;
    const m = build(c);
    // same parameter names, shapes and order as PyTorch
    expect(Object.keys(m.stateDict())).toEqual(c.stateDictKeys);
    const sd: StateDict = {};
    for (const [k, v] of Object.entries(c.params)) sd[k] = toTensor(v, c.dtype);
    m.loadStateDict(sd);

    const x = new Variable(toTensor(c.input, c.dtype), { requiresGrad: true });
    const h = c.state.h ? new Variable(toTensor(c.state.h, c.dtype), { requiresGrad: true }) : null;
    const cc = c.state.c ? new Variable(toTensor(c.state.c, c.dtype), { requiresGrad: true }) : null;
    const res = run(m, x, h, cc);
    expect(Object.keys(res).sort()).toEqual(Object.keys(c.expected).sort());

    let loss: Variable | null = null;
    for (const [k, e] of Object.entries(c.expected)) {
      expectClose(`forward ${k}`, res[k].data, e as T, tol);
      const w = (c.weights as Record<string, T>)[k];
      const term = res[k].mul(toTensor(w, c.dtype)).sum();
      loss = loss === null ? term : loss.add(term);
    }
    (loss as Variable).backward();

    expectClose('grad input', x.grad?.data, c.grads.input, tol);
    if (c.grads.h) expectClose('grad h0', h?.grad?.data, c.grads.h, tol);
    if (c.grads.c) expectClose('grad c0', cc?.grad?.data, c.grads.c, tol);
    const params = Object.fromEntries(m.namedParameters());
    for (const [k, g] of Object.entries(c.grads.params)) expectClose(`grad ${k}`, params[k]?.grad?.data, g, tol);
  });
});
