/**
 * Storages too large to allocate: every path that makes one (the factories, copies of expanded
 * views, broadcasting, matmul, cat, the backends' own buffers) goes through `allocStorage` /
 * `allocateChecked` (dtype.ts), which refuses with an AllocationError naming the op, the shape,
 * the bytes asked for and what to do, instead of V8's bare "Invalid typed array length".
 *
 * Nothing here allocates anything large: the sizes are refused before allocating (more than
 * MAX_STORAGE_LENGTH elements), and a failed allocation is simulated.
 */
import { allocateChecked } from './dtype';
import { allocOutput } from './backends/native/addon';
import { jsBackend } from './backends/js';
import {
  AllocationError,
  DLError,
  MAX_STORAGE_LENGTH,
  allocStorage,
  arange,
  cat,
  checkAllocation,
  eye,
  full,
  linspace,
  matmul,
  ones,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  where,
  zeros,
} from './index';

const BIG = 1e6; // [BIG, BIG] is 1e12 elements, far above any typed array's limit
const FIX = /Use a smaller shape \(a smaller batch, fewer features, or the data in chunks\)/;

/** Expects an AllocationError whose message starts with `prefix` and gives the bytes and the fix. */
function expectAllocationError(f: () => unknown, prefix: RegExp, bytes: RegExp): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AllocationError);
  expect(err).toBeInstanceOf(DLError);
  const msg = (err as Error).message;
  expect(msg).toMatch(prefix);
  expect(msg).toMatch(bytes);
  expect(msg).toMatch(FIX);
  expect(msg).not.toMatch(/^Invalid typed array length/);
}

describe('factories name the op, the shape and the bytes', () => {
  const SHAPE = /\[1000000, 1000000\] \(1,000,000,000,000 elements\)/;
  const CASES: [string, () => unknown, RegExp, RegExp][] = [
    ['zeros', () => zeros([BIG, BIG]), /^zeros: cannot allocate a float32 tensor of shape /, /4,000,000,000,000 bytes \(3\.64 TiB\)/],
    ['ones (float64)', () => ones([BIG, BIG], { dtype: 'float64' }), /^ones: cannot allocate a float64 tensor of shape /, /8,000,000,000,000 bytes \(7\.28 TiB\)/],
    ['full (bool)', () => full([BIG, BIG], true), /^full: cannot allocate a bool tensor of shape /, /1,000,000,000,000 bytes \(931\.32 GiB\)/],
    ['rand', () => rand([BIG, BIG]), /^rand: cannot allocate a float32 tensor of shape /, /4,000,000,000,000 bytes/],
    ['randn (float64)', () => randn([BIG, BIG], { dtype: 'float64' }), /^randn: cannot allocate a float64 tensor of shape /, /8,000,000,000,000 bytes/],
    ['randint', () => randint(0, 10, [BIG, BIG]), /^randint: cannot allocate an int32 tensor of shape /, /4,000,000,000,000 bytes/],
    ['eye', () => eye(BIG), /^eye: cannot allocate a float32 tensor of shape /, /4,000,000,000,000 bytes/],
  ];
  it.each(CASES)('%s', (_, f, prefix, bytes) => {
    expectAllocationError(f, prefix, bytes);
    expectAllocationError(f, SHAPE, /./);
  });

  it('1-D factories: arange, linspace, randperm (before building any JS array)', () => {
    expectAllocationError(() => arange(1e12), /^arange: cannot allocate 1,000,000,000,000 int32 elements: 4,000,000,000,000 bytes/, /TiB/);
    expectAllocationError(() => arange(0, 1e12, 0.5), /^arange: cannot allocate 2,000,000,000,000 float32 elements/, /8,000,000,000,000 bytes/);
    expectAllocationError(() => linspace(0, 1, 1e11), /^linspace: cannot allocate 100,000,000,000 float32 elements/, /372\.53 GiB/);
    expectAllocationError(() => randperm(1e11), /^randperm: cannot allocate 100,000,000,000 int32 elements/, /400,000,000,000 bytes/);
  });

  it('float64 gets the smaller-dtype hint, the others do not', () => {
    expect(() => zeros([BIG, BIG], { dtype: 'float64' })).toThrow(/or float32 instead of float64\.$/);
    expect(() => zeros([BIG, BIG])).not.toThrow(/float32 instead of float64/);
  });

  it('an element count beyond 2^53 is named as such', () => {
    expectAllocationError(() => zeros([1e10, 1e10]), /^zeros: cannot allocate a float32 tensor of shape \[10000000000, 10000000000\] \(1\.000e\+20 elements\)/, /the number of elements is not a safe integer/);
  });

  it('sizes just inside the limit are not refused by the check (only by memory)', () => {
    expect(() => checkAllocation('zeros', [MAX_STORAGE_LENGTH], 'float32')).not.toThrow();
    expect(() => checkAllocation('zeros', [MAX_STORAGE_LENGTH + 1], 'float32')).toThrow(AllocationError);
    expect(() => checkAllocation('zeros', [2, MAX_STORAGE_LENGTH / 2 + 1], 'float32')).toThrow(/^zeros: cannot allocate a float32 tensor of shape \[2, /);
  });

  it('small tensors are unchanged: zeroed, filled, -0 kept', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(full([3], 2.5).toArray()).toEqual([2.5, 2.5, 2.5]);
    expect(Object.is(full([1], -0, { dtype: 'float64' }).item(), -0)).toBe(true);
    expect(zeros([0, 5]).numel()).toBe(0);
  });

  it('tensor(typedArray) copies through allocStorage (never shares, even for a Buffer)', () => {
    const src = Buffer.from([1, 0, 1]);
    const t = tensor(src);
    src[1] = 1;
    expect(t.toArray()).toEqual([true, false, true]);
    expect(t.storage.buffer).not.toBe(src.buffer);
  });
});

