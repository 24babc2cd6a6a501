/**
 * PyTorch parity: replays fixtures/layers.json (made by fixtures/make_layer_fixtures.py with
 * PyTorch 1.13). For each case the layer is built with the same options, given the same weights
 * and buffers, run on the same inputs (several steps for BatchNorm: training steps that update the
 * running statistics, then evaluation steps), and its output, the gradients of sum(output * r)
 * with respect to the input and every parameter, the returned indices and the buffers after each
 * step are compared with PyTorch's: in float64 to 1e-10 and in float32 to 1e-4 (relative; see
 * expectClose).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Variable } from '@dl/autograd';
import { Tensor } from '@dl/tensor';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool2d,
  Module,
  ReLU,
  Sigmoid,
  Softmax,
  Tanh,
  Unflatten,
  type StateDict,
} from './index';
import { expectClose, fromStored, type Stored } from './testing/compare';

interface Step {
  training: boolean;
  input: Stored;
  r: Stored;
  output: Stored;
  grads: Record<string, Stored>;
  buffers: Record<string, Stored>;
  indices?: Stored;
}

interface Case {
  name: string;
  ts: { type: string; args: unknown[]; opts: Record<string, unknown> };
  params: Record<string, Stored>;
  buffers: Record<string, Stored>;
  steps: Step[];
}

const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'layers.json'), 'utf8')) as { cases: Case[] };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Args = any[];
const factories: Record<string, (a: Args, o: any) => Module> = {
  Linear: (a, o) => new Linear(a[0], a[1], o),
  Flatten: (a) => new Flatten(...a),
  Unflatten: (a) => new Unflatten(a[0], a[1]),
  Conv2d: (a, o) => new Conv2d(a[0], a[1], a[2], o),
  MaxPool2d: (a, o) => new MaxPool2d(a[0], o),
  AvgPool2d: (a, o) => new AvgPool2d(a[0], o),
  AdaptiveAvgPool2d: (a) => new AdaptiveAvgPool2d(a[0]),
  BatchNorm1d: (a, o) => new BatchNorm1d(a[0], o),
  BatchNorm2d: (a, o) => new BatchNorm2d(a[0], o),
  LayerNorm: (a, o) => new LayerNorm(a[0], o),
  Embedding: (a, o) => new Embedding(a[0], a[1], o),
  ReLU: () => new ReLU(),
  LeakyReLU: (a) => new LeakyReLU(...a),
  GELU: (a) => new GELU(...a),
  Sigmoid: () => new Sigmoid(),
  Tanh: () => new Tanh(),
  Softmax: (a) => new Softmax(a[0]),
  LogSoftmax: (a) => new LogSoftmax(a[0]),
};

function build(c: Case, dtype: 'float32' | 'float64'): Module {
  const m = factories[c.ts.type](c.ts.args, c.ts.opts).to(dtype);
  const sd: StateDict = {};
  for (const [k, v] of Object.entries(c.params)) sd[k] = fromStored(v);
  for (const [k, v] of Object.entries(c.buffers)) sd[k] = fromStored(v, k === 'num_batches_tracked' ? 'int32' : 'float64');
  m.loadStateDict(sd);
  return m;
}

function runCase(c: Case, dtype: 'float32' | 'float64', rtol: number): void {
  const m = build(c, dtype);
  const intInput = c.ts.type === 'Embedding';
  c.steps.forEach((s, k) => {
    const at = `${c.name} (${dtype}) step ${k}`;
    m.train(s.training);
    m.zeroGrad();
    const x = intInput ? new Variable(fromStored(s.input, 'int32')) : new Variable(fromStored(s.input, dtype), { requiresGrad: true });
    const raw: unknown = Reflect.apply(m.call, m, [x]);
    const [out, indices] = Array.isArray(raw) ? (raw as [Variable, Tensor]) : [raw as Variable, null];
    expectClose(out, s.output, rtol, `${at}: output`);
    if (s.indices) {
      expect(indices).not.toBeNull();
      expect(Array.from((indices as Tensor).toTypedArray())).toEqual(s.indices.values);
    }
    out.backward({ gradient: fromStored(s.r, dtype) });
    for (const [name, g] of Object.entries(s.grads)) {
      const v = name === 'input' ? x : m.namedParameters().find(([n]) => n === name)?.[1];
      if (!v) throw new Error(`${at}: no parameter '${name}'`);
      expectClose(v.grad ?? new Tensor(new Float64Array(g.values.length), g.shape), g, rtol, `${at}: gradient of ${name}`);
    }
    const buffers = Object.fromEntries(m.namedBuffers());
    for (const [name, b] of Object.entries(s.buffers)) {
      if (name === 'num_batches_tracked') expect(Array.from(buffers[name].toTypedArray())).toEqual(b.values);
      else expectClose(buffers[name], b, rtol, `${at}: buffer ${name}`);
    }
    expect(Object.keys(buffers).sort()).toEqual(Object.keys(s.buffers).sort());
  });
}

describe('PyTorch parity of the basic layers (fixtures/layers.json)', () => {
  it('has the cases', () => {
    expect(fixtures.cases.length).toBeGreaterThan(50);
    for (const c of fixtures.cases) expect(factories[c.ts.type]).toBeDefined();
  });
  describe.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('float64, 1e-10', () => runCase(c, 'float64', 1e-10));
    it('float32, 1e-4', () => runCase(c, 'float32', 1e-4));
  });
});
