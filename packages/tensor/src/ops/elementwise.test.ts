import { DTypeError, ShapeError, clamp, promote, scalarTensor, tensor, where, zeros } from '../index';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });
const i32 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'int32' });

describe('arithmetic with broadcasting', () => {
  it('adds a row to every row and a column to every column', () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.add(f64([10, 20, 30])).toArray()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(x.sub(f64([[1], [4]])).toArray()).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
    expect(f64([[1], [2]]).mul(f64([3, 4])).toArray()).toEqual([
      [3, 4],
      [6, 8],
    ]);
  });

  it('works with scalars on the right, and 0-d tensors on either side', () => {
    const x = f64([1, 2, 4]);
    expect(x.add(1).toArray()).toEqual([2, 3, 5]);
    expect(x.sub(0.5).toArray()).toEqual([0.5, 1.5, 3.5]);
    expect(x.mul(-2).toArray()).toEqual([-2, -4, -8]);
    expect(x.div(4).toArray()).toEqual([0.25, 0.5, 1]);
    expect(x.pow(2).toArray()).toEqual([1, 4, 16]);
    expect(f64(10).sub(x).toArray()).toEqual([9, 8, 6]);
    expect(x.maximum(2).toArray()).toEqual([2, 2, 4]);
    expect(x.minimum(2).toArray()).toEqual([1, 2, 2]);
  });

  it('div is true division: ints give float32, x/0 gives inf', () => {
    const q = i32([7, -7, 1]).div(i32([2, 2, 0]));
    expect(q.dtype).toBe('float32');
    expect(q.toArray()).toEqual([3.5, -3.5, Infinity]);
    expect(f64([0]).div(0).toArray()).toEqual([NaN]);
  });

  it('int32 arithmetic stays int32 and wraps on overflow like PyTorch', () => {
    const big = i32([65536, 2147483647]);
    expect(big.mul(65536).toArray()).toEqual([0, -65536]);
    expect(i32([2147483647]).add(1).toArray()).toEqual([-2147483648]);
    expect(i32([3, -3]).pow(3).toArray()).toEqual([27, -27]);
    expect(i32([2]).pow(i32([-1])).toArray()).toEqual([0]);
    expect(i32([5, -5]).mul(3).dtype).toBe('int32');
  });

  it('int32 to a negative scalar power is a DTypeError', () => {
    expect(() => i32([2]).pow(-1)).toThrow(DTypeError);
    expect(() => i32([2]).pow(-1)).toThrow(/^pow: integers to negative integer powers are not allowed/);
    expect(i32([4]).pow(-0.5).toArray()).toEqual([0.5]); // a float exponent promotes
  });

  it('maximum/minimum propagate NaN', () => {
    expect(f64([NaN, 1]).maximum(f64([0, NaN])).toArray()).toEqual([NaN, NaN]);
    expect(f64([NaN, 3]).minimum(2).toArray()).toEqual([NaN, 2]);
  });

  it('bool arithmetic: + and * behave as or / and, - is refused', () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    expect(a.add(b).toArray()).toEqual([true, true, true, false]);
    expect(a.mul(b).toArray()).toEqual([true, false, false, false]);
    expect(a.add(b).dtype).toBe('bool');
    expect(() => a.sub(b)).toThrow(DTypeError);
    expect(() => a.sub(b)).toThrow(/^sub: subtracting bool tensors is not supported/);
    expect(a.add(1).toArray()).toEqual([2, 2, 1, 1]);
  });

  it('broadcast mismatches are ShapeErrors naming the op and both shapes', () => {
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow(ShapeError);
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow(/^add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
    expect(() => zeros([2, 3]).mul(zeros([3, 2]))).toThrow(/^mul: shapes \[2, 3\] and \[3, 2\] cannot be broadcast/);
    expect(() => zeros([2]).eq(zeros([3]))).toThrow(/^eq: shapes \[2\] and \[3\]/);
  });

  it('non-tensor, non-number operands are DTypeErrors', () => {
    expect(() => zeros([2]).add(null as never)).toThrow(DTypeError);
    expect(() => zeros([2]).add(null as never)).toThrow(/^add: expected a Tensor, a number or a boolean, got null/);
    expect(() => zeros([2]).mul('2' as never)).toThrow(/^mul: expected a Tensor, a number or a boolean, got string/);
    expect(() => zeros([2]).mul([1, 2] as never)).toThrow(/got Array/);
  });

  it('results are new tensors; inputs are not modified', () => {
    const x = f64([1, 2]);
    const y = x.add(1);
    expect(y.storage).not.toBe(x.storage);
    expect(x.toArray()).toEqual([1, 2]);
  });

  it('reads strided and broadcast operands correctly', () => {
    const m = f64([
      [1, 2],
      [3, 4],
    ]);
    expect(m.T.sub(m).toArray()).toEqual([
      [0, 1],
      [-1, 0],
    ]);
    expect(m.slice(1, 1).add(m.select(0, 0)).toArray()).toEqual([
      [3, 4],
      [5, 6],
    ]);
  });
});

