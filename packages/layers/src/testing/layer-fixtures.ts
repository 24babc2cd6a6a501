/**
 * Test-only: replays the layer fixtures written by fixtures/make_layer_fixtures.py and
 * fixtures/make_padding_fixtures.py (PyTorch 1.13): builds the layer with the same options, loads
 * the same weights and buffers, runs each step and compares output, gradients, indices and buffers.
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
} from '../index';
import { expectClose, fromStored, type Stored } from './compare';

export interface Step {
  training: boolean;
  input: Stored;
  r: Stored;
  output: Stored;
  grads: Record<string, Stored>;
  buffers: Record<string, Stored>;
  indices?: Stored;
}

export interface Case {
  name: string;
  ts: { type: string; args: unknown[]; opts: Record<string, unknown> };
  params: Record<string, Stored>;
  buffers: Record<string, Stored>;
  steps: Step[];
}

/** The cases of fixtures/<file>. */
export function loadCases(file: string): Case[] {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', file), 'utf8')) as { cases: Case[] }).cases;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Args = any[];
export const factories: Record<string, (a: Args, o: any) => Module> = {
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

export function runCase(c: Case, dtype: 'float32' | 'float64', rtol: number): void {
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
