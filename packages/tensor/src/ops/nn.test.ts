/**
 * The image ops' argument handling on the backend in use (the package's test script runs this file
 * on the default backend, native when built, and again with DL_BACKEND=js) and, where it says so,
 * on every backend that loads here: unknown option keys, avgPool2d's divisorOverride, and
 * maxPool2dBackward's check that every index lies in its window.
 */
import {
  IndexError,
  Tensor,
  ValueError,
  arange,
  avgPool2d,
  avgPool2dBackward,
  avgPool2dParams,
  col2im,
  conv2d,
  im2col,
  listBackends,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dParams,
  maxPool2dWithIndices,
  ones,
  tensor,
  withBackend,
  zeros,
} from '../index';

/** The backends that load on this machine (js always; native when its addon is built). */
function loadableBackends(): string[] {
  return listBackends().filter((name) => {
    try {
      withBackend(name, () => undefined);
      return true;
    } catch {
      return false;
    }
  });
}

describe('image ops reject unknown option keys, naming the op and the key meant', () => {
  const x = zeros([1, 1, 4, 4]);
  it.each([
    ['conv2d', () => conv2d(x, ones([1, 1, 3, 3]), null, { paddding: 1 } as never), /^conv2d: unknown option 'paddding' \(did you mean 'padding'\?\); the options are stride, padding, dilation, groups$/],
    ['conv2d (snake_case)', () => conv2d(x, ones([1, 1, 3, 3]), null, { padding_mode: 'zeros' } as never), /^conv2d: unknown option 'padding_mode'; the options are/],
    ['maxPool2d', () => maxPool2d(x, 2, { ceil_mode: true } as never), /^maxPool2d: unknown option 'ceil_mode' \(did you mean 'ceilMode'\?\)/],
    ['maxPool2d (an avgPool2d option)', () => maxPool2d(x, 2, { countIncludePad: false } as never), /^maxPool2d: unknown option 'countIncludePad'; the options are stride, padding, dilation, ceilMode$/],
    ['maxPool2dWithIndices', () => maxPool2dWithIndices(x, 2, { strid: 1 } as never), /^maxPool2d: unknown option 'strid' \(did you mean 'stride'\?\)/],
    ['avgPool2d', () => avgPool2d(x, 2, { divisor_override: 2 } as never), /^avgPool2d: unknown option 'divisor_override' \(did you mean 'divisorOverride'\?\)/],
    ['avgPool2d (a maxPool2d option)', () => avgPool2d(x, 2, { dilation: 2 } as never), /^avgPool2d: unknown option 'dilation'; the options are stride, padding, ceilMode, countIncludePad, divisorOverride$/],
    ['im2col', () => im2col(x, 2, { dilaton: 1 } as never), /^im2col: unknown option 'dilaton' \(did you mean 'dilation'\?\)/],
    ['col2im', () => col2im(zeros([1, 4, 9]), 4, 2, { stride: 1, Padding: 0 } as never), /^col2im: unknown option 'Padding' \(did you mean 'padding'\?\)/],
    ['maxPool2dParams with a caller name', () => maxPool2dParams(2, { bad: 1 } as never, 'MaxPool2d'), /^MaxPool2d: unknown option 'bad'/],
    ['options that are not an object', () => avgPool2d(x, 2, 3 as never), /^avgPool2d: options must be an object such as \{ stride: \.\.\. \}, got 3/],
  ])('%s', (_name, f, message) => {
    expect(f).toThrow(ValueError);
    expect(f).toThrow(message);
  });
});