describe('type promotion in ops', () => {
  it.each([
    ['int32 + 1.5', () => i32([1, 2]).add(1.5), 'float32', [2.5, 3.5]],
    ['int32 + float32 0-d', () => i32([1, 2]).add(tensor(0.5)), 'float32', [1.5, 2.5]],
    ['int32 + float64 0-d', () => i32([1, 2]).add(f64(0.5)), 'float64', [1.5, 2.5]],
    ['float32 + float64', () => tensor([1, 2]).add(f64([0.5, 0.5])), 'float64', [1.5, 2.5]],
    ['float32 + float64 0-d', () => tensor([1, 2]).add(f64(0.1)), 'float32', [Math.fround(1.1), Math.fround(2.1)]],
    ['bool + int32', () => tensor([true, false]).add(i32([2, 2])), 'int32', [3, 2]],
    ['bool + 2', () => tensor([true, false]).add(2), 'int32', [3, 2]],
    ['int32 + true', () => i32([1, 2]).add(true), 'int32', [2, 3]],
    ['int32 / int32', () => i32([1, 3]).div(i32([2, 2])), 'float32', [0.5, 1.5]],
    ['float64 * 2', () => f64([1.25]).mul(2), 'float64', [2.5]],
  ] as const)('%s', (_name, f, dtype, values) => {
    const r = f();
    expect(r.dtype).toBe(dtype);
    expect(r.toArray()).toEqual(values);
  });

  it('promote() is torch.result_type over tensors and scalars', () => {
    expect(promote([i32([1]), 1.5])).toBe('float32');
    expect(promote([tensor([true]), 3])).toBe('int32');
    expect(promote([f64([1]), tensor([1])])).toBe('float64');
    expect(promote([tensor([1]), f64(1)])).toBe('float32');
  });

  it('scalarTensor makes 0-d tensors of the given dtype', () => {
    const s = scalarTensor(2.7, 'int32');
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe('int32');
    expect(s.item()).toBe(2);
    expect(scalarTensor(true, 'float64').item()).toBe(1);
  });
});

