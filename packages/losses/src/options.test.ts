/**
 * Every loss class and function rejects option keys it does not know (PyTorch's snake_case
 * spellings such as ignore_index, typos) with a ValueError naming the class or function, the key
 * and the key probably meant. The table covers every export: a new one must be added to it or to
 * NO_OPTIONS, or the first test fails.
 */
import { Tensor, ValueError, tensor } from '@dl/tensor';
import * as L from './index';

const logits = tensor([[2, 1, 0.5], [0.1, 0.3, 3]], { dtype: 'float64' });
const classes = tensor([0, 2], { dtype: 'int32' });
const probs = tensor([0.3, 0.8], { dtype: 'float64' });
const labels = tensor([0, 1], { dtype: 'float64' });

/** [export, call with the options]; messages name the export. */
const CASES: [string, (o: object) => unknown][] = [
  ['MSELoss', (o) => new L.MSELoss(o)],
  ['L1Loss', (o) => new L.L1Loss(o)],
  ['HuberLoss', (o) => new L.HuberLoss(o)],
  ['SmoothL1Loss', (o) => new L.SmoothL1Loss(o)],
  ['SumSquaredError', (o) => new L.SumSquaredError(o)],
  ['CrossEntropyLoss', (o) => new L.CrossEntropyLoss(o)],
  ['NLLLoss', (o) => new L.NLLLoss(o)],
  ['BCELoss', (o) => new L.BCELoss(o)],
  ['BCEWithLogitsLoss', (o) => new L.BCEWithLogitsLoss(o)],
  ['mseLoss', (o) => L.mseLoss(probs, labels, o)],
  ['l1Loss', (o) => L.l1Loss(probs, labels, o)],
  ['huberLoss', (o) => L.huberLoss(probs, labels, o)],
  ['smoothL1Loss', (o) => L.smoothL1Loss(probs, labels, o)],
  ['sumSquaredError', (o) => L.sumSquaredError(probs, labels, o)],
  ['crossEntropy', (o) => L.crossEntropy(logits, classes, o)],
  ['nllLoss', (o) => L.nllLoss(logits, classes, o)],
  ['binaryCrossEntropy', (o) => L.binaryCrossEntropy(probs, labels, o)],
  ['binaryCrossEntropyWithLogits', (o) => L.binaryCrossEntropyWithLogits(probs, labels, o)],
  ['CrossEntropyIndices', (o) => new L.CrossEntropyIndices({ index: classes, valid: null, weight: null, labelSmoothing: 0, reduction: 'mean', ...o })],
];

/** Exports without an options object. */
const NO_OPTIONS: Record<string, string> = {
  Loss: "abstract base: takes the subclass's options and their keys (tested below)",
  BinaryCrossEntropy: 'autograd Function (a weight tensor)',
  BinaryCrossEntropyWithLogits: 'autograd Function (weight and posWeight tensors)',
};

function knownKeys(name: string, call: (o: object) => unknown): string[] {
  try {
    call({ zzzNotAnOption: 1 });
  } catch (e) {
    const m = /; the options are (.*)$/.exec((e as Error).message);
    if (m && (e as Error).message.startsWith(`${name}: unknown option 'zzzNotAnOption'`)) return m[1].split(', ');
    throw e;
  }
  throw new Error(`${name} accepted an unknown option`);
}

/** A typo of `key`: the first two different neighbouring letters after the first swapped. */
function typo(key: string): string {
  const i = [...key].findIndex((c, k) => k >= 1 && k + 1 < key.length && c !== key[k + 1]);
  return i < 0 ? `${key}${key.slice(-1)}` : key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

/** PyTorch's spelling of a camelCase key (`ignoreIndex` -> `ignore_index`), or the key capitalised. */
function pytorchSpelling(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake !== key ? snake : key[0].toUpperCase() + key.slice(1);
}

it('the table covers every export of @dl/losses', () => {
  const covered = new Set([...CASES.map(([k]) => k), ...Object.keys(NO_OPTIONS)]);
  expect(Object.keys(L).filter((k) => !covered.has(k))).toEqual([]);
});

describe.each(CASES)('%s', (name, call) => {
  it('rejects an unknown key, naming the class or function and listing the options', () => {
    expect(() => call({ zzzNotAnOption: 1 })).toThrow(ValueError);
    expect(() => call({ zzzNotAnOption: 1 })).toThrow(new RegExp(`^${name}: unknown option 'zzzNotAnOption'; the options are \\w+`));
  });

  it("suggests the key meant, for PyTorch's spelling and for a typo of each option", () => {
    for (const key of knownKeys(name, call)) {
      for (const wrong of [pytorchSpelling(key), typo(key)]) {
        expect(() => call({ [wrong]: undefined })).toThrow(`${name}: unknown option '${wrong}' (did you mean '${key}'?)`);
      }
    }
  });

  it('accepts its own keys', () => {
    expect(() => call({})).not.toThrow();
  });
});

describe('the examples of the issue', () => {
  it("new CrossEntropyLoss({ ignore_index: 0 }) is an error, not a loss that counts class 0", () => {
    expect(() => new L.CrossEntropyLoss({ ignore_index: 0 } as never)).toThrow(
      "CrossEntropyLoss: unknown option 'ignore_index' (did you mean 'ignoreIndex'?); the options are reduction, weight, ignoreIndex, labelSmoothing",
    );
    expect(() => L.crossEntropy(logits, classes, { label_smoothing: 0.1 } as never)).toThrow(/^crossEntropy: unknown option 'label_smoothing' \(did you mean 'labelSmoothing'\?\)/);
    expect(() => new L.BCEWithLogitsLoss({ pos_weight: [2] } as never)).toThrow(/did you mean 'posWeight'/);
    // PyTorch's deprecated size_average/reduce: not close to any key, so no hint, but still an error
    expect(() => new L.MSELoss({ reduce: false } as never)).toThrow(/^MSELoss: unknown option 'reduce'; the options are reduction$/);
    expect(() => new L.MSELoss({ size_average: false } as never)).toThrow(/^MSELoss: unknown option 'size_average'; the options are reduction$/);
    // and the right spelling does ignore class 0
    const loss = new L.CrossEntropyLoss({ ignoreIndex: 0, reduction: 'none' }).forward(logits, classes);
    expect((loss.toArray() as number[])[0]).toBe(0);
  });

  it('a subclass of Loss passes its keys to the base, which checks them', () => {
    class Scaled extends L.Loss {
      readonly scale: number;
      constructor(opts: L.LossOptions & { scale?: number } = {}) {
        super(opts, ['reduction', 'scale']);
        this.scale = opts.scale ?? 1;
      }
      forward(input: L.LossInput, target: L.LossInput) {
        return L.mseLoss(input, target, { reduction: this.reduction }).mul(this.scale);
      }
    }
    expect(new Scaled({ scale: 2 }).scale).toBe(2);
    expect(() => new Scaled({ scael: 2 } as never)).toThrow("Scaled: unknown option 'scael' (did you mean 'scale'?); the options are reduction, scale");
    expect(new Scaled().call(probs, labels)).toBeDefined();
  });

  it('options that are not an object are an error too', () => {
    expect(() => new L.NLLLoss('sum' as never)).toThrow(/^NLLLoss: options must be an object such as \{ reduction: \.\.\. \}, got 'sum'/);
    expect(() => L.l1Loss(probs, labels, null as never)).toThrow(/^l1Loss: options must be an object/);
    void Tensor;
  });
});
