/**
 * The creation functions of @dl/tensor (and the printing options) reject option keys they do not
 * know, naming the function, the key and the key probably meant (PyTorch's snake_case spelling
 * such as `requires_grad`, or a typo such as `dtyp`); known keys pass. The known keys are read back
 * from the message and each one is tried misspelt in both ways. Reductions, softmax and cumsum
 * check their options in reduce-args.ts (reduce-args.test.ts); conv2d, pooling and im2col in
 * ops/nn.ts (ops/nn.test.ts).
 */
import {
  Generator,
  ValueError,
  arange,
  eye,
  formatTensor,
  full,
  fullLike,
  getPrintOptions,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  setPrintOptions,
  tensor,
  zeros,
  zerosLike,
} from './index';

const x = zeros([2, 3]);

/** [name in messages, call with the options]. */
const CASES: [string, (o: object) => unknown][] = [
  ['tensor', (o) => tensor([1, 2], o)],
  ['zeros', (o) => zeros([2], o)],
  ['ones', (o) => ones([2], o)],
  ['full', (o) => full([2], 7, o)],
  ['eye', (o) => eye(2, 3, o)],
  ['arange', (o) => arange(0, 4, 1, o)],
  ['linspace', (o) => linspace(0, 1, 5, o)],
  ['zerosLike', (o) => zerosLike(x, o)],
  ['onesLike', (o) => onesLike(x, o)],
  ['fullLike', (o) => fullLike(x, 2, o)],
  ['rand', (o) => rand([2], o)],
  ['randn', (o) => randn([2], o)],
  ['randint', (o) => randint(0, 5, [2], o)],
  ['randperm', (o) => randperm(4, o)],
  ['randLike', (o) => randLike(x, o)],
  ['randnLike', (o) => randnLike(x, o)],
  ['formatTensor', (o) => formatTensor([1, 2], [2], 'float32', o)],
  ['setPrintOptions', (o) => setPrintOptions(o)],
];

/** The known keys, read from the message of a call with a key nobody would use. */
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

/** A typo of `key`: the first two different neighbouring letters after the first swapped (`dtype` -> `dytpe`). */
function typo(key: string): string {
  const i = [...key].findIndex((c, k) => k >= 1 && k + 1 < key.length && c !== key[k + 1]);
  return i < 0 ? `${key}${key.slice(-1)}` : key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

/** PyTorch's spelling of a camelCase key (`sciMode` -> `sci_mode`), or the key capitalised. */
function pytorchSpelling(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake !== key ? snake : key[0].toUpperCase() + key.slice(1);
}

const saved = getPrintOptions();
afterEach(() => setPrintOptions(saved));

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

it.each([
  ['zeros', () => zeros([2], { dtyp: 'float64' } as never), "zeros: unknown option 'dtyp' (did you mean 'dtype'?); the options are dtype"],
  ['tensor', () => tensor([1], { requires_grad: true } as never), "tensor: unknown option 'requires_grad'; the options are dtype, shape"],
  ['randn', () => randn([2], { seed: 1 } as never), "randn: unknown option 'seed'; the options are dtype, generator"],
  ['randLike', () => randLike(x, { generater: new Generator(1) } as never), "randLike: unknown option 'generater' (did you mean 'generator'?)"],
  ['setPrintOptions', () => setPrintOptions({ sci_mode: false } as never), "setPrintOptions: unknown option 'sci_mode' (did you mean 'sciMode'?)"],
])('%s: the message is exact', (_name, f, message) => {
  expect(f).toThrow(message);
});

it('every key listed is honoured', () => {
  expect(zeros([2], { dtype: 'float64' }).dtype).toBe('float64');
  expect(tensor([1, 2, 3, 4], { dtype: 'int32', shape: [2, 2] }).shape).toEqual([2, 2]);
  expect(randperm(5, { generator: new Generator(3), dtype: 'float64' }).dtype).toBe('float64');
  expect(randperm(5, { generator: new Generator(3) }).toArray()).toEqual(randperm(5, { generator: new Generator(3) }).toArray());
  expect(formatTensor([1, 2], [2], 'float64', { prefix: 'p', requiresGrad: true, gradFn: undefined })).toBe(
    'p([1., 2.], dtype=float64, requires_grad=True)',
  );
});
