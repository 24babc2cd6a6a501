import { readFileSync } from 'fs';
import { join } from 'path';
import type { DType } from './dtype';
import {
  DEFAULT_PRINT_OPTIONS,
  formatExponential,
  formatFixed,
  formatTensor,
  getPrintOptions,
  resetPrintOptions,
  setPrintOptions,
  type PrintOptions,
} from './format';

/** One case of fixtures/format.json (made by fixtures/make_format_fixtures.py with PyTorch 1.13). */
interface FixtureCase {
  name: string;
  values: (number | 'nan' | 'inf' | '-inf')[];
  shape: number[];
  dtype: DType;
  options?: Partial<PrintOptions>;
  requiresGrad?: boolean;
  gradFn?: string;
  expected: string;
}

const fixtures = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'format.json'), 'utf8')) as FixtureCase[];

function decode(v: FixtureCase['values'][number]): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

function storageOf(values: number[], dtype: DType): ArrayLike<number> {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values);
  }
}

afterEach(() => resetPrintOptions());

describe("formatTensor matches PyTorch 1.13 str(tensor), but for the dtype's name", () => {
  it('has the fixture cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(60);
  });

  it.each(fixtures.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.options) setPrintOptions(c.options);
    const values = storageOf(c.values.map(decode), c.dtype);
    const text = formatTensor(values, c.shape, c.dtype, {
      requiresGrad: c.requiresGrad,
      gradFn: c.gradFn,
    });
    // @dl names a dtype as JavaScript code does ('float64'); the lines break as PyTorch's
    expect(text).toBe(c.expected.replace(/dtype=torch\./g, 'dtype='));
  });
});

describe('formatTensor (hand-written)', () => {
  it("prints dtype=float64, @dl's name of the dtype, not PyTorch's torch.float64", () => {
    expect(formatTensor([1.5, 2], [2], 'float64')).toBe('tensor([1.5000, 2.0000], dtype=float64)');
    expect(formatTensor([], [0], 'bool')).toBe('tensor([], dtype=bool)');
    expect(formatTensor([1.5, 2], [2], 'float64')).not.toContain('torch');
  });

  it('prints the examples of the docs', () => {
    expect(formatTensor(new Float32Array([1, 2.5, -3, 0.1, 5, 6]), [2, 3], 'float32')).toBe(
      'tensor([[ 1.0000,  2.5000, -3.0000],\n' + '        [ 0.1000,  5.0000,  6.0000]])',
    );
    expect(formatTensor([1, 2, 3], [3], 'float64', { requiresGrad: true })).toBe(
      'tensor([1., 2., 3.], dtype=float64, requires_grad=True)',
    );
    expect(formatTensor([1, 0, 1], [3], 'bool')).toBe('tensor([ True, False,  True])');
    expect(formatTensor([1e-5, 1], [2], 'float32')).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(formatTensor([], [0, 3], 'int32')).toBe('tensor([], size=(0, 3), dtype=int32)');
    expect(formatTensor([2, 4], [2], 'float32', { gradFn: 'MulBackward' })).toBe('tensor([2., 4.], grad_fn=<MulBackward0>)');
    setPrintOptions({ precision: 2 });
    expect(formatTensor([Math.PI], [], 'float32')).toBe('tensor(3.14)');
    setPrintOptions({ threshold: 5 });
    expect(formatTensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10], 'int32')).toBe('tensor([0, 1, 2,  ..., 7, 8, 9])');
  });

  it('rounds plain numbers to float32 for float32 tensors', () => {
    // 0.1 + 0.2 is 0.30000000000000004 as a double but 0.3f as a float32
    expect(formatTensor([0.1 + 0.2], [], 'float32', { requiresGrad: true })).toBe('tensor(0.3000, requires_grad=True)');
    // 16777217 is not a float32: it becomes 16777216
    expect(formatTensor([16777217], [1], 'float32')).toBe('tensor([16777216.])');
    expect(formatTensor([16777217], [1], 'float64')).toBe('tensor([16777217.], dtype=float64)');
  });

  it('keeps a gradFn name that already has an overload number, and prefers it to requiresGrad', () => {
    expect(formatTensor([1.5], [], 'float32', { gradFn: 'SumBackward1', requiresGrad: true })).toBe(
      'tensor(1.5000, grad_fn=<SumBackward1>)',
    );
  });

  it('uses a custom prefix for the indentation', () => {
    expect(formatTensor([1, 2, 3, 4], [2, 2], 'int32', { prefix: 'Parameter' })).toBe('Parameter([[1, 2],\n           [3, 4]])');
  });

  it('prints negative zero with its sign, outside the common width (zeros do not set it)', () => {
    expect(formatTensor([-0, 0.5], [2], 'float64')).toBe('tensor([-0.0000, 0.5000], dtype=float64)');
    expect(formatTensor([-0.00001, 2000], [2], 'float64')).toBe('tensor([-1.0000e-05,  2.0000e+03], dtype=float64)');
  });

  it('rejects values that do not fit the shape', () => {
    expect(() => formatTensor([1, 2, 3], [2, 2], 'float32')).toThrow(/4 elements but 3 values/);
    expect(() => formatTensor([1], [-1], 'float32')).toThrow(/invalid shape/);
  });
});

