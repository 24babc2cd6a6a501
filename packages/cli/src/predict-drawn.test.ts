/**
 * `dl predict` on pictures as people make them: large, off-centre, dark ink on white paper, PNG
 * or JPEG. A model trained here on the embedded MNIST digits must classify
 *
 * - real test digits that it gets right at 28x28, after they are enlarged 5x (smoothly), inverted
 *   to black on white and put off-centre on a larger page;
 * - a "1", a "7" and a "0" drawn with thick anti-aliased strokes on 200x200 pages, off-centre;
 *
 * which needs the MNIST framing of image.ts (crop to the ink, 20-pixel box, centre of mass): with
 * only padding and resizing the digits come out small and off-centre and the answers are wrong.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import * as jpeg from 'jpeg-js';
import { noGrad } from '@dl/autograd';
import { MNIST } from '@dl/data';
import { Tensor } from '@dl/tensor';
import { loadCheckpoint } from './checkpoint';
import type { Prediction } from './commands/predict';
import { datasetFit, prepareImage } from './image';
import { buildModel } from './models';
import { tempDir } from './testing/files';
import { writePng } from './testing/png';
import { runCli } from './testing/run';

const TRAIN_TIMEOUT = 300_000;
const PREDICT_TIMEOUT = 120_000;

let dir: string;
let checkpoint: string;
const testSplit = new MNIST({ train: false });

beforeAll(async () => {
  dir = tempDir();
  checkpoint = join(dir, 'checkpoint.safetensors');
  const r = await runCli(['train', '--train-size', '4000', '--epochs', '4', '--no-report', '--out', dir]);
  if (r.code !== 0) throw new Error(r.stderr);
}, TRAIN_TIMEOUT);

/** Gray values in [0, 1] (ink = 1) of a w x h page, drawn as a PNG in black ink on white at (ox, oy). */
function inkOnPaper(path: string, w: number, h: number, ink: (x: number, y: number) => number): string {
  return writePng(path, w, h, (x, y) => {
    const g = Math.round(255 * (1 - Math.min(1, Math.max(0, ink(x, y)))));
    return [g, g, g, 255];
  });
}

/** Bilinear sample of a 28x28 digit (values 0..1) at a real position (pixel centres at i + 0.5). */
function sample(p: Float32Array, fx: number, fy: number): number {
  const x = fx - 0.5;
  const y = fy - 0.5;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const at = (i: number, j: number): number => (i < 0 || j < 0 || i > 27 || j > 27 ? 0 : p[j * 28 + i]);
  const tx = x - x0;
  const ty = y - y0;
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) + (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

/** Distance from (x, y) to the segment a-b. */
function segmentDistance(x: number, y: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

/** Ink of a stroke of width `width` along a polyline, anti-aliased over one pixel. */
function stroke(points: [number, number][], width: number): (x: number, y: number) => number {
  return (x, y) => {
    let d = Infinity;
    for (let k = 0; k + 1 < points.length; k++) d = Math.min(d, segmentDistance(x + 0.5, y + 0.5, points[k], points[k + 1]));
    return width / 2 + 0.5 - d;
  };
}

/** An ellipse outline as a closed polyline. */
function ellipse(cx: number, cy: number, rx: number, ry: number): [number, number][] {
  return Array.from({ length: 49 }, (_, k) => [cx + rx * Math.cos((k / 48) * 2 * Math.PI), cy + ry * Math.sin((k / 48) * 2 * Math.PI)] as [number, number]);
}

async function predict(files: string[], ...extra: string[]): Promise<Prediction[]> {
  const r = await runCli(['predict', '--checkpoint', checkpoint, '--json', ...extra, ...files]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Prediction[];
}

test(
  'real test digits, enlarged 5x, black on white, off-centre on a 260x220 page: the class the model gives the original',
  async () => {
    const ck = loadCheckpoint(checkpoint);
    const model = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
    model.loadStateDict(ck.modelState);
    model.eval();
    // the first 12 test digits the model classifies right, with a probability of at least 0.9, as they are
    const chosen: { pixels: Float32Array; label: number }[] = [];
    for (let i = 0; chosen.length < 12; i++) {
      const pixels = Float32Array.from(testSplit.rawImage(i), (b) => b / 255);
      const p = noGrad(() => model.call(new Tensor(pixels, [1, 1, 28, 28])).data.softmax(1).toTypedArray());
      if (p[testSplit.targets[i]] >= 0.9) chosen.push({ pixels, label: testSplit.targets[i] });
    }
    const files = chosen.map(({ pixels }, k) => {
      const ox = 20 + 9 * k; // every digit elsewhere on the page, none centred
      const oy = 70 - 5 * k;
      return inkOnPaper(join(dir, `big${k}.png`), 260, 220, (x, y) => sample(pixels, (x + 0.5 - ox) / 5, (y + 0.5 - oy) / 5));
    });
    const out = await predict(files);
    expect(out.map((o) => o.inverted)).toEqual(files.map(() => true));
    expect(out.map((o) => o.top[0].index)).toEqual(chosen.map((c) => c.label));
    // only padded and resized, the digits are small and off-centre: most answers are wrong
    const plain = await predict(files, '--preprocess', 'resize');
    expect(plain.filter((o, k) => o.top[0].index === chosen[k].label).length).toBeLessThan(6);
  },
  PREDICT_TIMEOUT,
);

test(
  'a "1", a "7" and a "0" drawn with a thick pen, off-centre on 200x200 pages, PNG and JPEG',
  async () => {
    const drawings: [number, (x: number, y: number) => number][] = [
      [1, stroke([[140, 30], [146, 150]], 14)],
      [7, stroke([[20, 110], [95, 110], [55, 190]], 13)],
      [0, stroke(ellipse(60, 70, 32, 50), 12)],
    ];
    const pngs = drawings.map(([label, ink]) => inkOnPaper(join(dir, `drawn${label}.png`), 200, 200, ink));
    const jpgs = drawings.map(([label, ink]) => {
      const data = Buffer.alloc(200 * 200 * 4);
      for (let y = 0; y < 200; y++) {
        for (let x = 0; x < 200; x++) {
          const g = Math.round(255 * (1 - Math.min(1, Math.max(0, ink(x, y)))));
          data.set([g, g, g, 255], (y * 200 + x) * 4);
        }
      }
      const path = join(dir, `drawn${label}.jpg`);
      writeFileSync(path, jpeg.encode({ data, width: 200, height: 200 }, 85).data);
      return path;
    });
    const out = await predict([...pngs, ...jpgs]);
    const labels = drawings.map(([label]) => label);
    expect(out.map((o) => o.top[0].index)).toEqual([...labels, ...labels]);
    expect(out.every((o) => o.inverted)).toBe(true);
  },
  PREDICT_TIMEOUT,
);

test('the MNIST framing leaves MNIST digits as they are (all 2,000 embedded test digits)', () => {
  let worst = 0;
  for (let i = 0; i < testSplit.length; i++) {
    const raw = testSplit.rawImage(i);
    const { tensor, inverted } = prepareImage({ width: 28, height: 28, channels: 1, data: raw }, { shape: [1, 28, 28], invert: 'auto', lightOnDark: true, fit: datasetFit('mnist') });
    expect(inverted).toBe(false);
    const v = tensor.toTypedArray();
    for (let k = 0; k < 784; k++) worst = Math.max(worst, Math.abs(v[k] - raw[k] / 255));
  }
  expect(worst).toBeLessThan(1e-6);
});
