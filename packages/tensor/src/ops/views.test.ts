import { IndexError, ShapeError, ValueError, arange, asStrided, tensor, zeros, type Tensor } from '../index';

/** [2, 3, 4] int32 holding 0..23: element (i, j, k) is 12 i + 4 j + k. */
const base = () => arange(24).reshape(2, 3, 4);

/** The element at `idx`, read by selecting one dim at a time. */
const at = (t: Tensor, ...idx: number[]) => idx.reduce((v, i) => v.select(0, i), t).item();

describe('views share storage with their base', () => {
  const views: [string, (x: Tensor) => Tensor][] = [
    ['transpose', (x) => x.transpose(0, 2)],
    ['permute', (x) => x.permute(2, 0, 1)],
    ['T', (x) => x.T],
    ['mT', (x) => x.mT],
    ['slice', (x) => x.slice(2, 1, undefined, 2)],
    ['narrow', (x) => x.narrow(1, 1, 2)],
    ['select', (x) => x.select(0, 1)],
    ['expand', (x) => x.narrow(1, 0, 1).expand(2, 5, 4)],
    ['squeeze', (x) => x.narrow(1, 0, 1).squeeze(1)],
    ['unsqueeze', (x) => x.unsqueeze(1)],
    ['reshape of a contiguous tensor', (x) => x.reshape(4, 6)],
    ['view', (x) => x.view(6, -1)],
    ['flatten of a contiguous tensor', (x) => x.flatten()],
    ['split piece', (x) => x.split(2, 2)[1]],
    ['chunk piece', (x) => x.chunk(3, 1)[2]],
    ['broadcastTo', (x) => x.select(0, 0).broadcastTo([5, 3, 4])],
    ['contiguous of a contiguous tensor', (x) => x.contiguous()],
  ];

  it.each(views)('%s', (_name, f) => {
    const x = base();
    const v = f(x);
    expect(v.storage).toBe(x.storage);
  });

  it('writing through fill_ on a view is visible in the base', () => {
    const x = zeros([3, 4]);
    x.select(0, 1).fill_(5);
    x.slice(1, 0, undefined, 2).fill_(1);
    expect(x.toArray()).toEqual([
      [1, 0, 1, 0],
      [1, 5, 1, 5],
      [1, 0, 1, 0],
    ]);
  });

  it('writing through copy_ on a transposed view fills a column of the base', () => {
    const x = zeros([3, 4]);
    const ret = x.T.select(0, 3).copy_(tensor([7, 8, 9]));
    expect(ret.shape).toEqual([3]); // copy_ returns the view it wrote into
    expect(x.toArray()).toEqual([
      [0, 0, 0, 7],
      [0, 0, 0, 8],
      [0, 0, 0, 9],
    ]);
  });

  it('copy_ broadcasts its source and converts its dtype', () => {
    const x = zeros([3, 4], { dtype: 'int32' });
    x.narrow(0, 1, 2).copy_(tensor([1.9, -2.9, 3, 4]));
    expect(x.toArray()).toEqual([
      [0, 0, 0, 0],
      [1, -2, 3, 4],
      [1, -2, 3, 4],
    ]);
    x.narrow(1, 0, 1).copy_(9);
    expect((x.toArray() as number[][]).map((r) => r[0])).toEqual([9, 9, 9]);
    expect(() => x.copy_(tensor([1, 2]))).toThrow(ShapeError);
  });

  it('writing through an offset, strided view of a view lands in the right places', () => {
    const x = zeros([4, 6], { dtype: 'int32' });
    const v = x.slice(0, 1, undefined, 2).slice(1, 1, 5, 3); // rows 1, 3; cols 1, 4
    expect(v.offset).toBe(6 + 1);
    expect(v.strides).toEqual([12, 3]);
    v.copy_(tensor([[1, 2], [3, 4]], { dtype: 'int32' }));
    expect(x.toArray()).toEqual([
      [0, 0, 0, 0, 0, 0],
      [0, 1, 0, 0, 2, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 3, 0, 0, 4, 0],
    ]);
  });

  it('a reshape that has to copy does not write back', () => {
    const x = zeros([2, 3]);
    const r = x.T.reshape(6);
    expect(r.storage).not.toBe(x.storage);
    r.fill_(1);
    expect(x.sum().item()).toBe(0);
  });

  it('clone() shares nothing', () => {
    const x = zeros([2]);
    const c = x.clone();
    c.fill_(3);
    expect(x.toArray()).toEqual([0, 0]);
    expect(c.toArray()).toEqual([3, 3]);
  });
});

