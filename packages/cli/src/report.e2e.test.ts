/**
 * End to end: a short `dl train` run (a real process) writes report.html; headless Chromium
 * (Debian's `chromium`, driven by playwright-core) opens it from disk and must find the learning
 * curves, the confusion matrix and the prediction grid rendered, with no console error and no
 * request other than the page itself.
 *
 * Without a Chromium binary (DL_CHROMIUM, else /usr/bin/chromium) the browser test is skipped and
 * says so; `apt-get install chromium` provides it.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { pathToFileURL } from 'url';
import { PNG } from 'pngjs';
import { chromium, type Browser, type ElementHandle } from 'playwright-core';
import { FashionMNIST } from '@dl/data';
import { zeros } from '@dl/tensor';
import { REPORT_WIDTH } from './report';
import { predictionGrid } from './run-outputs';
import { spawnDl } from './testing/child';
import { tempDir } from './testing/files';

/** Spawning dl train (3 short epochs and the report), and each browser step: generous, for a busy 2-core machine. */
const TRAIN_TIMEOUT = 300_000;
const BROWSER_TIMEOUT = 120_000;

const CHROMIUM = process.env.DL_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`report.e2e: SKIPPING the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium, or set DL_CHROMIUM to its path)`);
}

let dir: string;
let report: string;

beforeAll(async () => {
  dir = tempDir();
  report = join(dir, 'report.html');
  const r = await spawnDl(['train', '--train-size', '300', '--test-size', '100', '--batch-size', '50', '--epochs', '3', '--out', dir], { timeoutMs: TRAIN_TIMEOUT - 30_000 });
  if (r.code !== 0) throw new Error(`dl train failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
}, TRAIN_TIMEOUT);

test('the run writes report.html and the files it shows', () => {
  expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'checkpoint.safetensors', 'confusion-matrix.svg', 'history.csv', 'learning-curves.svg', 'metrics.json', 'predictions.png', 'report.html']);
  const html = readFileSync(report, 'utf8');
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
  expect(html).toContain('data:image/png;base64,');
});

/** Whether a PNG screenshot has more than one colour (something was drawn). */
function drawnSomething(png: Buffer): boolean {
  const img = PNG.sync.read(png);
  const first = img.data.readUInt32BE(0);
  for (let i = 4; i < img.data.length; i += 4) if (img.data.readUInt32BE(i) !== first) return true;
  return false;
}

async function box(el: ElementHandle): Promise<{ width: number; height: number }> {
  const b = await el.boundingBox();
  if (b === null) throw new Error('element is not displayed');
  return b;
}

(haveChromium ? describe : describe.skip)('in headless Chromium', () => {
  let browser: Browser;
  const requests: string[] = [];
  const errors: string[] = [];
  let page: Awaited<ReturnType<Browser['newPage']>>;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
  }, BROWSER_TIMEOUT);

  test('the learning curves are an inline SVG with lines, drawn at a non-zero size', async () => {
    const svg = await page.$('#learning-curves svg');
    if (svg === null) throw new Error('no learning-curves SVG');
    const b = await box(svg);
    expect(b.width).toBeGreaterThan(100);
    expect(b.height).toBeGreaterThan(100);
    expect(await svg.$$eval('path', (ps) => ps.length)).toBeGreaterThan(2);
    expect(await svg.textContent()).toMatch(/Loss/);
    expect(drawnSomething(await svg.screenshot())).toBe(true);
  }, BROWSER_TIMEOUT);

  test('the confusion matrix is an inline SVG with a cell per class pair', async () => {
    const svg = await page.$('#confusion-matrix svg');
    if (svg === null) throw new Error('no confusion-matrix SVG');
    const b = await box(svg);
    expect(b.width).toBeGreaterThan(100);
    expect(b.height).toBeGreaterThan(100);
    expect(await svg.textContent()).toMatch(/Predicted/);
    expect(await svg.$$eval('path', (ps) => ps.length)).toBeGreaterThanOrEqual(100); // 10 x 10 cells
    expect(drawnSomething(await svg.screenshot())).toBe(true);
  }, BROWSER_TIMEOUT);

  test('the prediction grid image is decoded and shown', async () => {
    const img = await page.$('#predictions img');
    if (img === null) throw new Error('no prediction grid image');
    const prop = async (name: string): Promise<unknown> => (await img.getProperty(name)).jsonValue();
    expect(await prop('complete')).toBe(true);
    expect(await prop('naturalWidth')).toBeGreaterThan(0);
    expect(await prop('naturalHeight')).toBeGreaterThan(0);
    const b = await box(img);
    expect(b.width).toBeGreaterThan(0);
    expect(b.height).toBeGreaterThan(0);
  }, BROWSER_TIMEOUT);

  test("the prediction grid is shown at its own size (not squeezed), also with Fashion-MNIST's long class names", async () => {
    const sizes = async (p: typeof page): Promise<{ shown: number; natural: number }> => {
      const img = await p.$('#predictions img');
      if (img === null) throw new Error('no prediction grid image');
      // (the callback runs in the page; the element is typed loosely here: this package has no DOM types)
      return img.evaluate((e) => {
        const el = e as unknown as { clientWidth: number; naturalWidth: number };
        return { shown: el.clientWidth, natural: el.naturalWidth };
      });
    };
    const mnist = await sizes(page);
    expect(mnist.shown).toBe(mnist.natural);
    // the same page with the grid of a Fashion-MNIST run: 40 images, labels such as 'pred: T-shirt/top'
    const classes = [...FashionMNIST.spec.classes];
    const n = 40;
    const truth = Int32Array.from({ length: n }, (_, i) => i % 10);
    const pred = Int32Array.from({ length: n }, (_, i) => (i * 3) % 10);
    const png = predictionGrid(zeros([n, 1, 28, 28]), truth, pred, classes);
    expect(PNG.sync.read(png).width).toBeLessThanOrEqual(REPORT_WIDTH);
    const fashion = join(dir, 'fashion-report.html');
    writeFileSync(fashion, readFileSync(report, 'utf8').replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/, `data:image/png;base64,${png.toString('base64')}`));
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await other.goto(pathToFileURL(fashion).href, { waitUntil: 'load' });
      const f = await sizes(other);
      expect(f.natural).toBe(PNG.sync.read(png).width);
      expect(f.shown).toBe(f.natural);
    } finally {
      await other.close();
    }
  }, BROWSER_TIMEOUT);

  test('the page logged no errors and requested nothing but itself', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(report).href]);
  });
});
