/**
 * The seedable generator and the random factories. Every test seeds first, so the numbers (and
 * hence the statistics checked here) are the same on every run.
 */
import {
  DTypeError,
  Generator,
  ValueError,
  defaultGenerator,
  manualSeed,
  rand,
  randLike,
  randint,
  randn,
  randnLike,
  randperm,
  tensor,
} from './index';

const flat = (t: { toTypedArray(): ArrayLike<number> }) => Array.from(t.toTypedArray());
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const variance = (v: number[]) => {
  const m = mean(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
};

describe('manualSeed reproducibility', () => {
  it('the same seed gives the same rand, randn, randint and randperm', () => {
    const draw = () => [flat(rand([5])), flat(randn([2, 3])), flat(randint(0, 100, [4])), flat(randperm(8))];
    manualSeed(123);
    const first = draw();
    manualSeed(123);
    expect(draw()).toEqual(first);
  });

  it('different seeds give different streams, and the stream moves on between calls', () => {
    manualSeed(1);
    const a = flat(rand([8]));
    const b = flat(rand([8]));
    manualSeed(2);
    const c = flat(rand([8]));
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('reseeding discards the cached second Box-Muller sample', () => {
    manualSeed(7);
    const one = flat(randn([1])); // leaves a spare normal behind
    manualSeed(7);
    expect(flat(randn([1]))).toEqual(one);
  });

  it('is independent of the shape the samples are drawn in', () => {
    manualSeed(5);
    const a = flat(rand([2, 3]));
    manualSeed(5);
    expect(flat(rand([6]))).toEqual(a);
  });

  it('seeds above 2^32 and negative seeds are valid and distinct', () => {
    const first = (s: number) => new Generator(s).nextUint32();
    expect(first(2 ** 40)).not.toBe(first(0));
    expect(first(-1)).not.toBe(first(1));
    expect(first(2 ** 40)).toBe(first(2 ** 40));
  });

  it('manualSeed returns the default generator', () => {
    expect(manualSeed(0)).toBe(defaultGenerator);
  });
});

describe('explicit generators', () => {
  it('do not touch the default stream', () => {
    manualSeed(11);
    const expected = flat(rand([4]));
    manualSeed(11);
    rand([100], { generator: new Generator(99) });
    expect(flat(rand([4]))).toEqual(expected);
  });

  it('two generators with one seed agree', () => {
    const g1 = new Generator(42);
    const g2 = new Generator(42);
    expect(flat(randn([6], { generator: g1 }))).toEqual(flat(randn([6], { generator: g2 })));
    expect(flat(randint(-3, 3, [6], { generator: g1 }))).toEqual(flat(randint(-3, 3, [6], { generator: g2 })));
  });

  it('uniform() has 24 random bits: values are multiples of 2^-24, exactly representable in float32', () => {
    const g = new Generator(3);
    for (let i = 0; i < 1000; i++) {
      const u = g.uniform();
      expect(Number.isInteger(u * 2 ** 24)).toBe(true);
      expect(Math.fround(u)).toBe(u);
    }
  });

  it('nextUint32 covers the whole 32-bit range', () => {
    const g = new Generator(4);
    let hi = 0;
    let lo = 2 ** 32;
    for (let i = 0; i < 2000; i++) {
      const v = g.nextUint32();
      expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
      hi = Math.max(hi, v);
      lo = Math.min(lo, v);
    }
    expect(hi).toBeGreaterThan(0.99 * 2 ** 32);
    expect(lo).toBeLessThan(0.01 * 2 ** 32);
  });
});

describe('rand', () => {
  it('gives float32 by default, float64 on request, with the asked shape', () => {
    manualSeed(0);
    const a = rand([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect(rand([4], { dtype: 'float64' }).dtype).toBe('float64');
    expect(rand([0, 3]).numel()).toBe(0);
    expect(rand([]).shape).toEqual([]);
  });

  it('is uniform on [0, 1): range, mean 1/2, variance 1/12, and even deciles', () => {
    manualSeed(2024);
    const v = flat(rand([20000], { dtype: 'float64' }));
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    expect(mean(v)).toBeCloseTo(0.5, 2);
    expect(variance(v)).toBeCloseTo(1 / 12, 2);
    const deciles = new Array<number>(10).fill(0);
    for (const x of v) deciles[Math.floor(x * 10)]++;
    // 2000 expected per bin, standard deviation ~42
    for (const c of deciles) expect(Math.abs(c - 2000)).toBeLessThan(250);
  });

  it('rejects integer dtypes', () => {
    expect(() => rand([2], { dtype: 'int32' })).toThrow(DTypeError);
    expect(() => rand([2], { dtype: 'int32' })).toThrow(/^rand: dtype must be float32 or float64, got int32/);
    expect(() => randn([2], { dtype: 'bool' })).toThrow(/^randn: /);
  });
});

describe('randn', () => {
  it('is standard normal: mean 0, std 1, ~68.3% within one sigma, ~95.4% within two, symmetric', () => {
    manualSeed(77);
    const v = flat(randn([20000], { dtype: 'float64' }));
    expect(mean(v)).toBeCloseTo(0, 1);
    expect(Math.sqrt(variance(v))).toBeCloseTo(1, 1);
    const within = (k: number) => v.filter((x) => Math.abs(x) < k).length / v.length;
    expect(within(1)).toBeGreaterThan(0.673);
    expect(within(1)).toBeLessThan(0.693);
    expect(within(2)).toBeGreaterThan(0.949);
    expect(within(2)).toBeLessThan(0.959);
    const positive = v.filter((x) => x > 0).length / v.length;
    expect(Math.abs(positive - 0.5)).toBeLessThan(0.015);
    expect(v.every(Number.isFinite)).toBe(true);
  });
});

describe('randLike / randnLike', () => {
  it('take the shape and floating dtype of their argument (float32 for ints)', () => {
    manualSeed(0);
    const x = tensor([[1, 2, 3]], { dtype: 'float64' });
    expect(randLike(x).shape).toEqual([1, 3]);
    expect(randLike(x).dtype).toBe('float64');
    expect(randnLike(x).dtype).toBe('float64');
    expect(randLike(tensor([1, 2], { dtype: 'int32' })).dtype).toBe('float32');
  });
});

describe('randint', () => {
  it('draws int32 values in [low, high), each about equally often', () => {
    manualSeed(9);
    const t = randint(-2, 3, [10000]);
    expect(t.dtype).toBe('int32');
    const v = flat(t);
    const counts = new Map<number, number>();
    for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    // 2000 expected per value, standard deviation ~40
    for (const c of counts.values()) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('honours dtype and shape; high = low + 1 gives a constant', () => {
    manualSeed(0);
    const t = randint(0, 10, [2, 2], { dtype: 'float64' });
    expect(t.dtype).toBe('float64');
    expect(t.shape).toEqual([2, 2]);
    expect(flat(t).every((x) => Number.isInteger(x) && x >= 0 && x < 10)).toBe(true);
    expect(flat(randint(4, 5, [5]))).toEqual([4, 4, 4, 4, 4]);
  });

  it('rejects empty or fractional ranges', () => {
    expect(() => randint(3, 3, [2])).toThrow(ValueError);
    expect(() => randint(3, 3, [2])).toThrow(/^randint: expected integers low < high, got low=3, high=3/);
    expect(() => randint(0, 2.5, [2])).toThrow(ValueError);
  });
});

describe('randperm', () => {
  it('is a permutation of 0..n-1 (int32)', () => {
    manualSeed(31);
    const p = randperm(50);
    expect(p.dtype).toBe('int32');
    const v = flat(p);
    expect([...v].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(v).not.toEqual(Array.from({ length: 50 }, (_, i) => i)); // actually shuffled (seeded: deterministic)
  });

  it('puts each value in each position about equally often', () => {
    manualSeed(8);
    const n = 4;
    const trials = 4000;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let t = 0; t < trials; t++) flat(randperm(n)).forEach((v, pos) => counts[pos][v]++);
    // 1000 expected per cell, standard deviation ~27
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(130);
  });

  it('handles 0 and 1, converts dtype on request, and rejects negative n', () => {
    expect(randperm(0).shape).toEqual([0]);
    expect(flat(randperm(1))).toEqual([0]);
    expect(randperm(3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => randperm(-1)).toThrow(ValueError);
    expect(() => randperm(-1)).toThrow(/^randperm: n must be a non-negative integer, got -1/);
  });
});
