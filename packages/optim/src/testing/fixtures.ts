/**
 * Test-only: reads fixtures/optim.json (made by fixtures/make_optim_fixtures.py with PyTorch 1.13)
 * and rebuilds its problem with @dl/autograd ops, the way the script computes it in PyTorch.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Parameter, Variable } from '@dl/autograd';
import { Tensor, tensor, type DType } from '@dl/tensor';
import { Adadelta, Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD } from '../index';

export interface FixtureTensor {
  shape: number[];
  values: number[];
}

/** Options as stored in the JSON: @dl's camelCase names. */
export type FixtureOptions = Record<string, number | boolean | number[]>;

export interface FixtureGroup extends FixtureOptions {
  params: number[];
}

export interface OptimizerCase {
  name: string;
  optimizer: OptimizerName;
  options: FixtureOptions;
  groups: FixtureGroup[] | null;
  dtype: 'float32' | 'float64';
  lossSign: number;
  skipBiasOnOddSteps: boolean;
  steps: number;
  losses: number[];
  /** [step][param][element]: W then b after each step. */
  trajectory: number[][][];
}

export interface SchedulerCase {
  name: string;
  optimizer: OptimizerName;
  options: FixtureOptions;
  groups: FixtureOptions[];
  schedulers: [string, Record<string, number | boolean | string | number[]>][];
  metrics?: number[];
  steps: number;
  /** [0]: after construction; [i]: after the i-th scheduler step. */
  lrs: number[][];
  momenta: number[][];
}

export interface ClipCase {
  name: string;
  kind: 'norm' | 'value';
  arg: number;
  normType: number | 'inf';
  dtype: 'float32' | 'float64';
  shapes: number[][];
  before: (number[] | null)[];
  after: (number[] | null)[];
  totalNorm: number | null;
}

export interface Fixtures {
  torch: string;
  problem: { x: FixtureTensor; y: FixtureTensor; W: FixtureTensor; b: FixtureTensor };
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
  clip: ClipCase[];
}

export type OptimizerName = 'SGD' | 'Adam' | 'AdamW' | 'Adagrad' | 'Adadelta' | 'RMSprop';

let cached: Fixtures | null = null;

export function loadFixtures(): Fixtures {
  if (cached === null) {
    cached = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'optim.json'), 'utf8')) as Fixtures;
  }
  return cached;
}

export function toTensor(t: FixtureTensor, dtype: DType): Tensor {
  return tensor(t.values, { dtype }).reshape(t.shape);
}

/** The fixture problem: fresh W, b Parameters and the loss of a given step. */
export interface Problem {
  W: Parameter;
  b: Parameter;
  params: Parameter[];
  /** mean((tanh(x Wᵀ + b) − y)²) · lossSign; odd steps without b when skipBiasOnOddSteps. */
  loss(step: number): Variable;
}

export function makeProblem(
  fx: Fixtures,
  dtype: DType,
  opts: { lossSign?: number; skipBiasOnOddSteps?: boolean } = {},
): Problem {
  const x = toTensor(fx.problem.x, dtype);
  const y = toTensor(fx.problem.y, dtype);
  const W = new Parameter(toTensor(fx.problem.W, dtype));
  const b = new Parameter(toTensor(fx.problem.b, dtype));
  const sign = opts.lossSign ?? 1;
  return {
    W,
    b,
    params: [W, b],
    loss(step: number): Variable {
      const xw = new Variable(x).matmul(W.transpose(0, 1));
      const z = opts.skipBiasOnOddSteps && step % 2 === 1 ? xw : xw.add(b);
      return z.tanh().sub(y).pow(2).mean().mul(sign);
    },
  };
}

/** Builds the optimizer of a fixture case over `params` ([W, b]). */
export function makeOptimizer(name: OptimizerName, params: Parameter[], options: FixtureOptions, groups: FixtureOptions[] | null): Optimizer {
  const spec = groups
    ? groups.map((g, i) => {
        const { params: idx, ...rest } = g as FixtureGroup;
        return { ...rest, params: idx === undefined ? [params[i]] : idx.map((j) => params[j]) };
      })
    : params;
  switch (name) {
    case 'SGD':
      return new SGD(spec, options);
    case 'Adam':
      return new Adam(spec, options);
    case 'AdamW':
      return new AdamW(spec, options);
    case 'Adagrad':
      return new Adagrad(spec, options);
    case 'Adadelta':
      return new Adadelta(spec, options);
    case 'RMSprop':
      return new RMSprop(spec, options);
  }
}

/** Flat values of a Variable or Tensor, as plain numbers. */
export function valuesOf(v: Variable | Tensor): number[] {
  const t = v instanceof Variable ? v.data : v;
  return Array.from(t.toTypedArray());
}

/**
 * The largest relative error max |a − e| / max(|e|, floor) over the elements (floor keeps elements
 * near zero from dominating).
 */
export function maxRelErr(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), floor);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}
