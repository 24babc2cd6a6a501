import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PNG } from 'pngjs';
import { tensor, zeros } from '@dl/tensor';
import { CORRECT_COLOR, WRONG_COLOR, predictionGridPNG, savePredictionGridPNG } from '../index';

function pixel(png: PNG, x: number, y: number): number[] {
  const k = (y * png.width + x) * 4;
  return [...png.data.slice(k, k + 4)];
}
const GREEN = [...CORRECT_COLOR, 255];
const RED = [...WRONG_COLOR, 255];
const WHITE = [255, 255, 255, 255];
const BLACK = [0, 0, 0, 255];

// Three 2x3 gray images; image 1 is image 0 times 10 (same picture under the 'auto' range).
const img0 = [
  [0, 0.5, 1],
  [1, 0.5, 0],
];
const images = [img0, img0.map((r) => r.map((v) => v * 10)), img0];

describe('predictionGridPNG', () => {
  // Hand-computed layout for scale 2, frame 1, textScale 1, cols 2, labels '0'..'2':
  // frame 8x6 (3*2+2, 2*2+2); widest line 'true: 0' = 7 chars * 6 - 1 = 41 px -> cell 41 x (6 + 3 + 16) = 41 x 25;
  // width 2*41 + 3*6 = 100, height 2*25 + 3*6 = 68; cell (r, c) at (6 + 47c, 6 + 31r); frame centred: +16 in x.
  const png = PNG.sync.read(predictionGridPNG(images, [0, 1, 2], [0, 2, 2], { cols: 2, scale: 2, frame: 1 }));

  it('has the expected size', () => {
    expect([png.width, png.height]).toEqual([100, 68]);
  });

  it('frames correct predictions in green and mistakes in red, at the right cells', () => {
    expect(pixel(png, 22, 6)).toEqual(GREEN); // cell 0: top-left corner of its frame
    expect(pixel(png, 29, 11)).toEqual(GREEN); // ... bottom-right corner (22 + 8 - 1, 6 + 6 - 1)
    expect(pixel(png, 69, 6)).toEqual(RED); // cell 1 (true 1, predicted 2)
    expect(pixel(png, 76, 11)).toEqual(RED);
    expect(pixel(png, 22, 37)).toEqual(GREEN); // cell 2, second row
    expect(pixel(png, 69, 37)).toEqual(WHITE); // no fourth cell
    expect(pixel(png, 21, 6)).toEqual(WHITE); // just outside a frame
    expect(pixel(png, 0, 0)).toEqual(WHITE);
  });

  it('draws each image inside its frame, scaled by nearest neighbour', () => {
    // cell 0 image starts at (23, 7); pixel (x, y) covers (23 + 2x .. +1, 7 + 2y .. +1)
    expect(pixel(png, 23, 7)).toEqual(BLACK);
    expect(pixel(png, 24, 8)).toEqual(BLACK);
    expect(pixel(png, 25, 7)).toEqual([128, 128, 128, 255]); // 0.5 -> round(127.5)
    expect(pixel(png, 27, 8)).toEqual(WHITE);
    expect(pixel(png, 23, 9)).toEqual(WHITE); // row 1 starts with 1
    // image 1 (values x10) looks the same with the default 'auto' range
    for (const [dx, dy] of [[0, 0], [2, 0], [4, 0], [0, 2], [2, 2], [4, 2]]) {
      expect(pixel(png, 70 + dx, 7 + dy)).toEqual(pixel(png, 23 + dx, 7 + dy));
    }
  });

  it("writes 'true: ' in black and 'pred: ' in green or red under each image", () => {
    // line 1 at y = 6 + 6 + 3 = 15, starting at the cell's left x; 't' has ink at column 1 of row 0
    expect(pixel(png, 7, 15)).toEqual(BLACK);
    // line 2 at y = 23; 'p' has ink at row 2, column 0
    expect(pixel(png, 6, 25)).toEqual(GREEN);
    expect(pixel(png, 53, 25)).toEqual(RED);
  });

  it('reads Tensors [N, 1, H, W] and [N, 3, H, W], scores as predictions, class names and fixed ranges', () => {
    const rgb = zeros([1, 3, 2, 2]);
    rgb.select(1, 0).fill_(255); // pure red in 0..255
    const out = PNG.sync.read(
      predictionGridPNG(rgb, tensor([1], { dtype: 'int32' }), tensor([[0.1, 0.9]]), { classNames: ['cat', 'dog'], range: [0, 255], scale: 1, frame: 1 }),
    );
    // 'true: dog' = 9 chars -> 53 px wide cell; frame 4x4 centred at x = 6 + floor((53 - 4) / 2) = 30
    expect(out.width).toBe(53 + 12);
    expect(pixel(out, 30, 6)).toEqual(GREEN);
    expect(pixel(out, 31, 7)).toEqual([255, 0, 0, 255]);
    const gray = PNG.sync.read(predictionGridPNG(zeros([2, 1, 28, 28]), [3, 4], [3, 4]));
    // defaults: scale 2, frame 2 -> frame 60x60; cols = 2; 'true: 3' = 41 px < 60
    expect([gray.width, gray.height]).toEqual([2 * 60 + 18, 60 + 3 + 16 + 12]);
  });

  it('saves the PNG atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-metrics-grid-'));
    try {
      const file = join(dir, 'grid.png');
      savePredictionGridPNG(file, images, [0, 1, 2], [0, 2, 2], { cols: 2, scale: 2, frame: 1 });
      expect(PNG.sync.read(readFileSync(file)).width).toBe(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('long class names (Fashion-MNIST) at textScale 2', () => {
    const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    const n = 40;
    const truth = Array.from({ length: n }, (_, i) => i % 10);
    const pred = Array.from({ length: n }, (_, i) => (i * 7) % 10); // T-shirt/top next to other labels, right and wrong
    const opts = { classNames: names, scale: 3, textScale: 2, range: [0, 1] as const };
    // PNG encoding is slow under jest (pngjs's filter choice): seconds per grid, more on a busy machine
    const TIMEOUT = 120_000;
    let grid: PNG;
    beforeAll(() => {
      grid = PNG.sync.read(predictionGridPNG(zeros([n, 1, 28, 28]), truth, pred, { ...opts, maxWidth: 1100 }));
    }, TIMEOUT);
    // cell: 'pred: T-shirt/top' = (17 * 6 - 1) * 2 = 202 px; gap one character (12 px) -> 5 columns fit 1100 px
    const cellW = 202;
    const gap = 12;
    const cellH = 3 * 28 + 4 + 3 + 32;

    it('maxWidth lowers the columns until the grid fits (a page can show it unscaled)', () => {
      expect(grid.width).toBe(5 * cellW + 4 * gap + 12);
      expect(grid.width).toBeLessThanOrEqual(1100);
      expect(grid.height).toBe(8 * cellH + 9 * 6);
      const wide = PNG.sync.read(predictionGridPNG(zeros([10, 1, 28, 28]), truth.slice(0, 10), pred.slice(0, 10), opts));
      expect(wide.width).toBe(10 * cellW + 9 * gap + 12); // without maxWidth: 10 columns
      expect(PNG.sync.read(predictionGridPNG(zeros([2, 1, 28, 28]), [0, 1], [0, 1], { ...opts, maxWidth: 10 })).width).toBe(cellW + 12); // never below 1 column
    }, TIMEOUT);

    it('no label reaches into the gap between cells, and each line is centred under its image', () => {
      for (let r = 0; r < 8; r++) {
        const top = 6 + r * (cellH + 6) + 3 * 28 + 4 + 3;
        for (let y = top; y < top + 32; y++) {
          for (let c = 0; c < 4; c++) {
            for (let x = 6 + c * (cellW + gap) + cellW; x < 6 + (c + 1) * (cellW + gap); x++) expect(pixel(grid, x, y)).toEqual(WHITE);
          }
        }
      }
      // cell 8 (second row, fourth column): 'true: Bag' = (9 * 6 - 1) * 2 = 106 px, centred in 202: starts 48 px in
      const x0 = 6 + 3 * (cellW + gap);
      const y0 = 6 + (cellH + 6) + 3 * 28 + 4 + 3;
      const ink: number[] = [];
      for (let y = y0; y < y0 + 16; y++) for (let x = x0; x < x0 + cellW; x++) if (pixel(grid, x, y)[0] !== 255) ink.push(x - x0);
      expect(Math.min(...ink)).toBeGreaterThanOrEqual(48);
      expect(Math.max(...ink)).toBeLessThan(48 + 106);
    }, TIMEOUT);
  });

  it('explains bad inputs', () => {
    expect(() => predictionGridPNG(zeros([4, 784]), [0, 1, 2, 3], [0, 1, 2, 3])).toThrow(
      /images must be \[N, H, W\] \(gray\) or \[N, C, H, W\] with C = 1 or 3 \(NCHW\), got shape \[4, 784\]; flat images must be reshaped first, e.g. images.reshape\(-1, 1, 28, 28\)/,
    );
    expect(() => predictionGridPNG(zeros([1, 8, 8, 3]), [0], [0])).toThrow(/channels-last images must be permuted to NCHW first/);
    expect(() => predictionGridPNG(images, [0, 1], [0, 1])).toThrow('predictionGridPNG: 3 images but 2 true labels and 2 predictions; pass one of each per image');
    expect(() => predictionGridPNG(images, [0, 1, 2], [0, 1, 2], { classNames: ['a', 'b'] })).toThrow(/trueLabels\[2\] = 2 is outside \[0, 2\)/);
    expect(() => predictionGridPNG(images, [0, 1, 2], [0, 1, 2], { cols: 0 })).toThrow(/cols must be an integer in \[1, 10000\], got 0/);
    expect(() => predictionGridPNG(images, [0, 1, 2], [0, 1, 2], { scale: 1.5 })).toThrow(/scale must be an integer/);
    expect(() => predictionGridPNG(images, [0, 1, 2], [0, 1, 2], { range: [1, 0] })).toThrow(/range must be 'auto' or \[lo, hi\] with lo < hi/);
    expect(() => predictionGridPNG([], [], [])).toThrow(/images must be \[N, H, W\]/);
    expect(() => predictionGridPNG(zeros([0, 1, 2, 2]), [], [])).toThrow('predictionGridPNG: got 0 images; there is nothing to draw');
  });
});
