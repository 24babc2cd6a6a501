/**
 * Bad inputs: each gets a typed error whose message names the op and the shapes (or dims/dtypes)
 * involved, so a user can fix the call from the message alone.
 */
import {
  DLError,
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
  cat,
  fmtShape,
  matmul,
  tensor,
  zeros,
  type DType,
} from './index';

const x23 = () => zeros([2, 3]);
const idx = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'int32' });

type ErrorClass = typeof ShapeError | typeof DTypeError | typeof IndexError | typeof ValueError;

const CASES: [string, () => unknown, ErrorClass, RegExp][] = [
  // broadcasting and shapes
  ['broadcast mismatch', () => x23().add(zeros([4])), ShapeError, /^add: shapes \[2, 3\] and \[4\] cannot be broadcast/],
  ['broadcast mismatch (sub, 3-D)', () => zeros([2, 3, 4]).sub(zeros([3, 1, 4])), ShapeError, /^sub: shapes \[2, 3, 4\] and \[3, 1, 4\] cannot be broadcast \(size 2 vs 3 at dim -3\)/],
  ['matmul inner dim mismatch', () => matmul(x23(), zeros([4, 5])), ShapeError, /^matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 != 4\)/],
  ['matmul batch mismatch', () => matmul(zeros([2, 2, 3]), zeros([3, 3, 1])), ShapeError, /^matmul: shapes \[2, 2, 3\] and \[3, 3, 1\] cannot be multiplied: batch dims \[2\] and \[3\]/],
  ['reshape to an incompatible size', () => x23().reshape(4, 2), ShapeError, /^reshape: shape \[4, 2\] is invalid for input of size 6 \(shape \[2, 3\]\)/],
  ['view of a non-viewable layout', () => x23().T.view(6), ShapeError, /^view: a tensor of shape \[3, 2\] with strides \[1, 3\] cannot be viewed as \[6\]/],
  ['cat with mismatched shapes', () => cat([x23(), zeros([2, 4])]), ShapeError, /^cat: tensor 1 has shape \[2, 4\], which does not match tensor 0's \[2, 3\] outside dim 0/],
  ['expand of a non-1 dim', () => x23().expand(4, 3), ShapeError, /^expand: the tensor of shape \[2, 3\] cannot be expanded to \[4, 3\]/],
  ['permute with the wrong number of dims', () => x23().permute(0), ShapeError, /^permute: got 1 dims \[0\] for a tensor of shape \[2, 3\]/],
  ['gather with an index of another rank', () => x23().gather(0, idx([0])), ShapeError, /^gather: index \[1\] must have as many dims as the input \[2, 3\]/],
  // data
  ['ragged nested array', () => tensor([[1, 2], [3]]), ValueError, /^tensor: ragged nested array: expected length 2 at index \[1\], got length 1/],
  ['ragged nested array (leaf where a row is expected)', () => tensor([[1, 2], 3] as never), ValueError, /^tensor: ragged nested array: expected an array at index \[1\], got 3/],
  ['item() on a multi-element tensor', () => x23().item(), ValueError, /^item: only a tensor with one element can be converted to a number, got shape \[2, 3\]/],
  ['slice with step 0', () => x23().slice(1, 0, 3, 0), ValueError, /^slice: step must be a positive integer, got 0/],
  ['negative size', () => zeros([2, -3]), ValueError, /^zeros: invalid shape \[2, -3\]/],
  // dims and indices out of range
  ['select: dim out of range', () => x23().select(2, 0), IndexError, /^select: dim 2 is out of range for a tensor of shape \[2, 3\] \(expected a dim in \[-2, 1\]\)/],
  ['select: index out of range', () => x23().select(1, 3), IndexError, /^select: index 3 is out of range for dim 1 of size 3 \(shape \[2, 3\]\)/],
  ['select: negative index out of range', () => x23().select(0, -3), IndexError, /^select: index -3 is out of range for dim 0 of size 2 \(shape \[2, 3\]\)/],
  ['narrow: dim out of range', () => x23().narrow(-3, 0, 1), IndexError, /^narrow: dim -3 is out of range for a tensor of shape \[2, 3\]/],
  ['narrow: range past the end', () => x23().narrow(1, 2, 2), IndexError, /^narrow: start 2 and length 2 do not fit dim 1 of size 3 \(shape \[2, 3\]\)/],
  ['gather: dim out of range', () => x23().gather(2, idx([[0]])), IndexError, /^gather: dim 2 is out of range for a tensor of shape \[2, 3\]/],
  ['gather: index out of range', () => x23().gather(1, idx([[0, 3]])), IndexError, /^gather: index 3 is out of bounds for dim 1 with size 3 \(shape \[2, 3\]\)/],
  ['indexSelect: dim out of range', () => x23().indexSelect(-3, [0]), IndexError, /^indexSelect: dim -3 is out of range for a tensor of shape \[2, 3\]/],
  ['indexSelect: index out of range', () => x23().indexSelect(0, [0, 2]), IndexError, /^indexSelect: index 2 is out of bounds for dim 0 with size 2 \(shape \[2, 3\]\)/],
  ['permute: dim out of range', () => x23().permute(0, 2), IndexError, /^permute: dim 2 is out of range for a tensor of shape \[2, 3\]/],
  ['permute: repeated dim', () => x23().permute(1, -1), IndexError, /^permute: dims \[1, -1\] repeat a dim/],
  ['transpose: dim out of range', () => x23().transpose(0, 5), IndexError, /^transpose: dim 5 is out of range for a tensor of shape \[2, 3\]/],
  ['sum: dim out of range', () => x23().sum({ dim: [0, 2] }), IndexError, /^sum: dim 2 is out of range for a tensor of shape \[2, 3\]/],
  ['softmax: dim out of range', () => x23().softmax(-3), IndexError, /^softmax: dim -3 is out of range for a tensor of shape \[2, 3\]/],
  ['cat: dim out of range', () => cat([x23(), x23()], 2), IndexError, /^cat: dim 2 is out of range for a tensor of shape \[2, 3\]/],
  // dtypes
  ['mean of int32', () => idx([1, 2]).mean(), DTypeError, /^mean: expected a floating-point tensor, got int32; convert first with \.float\(\)/],
  ['softmax of int32', () => idx([1, 2]).softmax(0), DTypeError, /^softmax: expected a floating-point tensor, got int32/],
  ['logSoftmax of bool', () => tensor([true]).logSoftmax(0), DTypeError, /^logSoftmax: expected a floating-point tensor, got bool/],
  ['var of int32', () => idx([1, 2]).var(), DTypeError, /^var: expected a floating-point tensor, got int32/],
  ['neg of bool', () => tensor([true, false]).neg(), DTypeError, /^neg: not supported for bool tensors/],
  ['sub of bools', () => tensor([true]).sub(tensor([false])), DTypeError, /^sub: subtracting bool tensors is not supported/],
  ['unknown dtype string in a factory', () => tensor([1], { dtype: 'int64' as DType }), DTypeError, /^tensor: unknown dtype 'int64'; use 'float32', 'float64', 'int32' or 'bool'/],
  ['unknown dtype string in to()', () => x23().to('float16' as DType), DTypeError, /^to: unknown dtype 'float16'/],
  ['float index for gather', () => x23().gather(0, zeros([1, 1])), DTypeError, /^gather: index must be an int32 tensor, got float32/],
  ['matmul of bools', () => matmul(tensor([[true]]), tensor([[true]])), DTypeError, /^matmul: bool tensors are not supported/],
];

describe('bad inputs raise typed errors that name the op and the shapes', () => {
  it.each(CASES)('%s', (_name, f, cls, message) => {
    let caught: unknown;
    try {
      f();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(cls);
    expect(caught).toBeInstanceOf(DLError);
    expect(caught).toBeInstanceOf(Error);
    const err = caught as Error;
    expect(err.name).toBe(cls.name);
    expect(err.message).toMatch(message);
  });
});

describe('error classes', () => {
  it('are distinct subclasses of DLError with their own names', () => {
    const classes = [ShapeError, DTypeError, IndexError, ValueError];
    for (const C of classes) {
      const e = new C('msg');
      expect(e).toBeInstanceOf(DLError);
      expect(e.name).toBe(C.name);
      expect(e.message).toBe('msg');
      for (const D of classes) if (D !== C) expect(e).not.toBeInstanceOf(D);
    }
  });

  it('fmtShape prints shapes the way messages show them', () => {
    expect(fmtShape([2, 3])).toBe('[2, 3]');
    expect(fmtShape([])).toBe('[]');
    expect(fmtShape([0])).toBe('[0]');
  });
});
