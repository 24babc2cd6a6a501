import { DTypeError, ShapeError, arange, linear, matmul, ones, tensor, zeros } from '../index';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });
const A = () =>
  f64([
    [1, 2],
    [3, 4],
  ]);
const B = () =>
  f64([
    [5, 6],
    [7, 8],
  ]);

describe('matmul', () => {
  it('2-D x 2-D is the matrix product', () => {
    expect(matmul(A(), B()).toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(
      f64([[1, 2, 3]])
        .matmul(f64([[1], [1], [1]]))
        .toArray(),
    ).toEqual([[6]]);
  });

  it('1-D x 1-D is the dot product (0-d); 1-D operands get a dim added then removed', () => {
    const d = f64([1, 2, 3]).matmul(f64([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
    expect(f64([1, 1]).matmul(A()).toArray()).toEqual([4, 6]);
    expect(A().matmul(f64([1, 1])).toArray()).toEqual([3, 7]);
  });

  it('batched with broadcast batch dims', () => {
    const a = arange(12).reshape(3, 2, 2).double(); // three 2x2 matrices
    const r = a.matmul(A());
    expect(r.shape).toEqual([3, 2, 2]);
    expect(r.select(0, 1).toArray()).toEqual(a.select(0, 1).matmul(A()).toArray());
    expect(matmul(zeros([2, 1, 3, 4]), zeros([5, 4, 6])).shape).toEqual([2, 5, 3, 6]);
    expect(matmul(zeros([4]), zeros([2, 4, 3])).shape).toEqual([2, 3]);
    expect(matmul(zeros([2, 3, 4]), zeros([4])).shape).toEqual([2, 3]);
  });

  it('reads transposed, sliced and expanded operands', () => {
    expect(A().T.matmul(B()).toArray()).toEqual([
      [26, 30],
      [38, 44],
    ]);
    expect(A().matmul(B().T).toArray()).toEqual([
      [17, 23],
      [39, 53],
    ]);
    const wide = f64([
      [1, 0, 2, 0],
      [3, 0, 4, 0],
    ]);
    expect(wide.slice(1, 0, undefined, 2).matmul(B()).toArray()).toEqual(A().matmul(B()).toArray());
    expect(f64([1, 2]).expand(3, 2).matmul(f64([1, 1])).toArray()).toEqual([3, 3, 3]);
  });

  it('empty inner or outer dims', () => {
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(zeros([0, 2]), zeros([2, 3])).shape).toEqual([0, 3]);
  });

  it('promotes dtypes (PyTorch would refuse mixed dtypes); ints stay int32', () => {
    const i = tensor([[1, 2]], { dtype: 'int32' });
    expect(i.matmul(tensor([[3], [4]], { dtype: 'int32' })).toArray()).toEqual([[11]]);
    expect(i.matmul(tensor([[3], [4]], { dtype: 'int32' })).dtype).toBe('int32');
    expect(i.matmul(tensor([[0.5], [0.25]])).dtype).toBe('float32');
    expect(i.matmul(tensor([[0.5], [0.25]])).item()).toBe(1);
    expect(tensor([[1]]).matmul(f64([[1]])).dtype).toBe('float64');
  });

  it('errors: inner-dim mismatch, batch mismatch, 0-d operands, bool', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/^matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 != 4\)/);
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow(/^matmul: shapes \[3\] and \[4\] cannot be multiplied \(3 != 4\)/);
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 1]))).toThrow(
      /^matmul: shapes \[2, 2, 3\] and \[3, 3, 1\] cannot be multiplied: batch dims \[2\] and \[3\] cannot be broadcast/,
    );
    expect(() => matmul(zeros([]), zeros([2]))).toThrow(/^matmul: both arguments need at least 1 dim, got shapes \[\] and \[2\]/);
    expect(() => matmul(tensor([[true]]), tensor([[true]]))).toThrow(DTypeError);
    expect(() => matmul(zeros([2]), 3 as never)).toThrow(DTypeError);
  });
});

describe('linear', () => {
  it('computes x W^T + b', () => {
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    const w = f64([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(linear(x, w, f64([10, 20, 30])).toArray()).toEqual([
      [11, 22, 33],
      [13, 24, 37],
    ]);
    expect(linear(x, w).toArray()).toEqual([
      [1, 2, 3],
      [3, 4, 7],
    ]);
    expect(linear(x, w, null).shape).toEqual([2, 3]);
  });

  it('handles leading batch dims and 1-D inputs', () => {
    expect(linear(ones([4, 5, 3]), ones([2, 3]), zeros([2])).shape).toEqual([4, 5, 2]);
    expect(linear(ones([3]), ones([2, 3])).toArray()).toEqual([3, 3]);
  });

  it('mismatched weights are ShapeErrors naming both shapes', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => linear(zeros([2, 3]), zeros([4, 5]))).toThrow(/^linear: input \[2, 3\] and weight \[4, 5\] do not fit/);
    expect(() => linear(zeros([2, 3]), zeros([3]))).toThrow(/^linear: input \[2, 3\] and weight \[3\]/);
    expect(() => linear(zeros([2, 3]), zeros([4, 3]), zeros([5]))).toThrow(/^add: shapes \[2, 4\] and \[5\] cannot be broadcast/);
  });
});