describe('strides and offsets', () => {
  it('a contiguous tensor has row-major strides and offset 0', () => {
    const x = base();
    expect(x.strides).toEqual([12, 4, 1]);
    expect(x.offset).toBe(0);
    expect(x.isContiguous()).toBe(true);
  });

  it('slice with a step multiplies the stride and moves the offset', () => {
    const v = base().slice(2, 1, undefined, 2);
    expect(v.shape).toEqual([2, 3, 2]);
    expect(v.strides).toEqual([12, 4, 2]);
    expect(v.offset).toBe(1);
    expect(v.isContiguous()).toBe(false);
    expect(v.select(0, 1).select(0, 2).toArray()).toEqual([21, 23]);
  });

  it('select drops the dim and adds index * stride to the offset', () => {
    const v = base().select(1, 2);
    expect(v.shape).toEqual([2, 4]);
    expect(v.strides).toEqual([12, 1]);
    expect(v.offset).toBe(8);
    expect(v.toArray()).toEqual([
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
  });

  it('offsets accumulate through chains of views', () => {
    const v = base().select(0, 1).select(0, 2).slice(0, 1, 3);
    expect(v.offset).toBe(12 + 8 + 1);
    expect(v.toArray()).toEqual([21, 22]);
  });

  it('narrow keeps the stride and moves the offset; an empty slice keeps the offset', () => {
    const v = base().narrow(0, 1, 1);
    expect(v.shape).toEqual([1, 3, 4]);
    expect(v.offset).toBe(12);
    const e = base().slice(1, 2, 1);
    expect(e.shape).toEqual([2, 0, 4]);
    expect(e.offset).toBe(0);
  });

  it('transpose and permute reorder strides; T reverses them', () => {
    const x = base();
    expect(x.transpose(0, 2).strides).toEqual([1, 4, 12]);
    expect(x.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(x.permute(2, 0, 1).strides).toEqual([1, 12, 4]);
    expect(x.permute([1, 2, 0]).shape).toEqual([3, 4, 2]);
    expect(x.T.strides).toEqual([1, 4, 12]);
    expect(x.mT.shape).toEqual([2, 4, 3]);
    expect(at(x.transpose(0, 2), 3, 1, 0)).toBe(7);
    expect(at(x.permute(2, 0, 1), 3, 1, 2)).toBe(at(x, 1, 2, 3));
  });

  it('expand gives stride 0 to broadcast dims', () => {
    const c = tensor([[1], [2]]);
    const e = c.expand(2, 3);
    expect(e.strides).toEqual([1, 0]);
    expect(e.toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    const lead = tensor([1, 2]).expand(3, -1);
    expect(lead.strides).toEqual([0, 1]);
    expect(lead.shape).toEqual([3, 2]);
  });

  it('unsqueeze inserts a stride that keeps the view contiguous', () => {
    const x = base();
    expect(x.unsqueeze(1).strides).toEqual([12, 12, 4, 1]);
    expect(x.unsqueeze(3).strides).toEqual([12, 4, 1, 1]);
    expect(x.unsqueeze(1).isContiguous()).toBe(true);
  });

  it('isContiguous ignores size-1 dims but not gaps', () => {
    const x = base();
    expect(x.narrow(0, 1, 1).isContiguous()).toBe(true);
    expect(x.narrow(1, 0, 1).isContiguous()).toBe(false);
    expect(x.select(2, 0).isContiguous()).toBe(false);
  });

  it('asStrided builds arbitrary windows onto the same storage', () => {
    const a = arange(5);
    const windows = asStrided(a, [3, 3], [1, 1], 0);
    expect(windows.toArray()).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
    ]);
    expect(asStrided(a, [2], [2], 1).toArray()).toEqual([1, 3]);
  });
});

describe('reshape, view, contiguous', () => {
  it('reshape of a non-contiguous tensor copies, with values in row-major order of the view', () => {
    const t = base().transpose(0, 1); // [3, 2, 4]
    const r = t.reshape(6, 4);
    expect(r.storage).not.toBe(t.storage);
    expect(r.isContiguous()).toBe(true);
    expect(r.toArray()).toEqual([
      [0, 1, 2, 3],
      [12, 13, 14, 15],
      [4, 5, 6, 7],
      [16, 17, 18, 19],
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
  });

  it('view of a layout that cannot be viewed throws a ShapeError that points to reshape', () => {
    const t = base().transpose(0, 1);
    expect(() => t.view(6, 4)).toThrow(ShapeError);
    expect(() => t.view(6, 4)).toThrow(
      /^view: a tensor of shape \[3, 2, 4\] with strides \[4, 12, 1\] cannot be viewed as \[6, 4\] without copying; use reshape\(\)/,
    );
    expect(() => zeros([2, 3]).T.view(-1)).toThrow(/view: .* cannot be viewed as \[6\]/);
  });

  it('view works on non-contiguous tensors whose layout allows it', () => {
    const x = base();
    // splitting a dim of a transposed tensor
    const t = x.transpose(0, 1).view(3, 2, 2, 2);
    expect(t.storage).toBe(x.storage);
    expect(t.strides).toEqual([4, 12, 2, 1]);
    expect(t.toArray()).toEqual(x.transpose(0, 1).reshape(3, 2, 2, 2).contiguous().toArray());
    // merging dims that are still contiguous with each other inside a strided slice
    const s = x.slice(2, 0, 4, 2).view(6, 2);
    expect(s.storage).toBe(x.storage);
    expect(s.strides).toEqual([4, 2]);
    expect(s.toArray()).toEqual([
      [0, 2],
      [4, 6],
      [8, 10],
      [12, 14],
      [16, 18],
      [20, 22],
    ]);
    // an offset block
    expect(x.narrow(0, 1, 1).view(12).toArray()).toEqual(Array.from({ length: 12 }, (_, i) => 12 + i));
  });

  it('reshape accepts a list or varargs and infers one -1', () => {
    expect(base().reshape([4, -1]).shape).toEqual([4, 6]);
    expect(base().reshape(-1).shape).toEqual([24]);
    expect(base().reshape(2, -1, 2).shape).toEqual([2, 6, 2]);
    expect(tensor(5).reshape(1, 1).shape).toEqual([1, 1]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
  });

  it('reshape to an incompatible size is a ShapeError naming both shapes', () => {
    expect(() => zeros([2, 3]).reshape(4, 5)).toThrow(ShapeError);
    expect(() => zeros([2, 3]).reshape(4, 5)).toThrow(/^reshape: shape \[4, 5\] is invalid for input of size 6 \(shape \[2, 3\]\)/);
    expect(() => zeros([2, 3]).reshape(-1, 4)).toThrow(/^reshape: shape \[-1, 4\] is invalid for input of size 6/);
    expect(() => zeros([2, 3]).reshape(-1, -1)).toThrow(ValueError);
  });

  it('contiguous() returns the tensor itself when already contiguous, else a row-major copy', () => {
    const x = base();
    expect(x.contiguous()).toBe(x);
    const t = x.permute(2, 0, 1);
    const c = t.contiguous();
    expect(c).not.toBe(t);
    expect(c.isContiguous()).toBe(true);
    expect(c.strides).toEqual([6, 3, 1]);
    expect(c.toArray()).toEqual(t.toArray());
  });
});

describe('squeeze, unsqueeze, flatten, expand', () => {
  it('squeeze removes all size-1 dims, or only the listed ones that have size 1', () => {
    const x = zeros([1, 3, 1, 2]);
    expect(x.squeeze().shape).toEqual([3, 2]);
    expect(x.squeeze(0).shape).toEqual([3, 1, 2]);
    expect(x.squeeze(-2).shape).toEqual([1, 3, 2]);
    expect(x.squeeze([0, 2]).shape).toEqual([3, 2]);
    expect(x.squeeze(1).shape).toEqual([1, 3, 1, 2]); // not size 1: no-op, as PyTorch
    expect(zeros([1, 1]).squeeze().shape).toEqual([]);
  });

  it('unsqueeze accepts dims up to ndim and negative dims counted from ndim + 1', () => {
    const x = zeros([2, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-3).shape).toEqual([1, 2, 3]);
    expect(tensor(1).unsqueeze(0).shape).toEqual([1]);
    expect(() => x.unsqueeze(3)).toThrow(IndexError);
  });

  it('flatten merges an inclusive range of dims', () => {
    const x = base();
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 12]);
    expect(x.flatten(1, 1).shape).toEqual([2, 3, 4]);
    expect(tensor(7).flatten().shape).toEqual([1]);
    expect(x.transpose(0, 2).flatten().toArray()).toEqual(x.transpose(0, 2).contiguous().reshape(-1).toArray());
    expect(() => x.flatten(2, 1)).toThrow(IndexError);
    expect(() => x.flatten(2, 1)).toThrow(/^flatten: startDim 2 comes after endDim 1/);
  });

  it('expand only grows size-1 dims and adds leading dims', () => {
    const x = zeros([2, 1]);
    expect(x.expand(2, 4).shape).toEqual([2, 4]);
    expect(x.expand(3, 2, 4).shape).toEqual([3, 2, 4]);
    expect(x.expand(-1, 0).shape).toEqual([2, 0]); // size 1 can expand to 0
    expect(() => x.expand(3, 1)).toThrow(ShapeError);
    expect(() => x.expand(3, 1)).toThrow(/^expand: the tensor of shape \[2, 1\] cannot be expanded to \[3, 1\] \(size 2 at dim 0 is not 1\)/);
    expect(() => x.expand(4)).toThrow(/^expand: target \[4\] has fewer dims than the tensor's shape \[2, 1\]/);
    expect(() => x.expand(-1, 2, 1)).toThrow(/^expand: -1 is not allowed for a new leading dim/);
  });
});

describe('slice, narrow, select', () => {
  const x = arange(10);

  it('slice follows Python slicing: defaults, negative bounds, clamping, steps', () => {
    expect(x.slice(0).toArray()).toEqual(x.toArray());
    expect(x.slice(0, 2, 5).toArray()).toEqual([2, 3, 4]);
    expect(x.slice(0, -3).toArray()).toEqual([7, 8, 9]);
    expect(x.slice(0, 1, -1, 3).toArray()).toEqual([1, 4, 7]);
    expect(x.slice(0, undefined, undefined, 4).toArray()).toEqual([0, 4, 8]);
    expect(x.slice(0, -100, 100).numel()).toBe(10);
    expect(x.slice(0, 5, 2).shape).toEqual([0]);
    expect(x.slice(0, 20).shape).toEqual([0]);
  });

  it('slice rejects non-positive and fractional steps', () => {
    expect(() => x.slice(0, 0, 5, 0)).toThrow(ValueError);
    expect(() => x.slice(0, 0, 5, -1)).toThrow(/^slice: step must be a positive integer, got -1/);
    expect(() => x.slice(0, 0, 5, 1.5)).toThrow(ValueError);
  });

  it('narrow takes length entries from a (possibly negative) start', () => {
    expect(x.narrow(0, 3, 2).toArray()).toEqual([3, 4]);
    expect(x.narrow(0, -2, 2).toArray()).toEqual([8, 9]);
    expect(x.narrow(0, 10, 0).shape).toEqual([0]);
    expect(() => x.narrow(0, 9, 2)).toThrow(IndexError);
  });

  it('select accepts negative indices and can make 0-d tensors', () => {
    expect(x.select(0, -1).item()).toBe(9);
    expect(x.select(0, 0).shape).toEqual([]);
    expect(base().select(-1, -2).toArray()).toEqual([
      [2, 6, 10],
      [14, 18, 22],
    ]);
  });
});

describe('0-size dims', () => {
  const e = zeros([2, 0, 3]);

  it('views of empty tensors keep their shapes', () => {
    expect(e.transpose(0, 2).shape).toEqual([3, 0, 2]);
    expect(e.permute(1, 2, 0).shape).toEqual([0, 3, 2]);
    expect(e.reshape(0, 6).shape).toEqual([0, 6]);
    expect(e.view(-1).shape).toEqual([0]);
    expect(e.reshape(3, 0, 5).shape).toEqual([3, 0, 5]);
    expect(e.flatten().shape).toEqual([0]);
    expect(e.unsqueeze(1).shape).toEqual([2, 1, 0, 3]);
    expect(e.narrow(1, 0, 0).shape).toEqual([2, 0, 3]);
    expect(e.slice(2, 1).shape).toEqual([2, 0, 2]);
    expect(e.select(0, 1).shape).toEqual([0, 3]);
    expect(e.transpose(0, 1).contiguous().shape).toEqual([0, 2, 3]);
    expect(e.T.toArray()).toEqual([[], [], []]);
  });

  it('selecting inside a 0-size dim is an IndexError', () => {
    expect(() => e.select(1, 0)).toThrow(IndexError);
    expect(() => e.select(1, 0)).toThrow(/^select: index 0 is out of range for dim 1 of size 0 \(shape \[2, 0, 3\]\)/);
  });

  it('elementwise ops, reductions and matmul handle them', () => {
    expect(e.add(tensor([1, 2, 3])).shape).toEqual([2, 0, 3]);
    expect(e.sum({ dim: 1 }).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(e.sum().item()).toBe(0);
    expect(e.prod().item()).toBe(1);
    expect(Number.isNaN(e.mean().item())).toBe(true);
    expect(zeros([3, 0]).matmul(zeros([0, 2])).toArray()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(e.exp().shape).toEqual([2, 0, 3]);
  });
});
