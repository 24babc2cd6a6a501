/**
 * The image kernels against golden values from PyTorch 1.13 (float64), produced by
 * `fixtures/make_image_fixtures.py` into `fixtures/image_kernels.json`.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Conv2dParams, Pool2dParams, UnfoldParams, View } from '../../backend';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool';
import { col2im, im2col } from './unfold';

/** A tensor in the JSON: row-major data; non-finite values are the strings "nan", "inf", "-inf". */
interface FixtureTensor {
  shape: number[];
  data: (number | string)[];
}

interface ConvCase {
  name: string;
  params: Conv2dParams;
  x: FixtureTensor;
  w: FixtureTensor;
  bias: FixtureTensor | null;
  y: FixtureTensor;
  gy: FixtureTensor;
  gx: FixtureTensor;
  gw: FixtureTensor;
}

interface MaxPoolCase {
  name: string;
  params: Pool2dParams;
  x: FixtureTensor;
  y: FixtureTensor;
  indices: FixtureTensor;
  gy: FixtureTensor;
  gx: FixtureTensor;
}

interface AvgPoolCase {
  name: string;
  params: Pool2dParams;
  x: FixtureTensor;
  y: FixtureTensor;
  gy: FixtureTensor;
  gx: FixtureTensor;
}

interface UnfoldCase {
  name: string;
  params: UnfoldParams;
  x: FixtureTensor;
  cols: FixtureTensor;
  foldIn: FixtureTensor;
  foldOut: FixtureTensor;
}

interface Fixtures {
  conv2d: ConvCase[];
  max_pool2d: MaxPoolCase[];
  avg_pool2d: AvgPoolCase[];
  unfold: UnfoldCase[];
}

const fixtures = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/image_kernels.json'), 'utf8')) as Fixtures;

function decode(data: (number | string)[]): number[] {
  return data.map((v) => {
    if (typeof v === 'number') return v;
    if (v === 'nan') return NaN;
    if (v === 'inf') return Infinity;
    if (v === '-inf') return -Infinity;
    throw new Error(`image_kernels.json: unexpected value ${JSON.stringify(v)}`);
  });
}

function view(t: FixtureTensor): View {
  const shape = t.shape;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { dtype: 'float64', storage: Float64Array.from(decode(t.data)), shape, strides, offset: 0 };
}

/** Equal to 1e-10 relative (absolute 1e-12 near 0); NaN matches NaN, infinities match exactly. */
function expectMatches(actual: ArrayLike<number>, expected: FixtureTensor, what: string): void {
  const want = decode(expected.data);
  expect(actual.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = actual[i];
    const b = want[i];
    const ok = Number.isFinite(b) ? Math.abs(a - b) <= 1e-10 * Math.abs(b) + 1e-12 : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
    if (!ok) throw new Error(`${what}: element ${i} is ${a}, PyTorch gives ${b}`);
  }
}

describe('image kernels match PyTorch 1.13 (fixtures/image_kernels.json)', () => {
  it('has cases of every kind', () => {
    expect(fixtures.conv2d.length).toBeGreaterThan(0);
    expect(fixtures.max_pool2d.length).toBeGreaterThan(0);
    expect(fixtures.avg_pool2d.length).toBeGreaterThan(0);
    expect(fixtures.unfold.length).toBeGreaterThan(0);
  });

  describe('conv2d', () => {
    it.each(fixtures.conv2d.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const x = view(c.x);
      const w = view(c.w);
      const gy = view(c.gy);
      expectMatches(conv2d(x, w, c.bias === null ? null : view(c.bias), c.params), c.y, 'y');
      expectMatches(conv2dBackwardInput(gy, w, c.x.shape, c.params), c.gx, 'dL/dx');
      expectMatches(conv2dBackwardWeight(gy, x, c.w.shape, c.params), c.gw, 'dL/dw');
    });
  });

  describe('max_pool2d', () => {
    it.each(fixtures.max_pool2d.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const { values, indices } = maxPool2d(view(c.x), c.params);
      expectMatches(values, c.y, 'values');
      expect(Array.from(indices)).toEqual(c.indices.data);
      const idx: View = { ...view(c.indices), dtype: 'int32', storage: indices };
      expectMatches(maxPool2dBackward(view(c.gy), idx, c.x.shape, c.params), c.gx, 'dL/dx');
    });
  });

  describe('avg_pool2d', () => {
    it.each(fixtures.avg_pool2d.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expectMatches(avgPool2d(view(c.x), c.params), c.y, 'y');
      expectMatches(avgPool2dBackward(view(c.gy), c.x.shape, c.params), c.gx, 'dL/dx');
    });
  });

  describe('unfold / fold', () => {
    it.each(fixtures.unfold.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expectMatches(im2col(view(c.x), c.params), c.cols, 'unfold');
      expectMatches(col2im(view(c.foldIn), c.x.shape, c.params), c.foldOut, 'fold');
    });
  });
});
