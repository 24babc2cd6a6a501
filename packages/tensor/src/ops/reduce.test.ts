import { DTypeError, IndexError, ShapeError, arange, reducedShape, sumTo, tensor, zeros } from '../index';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });
/** [[1, 2, 3], [4, 5, 6]] as float64. */
const m = () =>
  f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);

describe('sum / mean / prod', () => {
  it('reduce over all dims by default, to a 0-d tensor', () => {
    expect(m().sum().shape).toEqual([]);
    expect(m().sum().item()).toBe(21);
    expect(m().mean().item()).toBe(3.5);
    expect(m().prod().item()).toBe(720);
  });

  it('reduce over one dim, negative dims, lists of dims, with and without keepdim', () => {
    expect(m().sum({ dim: 0 }).toArray()).toEqual([5, 7, 9]);
    expect(m().sum({ dim: -1 }).toArray()).toEqual([6, 15]);
    expect(m().sum({ dim: 1, keepdim: true }).toArray()).toEqual([[6], [15]]);
    expect(m().sum({ dim: [0, 1] }).item()).toBe(21);
    expect(m().sum({ dim: [1, 0], keepdim: true }).shape).toEqual([1, 1]);
    expect(m().sum({ keepdim: true }).shape).toEqual([1, 1]);
    expect(m().mean({ dim: 0 }).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(m().prod({ dim: 1 }).toArray()).toEqual([6, 120]);
    const x = arange(24).reshape(2, 3, 4);
    expect(x.sum({ dim: [0, 2] }).toArray()).toEqual([60, 92, 124]);
    expect(x.sum({ dim: [-1, 0], keepdim: true }).shape).toEqual([1, 3, 1]);
  });

  it('sum and prod of ints and bools give int32; mean needs floats', () => {
    const n = tensor([1, 2, 3], { dtype: 'int32' });
    expect(n.sum().dtype).toBe('int32');
    expect(n.sum().item()).toBe(6);
    const b = tensor([true, true, false]);
    expect(b.sum().dtype).toBe('int32');
    expect(b.sum().item()).toBe(2);
    expect(b.prod().item()).toBe(0);
    expect(() => n.mean()).toThrow(DTypeError);
    expect(() => n.mean()).toThrow(/^mean: expected a floating-point tensor, got int32; convert first with \.float\(\)/);
    expect(n.float().mean().item()).toBe(2);
  });

  it('reduce strided views in their logical order', () => {
    const t = m().T; // [[1, 4], [2, 5], [3, 6]]
    expect(t.sum({ dim: 0 }).toArray()).toEqual([6, 15]);
    expect(t.prod({ dim: 1 }).toArray()).toEqual([4, 10, 18]);
    expect(f64([1, 2]).expand(3, 2).sum({ dim: 0 }).toArray()).toEqual([3, 6]);
  });

  it('reduce 0-d tensors to themselves; empty reductions give the identity', () => {
    expect(f64(4).sum().item()).toBe(4);
    expect(f64(4).sum({ dim: 0 }).item()).toBe(4);
    expect(zeros([0]).sum().item()).toBe(0);
    expect(zeros([0]).prod().item()).toBe(1);
    expect(Number.isNaN(zeros([0]).mean().item())).toBe(true);
  });

  it('out-of-range and repeated dims are IndexErrors naming the op and the shape', () => {
    expect(() => m().sum({ dim: 2 })).toThrow(IndexError);
    expect(() => m().sum({ dim: 2 })).toThrow(/^sum: dim 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => m().mean({ dim: [0, 0] })).toThrow(/^mean: dim \[0,0\] contains a repeated dim/);
    expect(() => m().prod({ dim: -3 })).toThrow(/^prod: dim -3/);
  });
});

describe('amax / amin / max / min / argmax / argmin', () => {
  const x = f64([
    [3, 1, 4],
    [1, 5, 9],
  ]);

  it('amax/amin reduce over any dims', () => {
    expect(x.amax().item()).toBe(9);
    expect(x.amin().item()).toBe(1);
    expect(x.amax({ dim: 0 }).toArray()).toEqual([3, 5, 9]);
    expect(x.amin({ dim: 1, keepdim: true }).toArray()).toEqual([[1], [1]]);
    expect(x.max().item()).toBe(9);
    expect(x.min().item()).toBe(1);
  });

  it('max/min with a dim give values and indices (int32)', () => {
    const r = x.max({ dim: 1 });
    expect(r.values.toArray()).toEqual([4, 9]);
    expect(r.indices.toArray()).toEqual([2, 2]);
    expect(r.indices.dtype).toBe('int32');
    const k = x.min({ dim: 0, keepdim: true });
    expect(k.values.toArray()).toEqual([[1, 1, 4]]);
    expect(k.indices.toArray()).toEqual([[1, 0, 0]]);
    expect(x.max({ dim: -2 }).indices.toArray()).toEqual([0, 1, 1]);
  });

  it('ties give the first index; NaN counts as the extreme', () => {
    expect(f64([1, 3, 3, 2]).max({ dim: 0 }).indices.item()).toBe(1);
    expect(f64([2, 1, 1]).argmin().item()).toBe(1);
    expect(f64([1, NaN, 5, NaN]).argmax().item()).toBe(1);
    expect(f64([1, NaN, 5]).amax().item()).toBeNaN();
    expect(f64([1, NaN, 0]).min({ dim: 0 }).values.item()).toBeNaN();
  });

  it('argmax/argmin over the flattened tensor or one dim', () => {
    expect(x.argmax().item()).toBe(5);
    expect(x.argmin().item()).toBe(1);
    expect(x.argmax({ keepdim: true }).shape).toEqual([1, 1]);
    expect(x.argmax({ dim: 0 }).toArray()).toEqual([0, 1, 1]);
    expect(x.argmin({ dim: 1, keepdim: true }).toArray()).toEqual([[1], [0]]);
    expect(x.T.argmax({ dim: 1 }).toArray()).toEqual([0, 1, 1]);
  });

  it('0-d tensors are their own max with index 0', () => {
    const r = f64(7).max({ dim: 0 });
    expect(r.values.item()).toBe(7);
    expect(r.indices.item()).toBe(0);
  });

  it('reducing a size-0 dim is a ShapeError; keeping it gives an empty result', () => {
    expect(() => zeros([0, 3]).amax({ dim: 0 })).toThrow(ShapeError);
    expect(() => zeros([0, 3]).amax({ dim: 0 })).toThrow(/^amax: cannot reduce over a dim of size 0 \(shape \[0, 3\]\)/);
    expect(() => zeros([0, 3]).max({ dim: 0 })).toThrow(/^max: cannot reduce dim 0 of size 0 \(shape \[0, 3\]\)/);
    expect(() => zeros([0]).max()).toThrow(ShapeError);
    expect(() => zeros([0]).argmax()).toThrow(ShapeError);
    expect(zeros([0, 3]).amax({ dim: 1 }).shape).toEqual([0]);
    expect(zeros([0, 3]).min({ dim: 1 }).indices.shape).toEqual([0]);
  });

  it('keep the dtype of ints and bools', () => {
    expect(tensor([1, 7, 3], { dtype: 'int32' }).amax().dtype).toBe('int32');
    expect(tensor([false, true]).amax().toArray()).toBe(true);
  });
});

describe('var / std', () => {
  const v = f64([2, 4, 4, 4, 5, 5, 7, 9]); // mean 5, sum of squares of deviations 32

  it('are unbiased by default (n - 1), biased on request (n)', () => {
    expect(v.var().item()).toBeCloseTo(32 / 7, 14);
    expect(v.var({ unbiased: false }).item()).toBe(4);
    expect(v.std({ unbiased: false }).item()).toBe(2);
    expect(v.std().item()).toBeCloseTo(Math.sqrt(32 / 7), 14);
  });

  it('over dims with keepdim', () => {
    expect(m().var({ dim: 1 }).toArray()).toEqual([1, 1]);
    expect(m().var({ dim: 0, unbiased: false, keepdim: true }).toArray()).toEqual([[2.25, 2.25, 2.25]]);
    expect(m().std({ dim: [0, 1], unbiased: false }).item()).toBeCloseTo(Math.sqrt(35 / 12), 14);
  });

  it('one element: unbiased is NaN, biased is 0', () => {
    expect(f64([3]).var().item()).toBeNaN();
    expect(f64([3]).var({ unbiased: false }).item()).toBe(0);
  });

  it('need floats', () => {
    expect(() => arange(3).var()).toThrow(DTypeError);
    expect(() => arange(3).var()).toThrow(/^var: expected a floating-point tensor, got int32/);
    expect(() => arange(3).std()).toThrow(DTypeError);
  });
});

describe('logsumexp', () => {
  it('equals log(sum(exp(x))) and is stable for large values', () => {
    expect(f64([0, 0]).logsumexp().item()).toBeCloseTo(Math.log(2), 15);
    expect(f64([1000, 1000]).logsumexp().item()).toBeCloseTo(1000 + Math.log(2), 12);
    expect(f64([-1000, -1000]).logsumexp().item()).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(m().logsumexp({ dim: 1, keepdim: true }).shape).toEqual([2, 1]);
  });

  it('handles -inf and +inf', () => {
    expect(f64([-Infinity, -Infinity]).logsumexp().item()).toBe(-Infinity);
    expect(f64([-Infinity, 0]).logsumexp().item()).toBe(0);
    expect(f64([Infinity, 0]).logsumexp().item()).toBe(Infinity);
  });

  it('of an empty dim is -inf; of ints is float32', () => {
    expect(zeros([2, 0]).logsumexp({ dim: 1 }).toArray()).toEqual([-Infinity, -Infinity]);
    expect(arange(3).logsumexp().dtype).toBe('float32');
  });
});

describe('softmax / logSoftmax', () => {
  it('give probabilities that sum to 1 along the dim, matching exp(x) / sum(exp(x))', () => {
    const s = m().softmax(1);
    const row = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = row[0] + row[1] + row[2];
    (s.toArray() as number[][]).forEach((r) => r.forEach((p, j) => expect(p).toBeCloseTo(row[j] / z, 15)));
    for (const total of s.sum({ dim: 1 }).toArray() as number[]) expect(total).toBeCloseTo(1, 15);
    for (const total of m().softmax(0).sum({ dim: 0 }).toArray() as number[]) expect(total).toBeCloseTo(1, 15);
  });

  it('logSoftmax is log(softmax) and stable for large inputs', () => {
    const x = f64([1000, 1001, 1002]);
    const l = x.logSoftmax(0).toArray() as number[];
    const s = x.softmax(0).toArray() as number[];
    l.forEach((v, i) => expect(v).toBeCloseTo(Math.log(s[i]), 12));
    expect(l.every(Number.isFinite)).toBe(true);
  });

  it('treat -inf as probability 0 and work on negative dims and 0-d tensors', () => {
    expect(f64([-Infinity, 0]).softmax(-1).toArray()).toEqual([0, 1]);
    expect(f64(3).softmax(0).item()).toBe(1);
    expect(f64(3).logSoftmax(0).item()).toBe(0);
  });

  it('need floats and a valid dim', () => {
    expect(() => arange(3).softmax(0)).toThrow(DTypeError);
    expect(() => arange(3).softmax(0)).toThrow(/^softmax: expected a floating-point tensor, got int32/);
    expect(() => arange(3).logSoftmax(0)).toThrow(/^logSoftmax: expected a floating-point tensor/);
    expect(() => m().softmax(2)).toThrow(IndexError);
    expect(() => m().softmax(2)).toThrow(/^softmax: dim 2 is out of range for a tensor of shape \[2, 3\]/);
  });
});

describe('cumsum', () => {
  it('accumulates along a dim', () => {
    expect(m().cumsum(1).toArray()).toEqual([
      [1, 3, 6],
      [4, 9, 15],
    ]);
    expect(m().cumsum(-2).toArray()).toEqual([
      [1, 2, 3],
      [5, 7, 9],
    ]);
    expect(m().T.cumsum(0).toArray()).toEqual([
      [1, 4],
      [3, 9],
      [6, 15],
    ]);
  });

  it('gives int32 for ints and bools', () => {
    expect(tensor([true, true, false]).cumsum(0).toArray()).toEqual([1, 2, 2]);
    expect(tensor([true]).cumsum(0).dtype).toBe('int32');
  });
});

describe('reducedShape and sumTo', () => {
  it('reducedShape drops or keeps reduced dims', () => {
    expect(reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
    expect(reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
  });

  it('sumTo undoes broadcasting', () => {
    const g = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sumTo(g, [3]).toArray()).toEqual([5, 7, 9]);
    expect(sumTo(g, [1, 3]).toArray()).toEqual([[5, 7, 9]]);
    expect(sumTo(g, [2, 1]).toArray()).toEqual([[6], [15]]);
    expect(sumTo(g, []).item()).toBe(21);
    expect(sumTo(g, [2, 3])).toBe(g);
  });

  it('sumTo refuses shapes that do not broadcast to x', () => {
    expect(() => sumTo(zeros([2, 3]), [2])).toThrow(ShapeError);
    expect(() => sumTo(zeros([2, 3]), [2])).toThrow(/^sumTo: shape \[2, 3\] does not broadcast from \[2\]/);
    expect(() => sumTo(zeros([3]), [2, 3])).toThrow(/^sumTo: cannot sum shape \[3\] to the larger \[2, 3\]/);
  });
});