describe('print options', () => {
  it('starts from PyTorch defaults and only changes the options given', () => {
    expect(getPrintOptions()).toEqual(DEFAULT_PRINT_OPTIONS);
    setPrintOptions({ sciMode: true });
    setPrintOptions({ precision: 2 });
    expect(getPrintOptions()).toEqual({ ...DEFAULT_PRINT_OPTIONS, precision: 2, sciMode: true });
    expect(formatTensor([1.5, 2], [2], 'float32')).toBe('tensor([1.50e+00, 2.00e+00])');
    resetPrintOptions();
    expect(getPrintOptions()).toEqual(DEFAULT_PRINT_OPTIONS);
  });

  it('accepts an infinite threshold and rejects bad values', () => {
    setPrintOptions({ threshold: Infinity });
    const big = formatTensor(new Int32Array(1200), [1200], 'int32');
    expect(big).not.toContain('...');
    expect(big.split('\n')).toHaveLength(1200 / 24);
    expect(() => setPrintOptions({ precision: -1 })).toThrow(/precision/);
    expect(() => setPrintOptions({ edgeitems: 1.5 })).toThrow(/edgeitems/);
    expect(() => setPrintOptions({ linewidth: 0 })).toThrow(/linewidth/);
    expect(() => setPrintOptions({ threshold: NaN })).toThrow(/threshold/);
    expect(getPrintOptions().threshold).toBe(Infinity); // unchanged by the rejected calls
  });
});

describe('number formatting like Python format()', () => {
  it('fixed: exact, half to even', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(-0.5, 0)).toBe('-0');
    expect(formatFixed(1.005, 2)).toBe('1.00'); // 1.005 is just below 1.005 as a double
    expect(formatFixed(1e21, 1)).toBe('1000000000000000000000.0');
    expect(formatFixed(5e-324, 3)).toBe('0.000');
    expect(formatFixed(NaN, 4)).toBe('nan');
    expect(formatFixed(-Infinity, 4)).toBe('-inf');
  });

  it('exponential: two-digit exponents at least, carries into the exponent', () => {
    expect(formatExponential(0, 4)).toBe('0.0000e+00');
    expect(formatExponential(-0, 2)).toBe('-0.00e+00');
    expect(formatExponential(123456, 4)).toBe('1.2346e+05');
    expect(formatExponential(9.99996e-5, 4)).toBe('1.0000e-04');
    expect(formatExponential(1e-300, 4)).toBe('1.0000e-300');
    expect(formatExponential(5e-324, 4)).toBe('4.9407e-324');
    expect(formatExponential(2.5, 0)).toBe('2e+00');
    expect(formatExponential(Infinity, 4)).toBe('inf');
  });
});