describe('unary math', () => {
  it('computes the textbook values', () => {
    expect(f64([-2, 0, 3]).neg().toArray()).toEqual([2, -0, -3]);
    expect(f64([-2, 0, 3]).abs().toArray()).toEqual([2, 0, 3]);
    expect(f64([-2, 0, 3, NaN]).sign().toArray()).toEqual([-1, 0, 1, NaN]);
    expect(f64([0, 1]).exp().toArray()).toEqual([1, Math.E]);
    expect(f64([1, Math.E, 0, -1]).log().toArray()).toEqual([0, 1, -Infinity, NaN]);
    expect(f64([4, 0.25, -1]).sqrt().toArray()).toEqual([2, 0.5, NaN]);
    expect(f64([0, Math.PI / 2]).sin().toArray()).toEqual([0, 1]);
    expect(f64([0, Math.PI]).cos().toArray()).toEqual([1, -1]);
    expect(f64([0, Infinity, -Infinity]).tanh().toArray()).toEqual([0, 1, -1]);
    expect(f64([0, Infinity, -Infinity]).sigmoid().toArray()).toEqual([0.5, 1, 0]);
    expect(f64([-1, 0, 2]).relu().toArray()).toEqual([0, 0, 2]);
  });

  it('sigmoid is stable for large |x| (no NaN, symmetric)', () => {
    const s = f64([-1000, -40, 40, 1000]).sigmoid().toArray() as number[];
    expect(s[0]).toBe(0);
    expect(s[3]).toBe(1);
    expect(s[1]).toBeCloseTo(Math.exp(-40), 30);
    expect(1 - s[2]).toBeCloseTo(Math.exp(-40), 15);
  });

  it('step is the Heaviside step x > 0 (0 at 0), in the input dtype', () => {
    expect(f64([-3, -0, 0, 1e-300, 5]).step().toArray()).toEqual([0, 0, 0, 1, 1]);
    expect(i32([-1, 0, 2]).step().toArray()).toEqual([0, 0, 1]);
    expect(i32([-1, 0, 2]).step().dtype).toBe('int32');
  });

  it('transcendental functions of ints give float32; neg/abs/sign/relu keep int32', () => {
    const n = i32([1, 4]);
    for (const r of [n.exp(), n.log(), n.sqrt(), n.sin(), n.cos(), n.tanh(), n.sigmoid()]) expect(r.dtype).toBe('float32');
    expect(n.sqrt().toArray()).toEqual([1, 2]);
    for (const r of [n.neg(), n.abs(), n.sign(), n.relu()]) expect(r.dtype).toBe('int32');
    expect(i32([-3, 3]).abs().toArray()).toEqual([3, 3]);
  });

  it('float32 results are rounded to float32', () => {
    expect(tensor([1]).exp().item()).toBe(Math.fround(Math.E));
  });

  it('neg, abs and relu of bool are DTypeErrors naming the op', () => {
    const b = tensor([true]);
    expect(() => b.neg()).toThrow(DTypeError);
    expect(() => b.neg()).toThrow(/^neg: not supported for bool tensors; convert first with \.int\(\) or \.float\(\)/);
    expect(() => b.abs()).toThrow(/^abs: /);
    expect(() => b.relu()).toThrow(/^relu: /);
    expect(b.sign().toArray()).toEqual([true]);
    expect(b.exp().dtype).toBe('float32');
  });
});