describe('ops whose output can dwarf their inputs name themselves', () => {
  const huge = () => zeros([1]).expand(1e5, 1e5); // a 1e10-element view of one element
  const CASES: [string, () => unknown, RegExp][] = [
    ['broadcasting add', () => zeros([1e5, 1]).add(zeros([1, 1e5])), /^add: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['broadcasting comparison (bool)', () => zeros([1e5, 1]).lt(zeros([1, 1e5])), /^lt: cannot allocate a bool tensor of shape \[100000, 100000\]/],
    ['where', () => where(zeros([1e5, 1]).bool(), zeros([1, 1e5]), 0), /^where: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['matmul', () => matmul(huge().narrow(1, 0, 1), huge().narrow(0, 0, 1)), /^matmul: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['contiguous of an expanded view', () => huge().contiguous(), /^contiguous: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['reshape that must copy', () => zeros([1e5, 1]).expand(1e5, 1e5).reshape(-1), /^reshape: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['clone', () => huge().clone(), /^clone: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['toArray', () => huge().toArray(), /^toTypedArray: cannot allocate a float32 tensor of shape \[100000, 100000\]/],
    ['cat', () => cat([huge(), huge()]), /^cat: cannot allocate a float32 tensor of shape \[200000, 100000\]/],
  ];
  it.each(CASES)('%s', (_, f, prefix) => expectAllocationError(f, prefix, /40,000,000,000 bytes|80,000,000,000 bytes|10,000,000,000 bytes/));
});

describe('the single allocation point', () => {
  it('allocStorage refuses with the op and shape it is given, or the element count', () => {
    expectAllocationError(() => allocStorage('float32', 1e12, 'myOp', [BIG, BIG]), /^myOp: cannot allocate a float32 tensor of shape \[1000000, 1000000\]/, /3\.64 TiB/);
    expectAllocationError(() => allocStorage('int32', 2 ** 40), /^allocate: cannot allocate 1,099,511,627,776 int32 elements/, /4\.00 TiB/);
    expectAllocationError(() => allocStorage('float32', -1), /^allocate: cannot allocate -1 float32 elements/, /not a safe integer/);
    expectAllocationError(() => allocStorage('float32', 2.5), /^allocate: /, /not a safe integer/);
  });

  it('a failed allocation (RangeError: out of memory) becomes an AllocationError saying so', () => {
    const oom = () => {
      throw new RangeError('Array buffer allocation failed');
    };
    expectAllocationError(() => allocateChecked('float64', 1e9, oom, 'randn', [1000, 1000, 1000]), /^randn: cannot allocate a float64 tensor of shape \[1000, 1000, 1000\]/, /the allocation failed \(Array buffer allocation failed\): not enough memory/);
    const tooLong = () => {
      throw new RangeError('Invalid typed array length: 8589934592');
    };
    expectAllocationError(() => allocateChecked('float32', 2 ** 31, tooLong, 'ones', [2 ** 31]), /^ones: cannot allocate 2,147,483,648 float32 elements/, /more elements than a typed array holds here \(Invalid typed array length: 8589934592\)/);
    const other = () => {
      throw new TypeError('not an allocation problem');
    };
    expect(() => allocateChecked('float32', 4, other)).toThrow(TypeError);
  });

  it("the backends' own buffers go through it: the native backend's uninitialised outputs and the js kernels' scratch", () => {
    expect(() => allocOutput('float32', 2 ** 40)).toThrow(AllocationError);
    expect(allocOutput('float64', 5000).length).toBe(5000);
    // the js kernels walk views through an offsets/values buffer of the view's size
    const view = zeros([1]).expand(1e5, 1e5);
    expect(() => jsBackend.cast(view, 'float32')).toThrow(AllocationError);
    expect(() => jsBackend.unary('exp', view, 'float32')).toThrow(AllocationError);
  });
});
