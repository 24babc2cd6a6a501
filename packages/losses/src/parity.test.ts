/**
 * PyTorch parity: replays fixtures/losses.json (made by fixtures/make_loss_fixtures.py with
 * PyTorch 1.13). Each case runs both the function (`crossEntropy(...)`) and the class
 * (`new CrossEntropyLoss(opts).forward(...)`) on PyTorch's input and target; the loss and the
 * gradients w.r.t. the input (and the target, where it requires grad) of the loss (or of
 * `sum(loss * R)` for reduction 'none') must match: 1e-10 relative in float64, 1e-4 in float32.
 */
import { Variable } from '@dl/autograd';
import type { DType, Tensor } from '@dl/tensor';
import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  type CrossEntropyLossOptions,
  type Loss,
  type LossInput,
} from './index';
import { decode, firstMismatch, readJson, type FixtureTensor } from './testing/fixtures';

type LossName =
  | 'mseLoss'
  | 'l1Loss'
  | 'huberLoss'
  | 'smoothL1Loss'
  | 'crossEntropy'
  | 'nllLoss'
  | 'binaryCrossEntropy'
  | 'binaryCrossEntropyWithLogits';

interface Case {
  name: string;
  loss: LossName;
  dtype: 'float32' | 'float64';
  options: Record<string, string | number | FixtureTensor>;
  input: FixtureTensor;
  target: FixtureTensor;
  targetGrad: boolean;
  weights?: FixtureTensor;
  expected: FixtureTensor;
  grads: { input: FixtureTensor; target?: FixtureTensor };
}

/** Every option the losses take, decoded (tensors in the case's dtype). */
type AllOptions = CrossEntropyLossOptions & { delta?: number; beta?: number; posWeight?: Tensor };

function options(c: Case): AllOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) out[k] = typeof v === 'object' ? decode(v, c.dtype) : v;
  return out as AllOptions;
}

const functions: Record<LossName, (x: LossInput, t: LossInput, o: AllOptions) => Variable> = {
  mseLoss,
  l1Loss,
  huberLoss,
  smoothL1Loss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
};

const classes: Record<LossName, (o: AllOptions) => Loss> = {
  mseLoss: (o) => new MSELoss(o),
  l1Loss: (o) => new L1Loss(o),
  huberLoss: (o) => new HuberLoss(o),
  smoothL1Loss: (o) => new SmoothL1Loss(o),
  crossEntropy: (o) => new CrossEntropyLoss(o),
  nllLoss: (o) => new NLLLoss(o),
  binaryCrossEntropy: (o) => new BCELoss(o),
  binaryCrossEntropyWithLogits: (o) => new BCEWithLogitsLoss(o),
};

const cases = readJson<Case[]>('losses.json');

function run(c: Case, compute: (x: Variable, t: Variable) => Variable): void {
  const dtype: DType = c.dtype;
  const rtol = dtype === 'float64' ? 1e-10 : 1e-4;
  const x = new Variable(decode(c.input, dtype), { requiresGrad: true });
  const t = new Variable(decode(c.target, dtype), { requiresGrad: c.targetGrad });
  const out = compute(x, t);
  const check = (what: string, actual: Tensor | null | undefined, expected: FixtureTensor) => {
    if (!actual) throw new Error(`${c.name}: ${what}: no value`);
    const bad = firstMismatch(actual, decode(expected, dtype), rtol);
    if (bad) throw new Error(`${c.name}: ${what}: ${bad}`);
  };
  check('loss', out.data, c.expected);
  expect(out.dtype).toBe(dtype);
  const scalar = c.weights ? out.mul(decode(c.weights, dtype)).sum() : out;
  scalar.backward();
  check('grad input', x.grad?.data, c.grads.input);
  if (c.grads.target) check('grad target', t.grad?.data, c.grads.target);
}

describe('PyTorch 1.13 parity (fixtures/losses.json)', () => {
  it('has cases for every loss, in float64 and float32', () => {
    for (const name of Object.keys(functions)) {
      expect(cases.some((c) => c.loss === name && c.dtype === 'float64')).toBe(true);
      expect(cases.some((c) => c.loss === name && c.dtype === 'float32')).toBe(true);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('function: %s', (_name, c) => {
    run(c, (x, t) => functions[c.loss](x, t, options(c)));
  });

  it.each(cases.map((c) => [c.name, c] as const))('class: %s', (_name, c) => {
    run(c, (x, t) => classes[c.loss](options(c)).forward(x, t));
  });
});