describe('comparisons and logical ops', () => {
  const x = f64([1, 2, 3]);

  it('compare elementwise into bool tensors', () => {
    expect(x.eq(2).toArray()).toEqual([false, true, false]);
    expect(x.ne(2).toArray()).toEqual([true, false, true]);
    expect(x.lt(2).toArray()).toEqual([true, false, false]);
    expect(x.le(2).toArray()).toEqual([true, true, false]);
    expect(x.gt(2).toArray()).toEqual([false, false, true]);
    expect(x.ge(2).toArray()).toEqual([false, true, true]);
    expect(x.eq(2).dtype).toBe('bool');
  });

  it('compare across dtypes after promotion and broadcast', () => {
    expect(i32([1, 2]).eq(tensor([1, 2.5])).toArray()).toEqual([true, false]);
    expect(i32([1, 2]).lt(1.5).toArray()).toEqual([true, false]);
    expect(
      f64([[1], [2]])
        .lt(f64([1.5, 2.5]))
        .toArray(),
    ).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it('NaN compares unequal to everything, itself included', () => {
    const n = f64([NaN]);
    expect(n.eq(n).toArray()).toEqual([false]);
    expect(n.ne(n).toArray()).toEqual([true]);
    expect(n.lt(0).toArray()).toEqual([false]);
    expect(n.ge(0).toArray()).toEqual([false]);
  });

  it('logical ops treat nonzero (NaN included) as true', () => {
    const a = f64([0, 0, 1, NaN]);
    const b = i32([0, 3, 0, 1]);
    expect(a.logicalAnd(b).toArray()).toEqual([false, false, false, true]);
    expect(a.logicalOr(b).toArray()).toEqual([false, true, true, true]);
    expect(a.logicalXor(b).toArray()).toEqual([false, true, true, false]);
    expect(a.logicalNot().toArray()).toEqual([true, true, false, false]);
    expect(a.logicalAnd(true).dtype).toBe('bool');
  });
});

describe('clamp', () => {
  const x = f64([-2, -0.5, 0, 0.5, 2, NaN]);

  it('limits to [min, max]; either bound may be omitted; NaN stays NaN', () => {
    expect(x.clamp(-1, 1).toArray()).toEqual([-1, -0.5, 0, 0.5, 1, NaN]);
    expect(x.clamp(0).toArray()).toEqual([0, 0, 0, 0.5, 2, NaN]);
    expect(x.clamp(null, 0).toArray()).toEqual([-2, -0.5, 0, 0, 0, NaN]);
    expect(clamp(x, 1, -1).toArray()).toEqual([-1, -1, -1, -1, -1, NaN]); // min > max gives max, as PyTorch
  });

  it('accepts tensor bounds, broadcast', () => {
    const m = f64([
      [1, 5],
      [-3, 0],
    ]);
    expect(m.clamp(f64([0, 1]), f64([[2], [0.5]])).toArray()).toEqual([
      [1, 2],
      [0, 0.5],
    ]);
  });

  it('keeps int32 with int bounds, promotes with float bounds', () => {
    expect(i32([-5, 5]).clamp(-2, 2).toArray()).toEqual([-2, 2]);
    expect(i32([-5, 5]).clamp(-2, 2).dtype).toBe('int32');
    expect(i32([0, 5]).clamp(0.5).toArray()).toEqual([0.5, 5]);
    expect(i32([0, 5]).clamp(0.5).dtype).toBe('float32');
  });

  it('needs at least one bound', () => {
    expect(() => x.clamp()).toThrow(DTypeError);
    expect(() => x.clamp()).toThrow(/^clamp: give at least one of min and max/);
  });
});

describe('where', () => {
  const cond = tensor([true, false, true]);

  it('picks from a where cond holds, else from b; broadcasting all three', () => {
    expect(where(cond, f64([1, 2, 3]), f64([-1, -2, -3])).toArray()).toEqual([1, -2, 3]);
    expect(f64([1, 2, 3]).where(cond, 0).toArray()).toEqual([1, 0, 3]);
    expect(
      where(tensor([[true], [false]]), f64([1, 2]), f64(9)).toArray(),
    ).toEqual([
      [1, 2],
      [9, 9],
    ]);
    expect(where(cond, 1, 0).toArray()).toEqual([1, 0, 1]);
  });

  it('promotes a and b; any nonzero condition counts as true', () => {
    expect(where(cond, i32([1, 2, 3]), tensor([0.5, 0.5, 0.5])).dtype).toBe('float32');
    expect(where(cond, i32([1, 2, 3]), 0.5).toArray()).toEqual([1, 0.5, 3]);
    expect(where(f64([2, 0, NaN]), 1, 0).toArray()).toEqual([1, 0, 1]);
  });

  it('broadcast errors name where', () => {
    expect(() => where(cond, zeros([2]), 0)).toThrow(ShapeError);
    expect(() => where(cond, zeros([2]), 0)).toThrow(/^where: shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => where(null as never, 1, 0)).toThrow(DTypeError);
  });
});

describe('to() and dtype shortcuts', () => {
  it('returns the same tensor for the same dtype and converts otherwise', () => {
    const x = tensor([1.5, -1.5]);
    expect(x.to('float32')).toBe(x);
    expect(x.int().toArray()).toEqual([1, -1]);
    expect(x.double().dtype).toBe('float64');
    expect(x.bool().toArray()).toEqual([true, true]);
    expect(i32([0, 3]).float().toArray()).toEqual([0, 3]);
    expect(f64([0.1]).float().item()).toBe(Math.fround(0.1));
  });

  it('converts strided views in their logical order', () => {
    const m = f64([
      [1, 2],
      [3, 4],
    ]).T;
    expect(m.int().toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });
});