describe('avgPool2d divisorOverride (PyTorch 1.13 divisor_override)', () => {
  // x = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]
  const x = arange(16).reshape(1, 1, 4, 4).double();

  it('divides each window sum by the override instead of the window size', () => {
    expect(avgPool2d(x, 2, { divisorOverride: 3 }).toArray()).toEqual([[[[10 / 3, 18 / 3], [42 / 3, 50 / 3]]]]);
    // with padding: the padding adds nothing to the sums and the divisor stays the override
    // (countIncludePad no longer matters)
    for (const countIncludePad of [true, false]) {
      const y = avgPool2d(x, 2, { padding: 1, divisorOverride: 2, countIncludePad }).toArray() as number[][][][];
      expect(y[0][0][0]).toEqual([0 / 2, (1 + 2) / 2, 3 / 2]);
    }
    // negative overrides are allowed, as in PyTorch
    expect(avgPool2d(x, 4, { divisorOverride: -2 }).item()).toBe(-60);
  });

  it('the gradient spreads gy / divisorOverride over each window', () => {
    const p = avgPool2dParams(2, { stride: 1, divisorOverride: 4 });
    const gx = avgPool2dBackward(ones([1, 1, 3, 3]).double(), [1, 1, 4, 4], p);
    // each input position gets 1/4 per window covering it
    expect(gx.toArray()).toEqual([[[[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]].map((r) => r.map((v) => v / 4))]]);
  });

  it('is the same on every backend, forward and backward, float32 and float64', () => {
    const xs = tensor(Array.from({ length: 2 * 3 * 7 * 6 }, (_, i) => Math.sin(i) * 10)).reshape(2, 3, 7, 6);
    const opts = { stride: [2, 1] as [number, number], padding: 1, ceilMode: true, divisorOverride: 5 };
    for (const dtype of ['float32', 'float64'] as const) {
      const results = loadableBackends().map((b) =>
        withBackend(b, () => {
          const y = avgPool2d(xs.to(dtype), 3, opts);
          const gx = avgPool2dBackward(y, xs.shape, avgPool2dParams(3, opts));
          return [Array.from(y.toTypedArray()), Array.from(gx.toTypedArray())];
        }),
      );
      for (const r of results) expect(r).toEqual(results[0]);
    }
  });

  it.each([
    [0, /^avgPool2d: divisorOverride must be a nonzero integer \(as PyTorch's divisor_override\), got 0; leave it out/],
    [1.5, /got 1.5/],
    ['2', /got "2"/],
  ])('rejects divisorOverride %p', (d, message) => {
    expect(() => avgPool2d(x, 2, { divisorOverride: d as number })).toThrow(ValueError);
    expect(() => avgPool2d(x, 2, { divisorOverride: d as number })).toThrow(message);
  });
});

describe('maxPool2dBackward checks that every index lies in its window, on every backend', () => {
  // 2 planes of 4x5, 3x3 windows, stride 1, padding 1: window (i, j) covers rows i-1..i+1 and
  // columns j-1..j+1 of the image
  const xShape = [1, 2, 4, 5];
  const p = maxPool2dParams(3, { stride: 1, padding: 1 });
  const x = tensor(Array.from({ length: 40 }, (_, i) => Math.cos(i * 1.7))).reshape(...xShape);
  const gy = ones([1, 2, 4, 5]);

  const withIndex = (indices: Tensor, at: number[], value: number): Tensor => {
    const data = Int32Array.from(indices.toTypedArray() as Int32Array);
    data[((at[0] * 2 + at[1]) * 4 + at[2]) * 5 + at[3]] = value;
    return new Tensor(data, indices.shape);
  };

  const backends = loadableBackends();
  it('runs on js and, when built, native', () => {
    expect(backends).toContain('js');
  });

  describe.each(backends.map((b) => [b]))('%s', (backend) => {
    const run = <T>(f: () => T): T => withBackend(backend, f);

    it("accepts the forward pass's indices and routes gy to them", () => {
      run(() => {
        const { indices } = maxPool2dWithIndices(x, 3, { stride: 1, padding: 1 });
        const gx = maxPool2dBackward(gy, indices, xShape, p);
        const counts = new Float64Array(40);
        for (const [k, at] of Array.from(indices.toTypedArray()).entries()) counts[Math.floor(k / 20) * 20 + Number(at)] += 1;
        expect(Array.from(gx.toTypedArray())).toEqual(Array.from(counts));
      });
    });

    it.each([
      // [gy position, bad index, what the message says]
      [[0, 0, 0, 0], 2, /^maxPool2dBackward: index 2 \(row 0, column 2\) at gy position \[0, 0, 0, 0\] is outside its window \(kernel \[3, 3\], stride \[1, 1\], padding \[1, 1\], dilation \[1, 1\]\), which covers rows \[0, 1\] and columns \[0, 1\], i\.e\. indices h \* 5 \+ w, for an input of shape \[1, 2, 4, 5\]; pass the indices that maxPool2dWithIndices returned/],
      [[0, 1, 3, 4], 0, /index 0 \(row 0, column 0\) at gy position \[0, 1, 3, 4\] is outside its window .* rows \[2, 3\] and columns \[3, 4\]/],
      [[0, 0, 1, 1], 20, /index 20 \(past the 4x5 plane\) at gy position \[0, 0, 1, 1\]/],
      [[0, 1, 2, 2], -1, /index -1 at gy position \[0, 1, 2, 2\] is outside its window/],
      [[0, 0, 2, 2], -5, /index -5 at gy position \[0, 0, 2, 2\]/],
    ])('rejects at %p the index %p with an IndexError', (at, bad, message) => {
      run(() => {
        const { indices } = maxPool2dWithIndices(x, 3, { stride: 1, padding: 1 });
        const f = () => maxPool2dBackward(gy, withIndex(indices, at, bad), xShape, p);
        expect(f).toThrow(IndexError);
        expect(f).toThrow(message);
      });
    });

    it('rejects indices made for another kernel or stride, and on the 2x2 stride-2 fast path', () => {
      run(() => {
        // indices of 2x2 windows with stride 2 (in their windows) given as those of 2x2 windows with stride 1
        const x6 = tensor(Array.from({ length: 36 }, (_, i) => (i * 7) % 11)).reshape(1, 1, 6, 6).float();
        const { indices } = maxPool2dWithIndices(x6, 2);
        const p1 = maxPool2dParams(2, { stride: 2 });
        expect(() => maxPool2dBackward(ones([1, 1, 3, 3]), indices, [1, 1, 6, 6], p1)).not.toThrow();
        const shifted = new Tensor(Int32Array.from(indices.toTypedArray() as Int32Array, (v) => v + 2), [1, 1, 3, 3]);
        expect(() => maxPool2dBackward(ones([1, 1, 3, 3]), shifted, [1, 1, 6, 6], p1)).toThrow(/^maxPool2dBackward: index \d+ \(row \d, column \d\) at gy position \[0, 0, 0, [0-2]\] is outside its window/);
        // dilation 2: the taps of window (0, 0) are rows and columns 0 and 2, not 1
        const pd = maxPool2dParams(2, { stride: 1, dilation: 2 });
        const ones4 = ones([1, 1, 4, 4]);
        const first = Array.from({ length: 16 }, (_, k) => Math.floor(k / 4) * 6 + (k % 4)); // each window's first tap
        expect(() => maxPool2dBackward(ones4, new Tensor(Int32Array.from(first), [1, 1, 4, 4]), [1, 1, 6, 6], pd)).not.toThrow();
        const bad = new Tensor(Int32Array.from(first, (v, k) => (k === 0 ? 1 : v)), [1, 1, 4, 4]);
        expect(() => maxPool2dBackward(ones4, bad, [1, 1, 6, 6], pd)).toThrow(/index 1 \(row 0, column 1\) at gy position \[0, 0, 0, 0\] .* rows \[0, 2\] and columns \[0, 2\]/);
      });
    });
  });
});
