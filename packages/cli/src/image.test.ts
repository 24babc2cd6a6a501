import { borderMean, padToSquare, prepareImage, resizeArea, type DecodedImage } from './image';

function gray(w: number, h: number, f: (x: number, y: number) => number): DecodedImage {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { width: w, height: h, channels: 1, data };
}

test('resizeArea: shrinking by 2 averages 2x2 blocks; same size copies', () => {
  const p = Float32Array.from([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]); // 4x4
  expect([...resizeArea(p, 4, 4, 2, 2)]).toEqual([5, 9, 21, 25]);
  expect([...resizeArea(p, 4, 4, 4, 4)]).toEqual([...p]);
  // growing: every output pixel takes the input pixel it lies in
  expect([...resizeArea(Float32Array.from([1, 2, 3, 4]), 2, 2, 4, 4)]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
});

test('resizeArea keeps the mean for non-integer ratios', () => {
  const p = Float32Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 11);
  const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  expect(mean(resizeArea(p, 7, 5, 3, 2))).toBeCloseTo(mean(p), 4);
});

test('padToSquare centres and fills', () => {
  const { plane, size } = padToSquare(Float32Array.from([1, 2]), 2, 1, 9);
  expect(size).toBe(2);
  expect([...plane]).toEqual([1, 2, 9, 9]);
  expect(borderMean(Float32Array.from([1, 1, 1, 1, 5, 1, 1, 1, 1]), 3, 3)).toBe(1);
});

test('a 28x28 light-on-dark image passes through unchanged (values / 255)', () => {
  const img = gray(28, 28, (x, y) => (x * 7 + y * 3) % 256);
  const { tensor, inverted } = prepareImage(img, { shape: [1, 28, 28], invert: 'auto', lightOnDark: true });
  expect(inverted).toBe(false);
  expect(tensor.shape).toEqual([1, 1, 28, 28]);
  const v = tensor.toTypedArray();
  expect(v[5 * 28 + 3]).toBeCloseTo(((3 * 7 + 5 * 3) % 256) / 255, 6);
});

test('dark ink on white paper is inverted in auto mode (for light-on-dark models only)', () => {
  const img = gray(56, 56, (x, y) => (Math.abs(x - 28) < 3 && y > 10 && y < 46 ? 0 : 255)); // a black "1"
  const auto = prepareImage(img, { shape: [1, 28, 28], invert: 'auto', lightOnDark: true });
  expect(auto.inverted).toBe(true);
  const v = auto.tensor.toTypedArray();
  expect(v[0]).toBe(0); // the white corner becomes black
  expect(v[14 * 28 + 14]).toBe(1); // the stroke becomes white
  expect(prepareImage(img, { shape: [1, 28, 28], invert: 'auto', lightOnDark: false }).inverted).toBe(false);
  expect(prepareImage(img, { shape: [1, 28, 28], invert: 'no', lightOnDark: true }).inverted).toBe(false);
  expect(prepareImage(gray(28, 28, () => 0), { shape: [1, 28, 28], invert: 'yes', lightOnDark: true }).inverted).toBe(true);
});

test('transparent pixels count as white paper; RGB becomes gray by luma; non-square keeps its aspect', () => {
  // 40x20 RGBA: fully transparent except a pure green opaque block in the middle
  const w = 40;
  const h = 20;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const inside = x >= 16 && x < 24 && y >= 6 && y < 14;
      data.set(inside ? [0, 255, 0, 255] : [0, 0, 0, 0], i);
    }
  }
  const { tensor, inverted } = prepareImage({ width: w, height: h, channels: 4, data }, { shape: [1, 20, 20], invert: 'no', lightOnDark: true });
  expect(inverted).toBe(false);
  const v = tensor.toTypedArray();
  expect(v[0]).toBeCloseTo(1, 5); // padding (border colour: white)
  expect(v[10 * 20 + 10]).toBeCloseTo((0.587 * 255) / 255, 3); // the green block, by luma
  expect(v[10 * 20 + 2]).toBeCloseTo(1, 5); // left of the block: white, the block did not stretch
});

test('3-channel models get RGB planes', () => {
  const data = new Uint8Array(4 * 4 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0)); // pure red
  const { tensor } = prepareImage({ width: 4, height: 4, channels: 3, data }, { shape: [3, 2, 2], invert: 'auto', lightOnDark: false });
  expect(tensor.shape).toEqual([1, 3, 2, 2]);
  expect([...tensor.toTypedArray()]).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('bad images are clear errors', () => {
  expect(() => prepareImage({ width: 2, height: 2, channels: 5, data: new Uint8Array(20) }, { shape: [1, 28, 28], invert: 'no', lightOnDark: true })).toThrow(
    /5 channels per pixel are not supported/,
  );
  expect(() => prepareImage({ width: 4, height: 4, channels: 1, data: new Uint8Array(3) }, { shape: [1, 28, 28], invert: 'no', lightOnDark: true })).toThrow(
    /4x4 with 1 channels needs 16 bytes, got 3/,
  );
});
