/**
 * Every function of @dl/autograd that takes an options object rejects keys it does not know,
 * naming the function, the key and the key that was probably meant (PyTorch's snake_case
 * spelling or a typo); known keys pass. The known keys are read back from the message and each
 * one is tried misspelt in both ways.
 */
import { Tensor, ValueError, ones } from '@dl/tensor';
import { Parameter, Variable, avgPool2d, col2im, conv2d, gradcheck, im2col, maxPool2d, pad, toDot, variable } from './index';

const x = new Variable(ones([1, 1, 4, 4]).double(), { requiresGrad: true });

/** [name in messages, call with the options]. */
const CASES: [string, (opts: object) => unknown][] = [
  ['conv2d', (o) => conv2d(x, ones([1, 1, 3, 3]).double(), null, o)],
  ['maxPool2d', (o) => maxPool2d(x, 2, o)],
  ['avgPool2d', (o) => avgPool2d(x, 2, o)],
  ['im2col', (o) => im2col(x, 2, o)],
  ['col2im', (o) => col2im(new Variable(ones([1, 4, 9]).double()), 4, 2, { stride: 1, ...o })],
  ['pad', (o) => pad(x, [1, 1], o)],
  ['gradcheck', (o) => gradcheck((v) => v.mul(2).sum(), [x], o)],
  ['toDot', (o) => toDot(x.mul(2), o)],
  ['variable', (o) => variable([1, 2], o)],
  ['Variable', (o) => new Variable(ones([2]), o)],
  ['Parameter', (o) => new Parameter(ones([2]), o)],
  ['backward', (o) => x.mul(2).sum().backward(o)],
];

/** The known keys, read from the message of a call with a key nobody would use. */
function knownKeys(name: string, call: (opts: object) => unknown): string[] {
  try {
    call({ zzzNotAnOption: 1 });
  } catch (e) {
    const m = /; the options are (.*)$/.exec((e as Error).message);
    if (m && (e as Error).message.startsWith(`${name}: unknown option 'zzzNotAnOption'`)) return m[1].split(', ');
    throw e;
  }
  throw new Error(`${name} accepted an unknown option`);
}

/** A typo of `key`: the first two different neighbouring letters after the first swapped (`bias` -> `bais`). */
function typo(key: string): string {
  const i = [...key].findIndex((c, k) => k >= 1 && k + 1 < key.length && c !== key[k + 1]);
  return i < 0 ? `${key}${key.slice(-1)}` : key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

/** PyTorch's spelling of a camelCase key (`ceilMode` -> `ceil_mode`), or the key capitalised. */
function pytorchSpelling(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake !== key ? snake : key[0].toUpperCase() + key.slice(1);
}

describe.each(CASES)('%s', (name, call) => {
  it('rejects an unknown key, naming the function and listing the options', () => {
    expect(() => call({ zzzNotAnOption: 1 })).toThrow(ValueError);
    expect(() => call({ zzzNotAnOption: 1 })).toThrow(new RegExp(`^${name}: unknown option 'zzzNotAnOption'; the options are \\w+`));
  });

  it('suggests the key meant for PyTorch spellings and typos of each option', () => {
    for (const key of knownKeys(name, call)) {
      for (const wrong of [pytorchSpelling(key), typo(key)]) {
        expect(() => call({ [wrong]: undefined })).toThrow(`${name}: unknown option '${wrong}' (did you mean '${key}'?)`);
      }
    }
  });

  it('accepts its known keys', () => {
    expect(() => call({})).not.toThrow();
  });
});

it('avgPool2d passes divisorOverride through, forward and backward', () => {
  const v = new Variable(new Tensor(Float64Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]), { requiresGrad: true });
  const y = avgPool2d(v, 2, { divisorOverride: 1 });
  expect(y.toArray()).toEqual([[[[10, 18], [42, 50]]]]);
  y.sum().backward();
  expect(Array.from(v.grad?.data.toTypedArray() ?? [])).toEqual(new Array(16).fill(1));
});

it.each([
  ['variable', () => variable([1], { requires_grad: true } as never), "variable: unknown option 'requires_grad' (did you mean 'requiresGrad'?); the options are requiresGrad, dtype, name"],
  ['Variable', () => new Variable(ones([1]), { requiresGrd: true } as never), "Variable: unknown option 'requiresGrd' (did you mean 'requiresGrad'?); the options are requiresGrad, name"],
  ['Parameter', () => new Parameter(ones([1]), { dtype: 'float64' } as never), "Parameter: unknown option 'dtype'; the options are requiresGrad, name"],
  ['backward', () => x.mul(2).sum().backward({ retain_graph: true } as never), "backward: unknown option 'retain_graph' (did you mean 'retainGraph'?); the options are gradient, retainGraph, createGraph"],
])('%s: the message is exact', (_name, f, message) => {
  expect(f).toThrow(ValueError);
  expect(f).toThrow(message);
});

it('backward honours gradient, retainGraph and createGraph', () => {
  const v = new Variable(ones([2]).double(), { requiresGrad: true, name: 'v' });
  const y = v.mul(v);
  y.backward({ gradient: ones([2]).double(), retainGraph: true });
  y.backward({ gradient: ones([2]).double(), createGraph: false });
  expect(v.grad?.toArray()).toEqual([4, 4]);
  expect(new Parameter(ones([1]), { requiresGrad: false, name: 'w' }).requiresGrad).toBe(false);
  expect(variable([1], { dtype: 'float64', requiresGrad: true, name: 'a' }).dtype).toBe('float64');
});
