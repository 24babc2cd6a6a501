import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { History, learningCurvesSVG, learningCurvesSpec, saveLearningCurvesSVG } from '../index';
import { findAll, marksIn, parseXml, type XmlElement } from '../testing/xml';

function history(): History {
  const h = new History();
  h.record(1, { trainLoss: 1.0, valLoss: 1.2, trainAcc: 0.6, valAcc: 0.55 });
  h.record(2, { trainLoss: 0.6, valLoss: 0.8, trainAcc: 0.8, valAcc: 0.7 });
  h.record(3, { trainLoss: 0.4, valLoss: 0.7, trainAcc: 0.9, valAcc: 0.75, lr: 0.01 });
  return h;
}

const texts = (els: XmlElement[]): string[] => els.map((e) => e.text);

describe('learningCurvesSVG (rendered with Vega)', () => {
  let svg: string;
  let root: XmlElement;
  beforeAll(async () => {
    svg = await learningCurvesSVG(history(), { title: 'MLP on MNIST' });
    root = parseXml(svg);
  });

  it('is a well-formed SVG document', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.attrs.width)).toBeGreaterThan(600); // two 320-px panels side by side
  });

  it('draws a loss panel and an accuracy panel with titled axes', () => {
    expect(texts(marksIn(root, 'mark-text', 'role-title-text'))).toEqual(['Loss', 'Accuracy', 'MLP on MNIST']);
    expect(texts(marksIn(root, 'mark-text', 'role-axis-title'))).toEqual(['Epoch', 'Loss', 'Epoch', 'Accuracy']);
  });

  it('draws one line per split and panel, train blue and validation orange, with a point per epoch', () => {
    const lines = marksIn(root, 'mark-line', 'role-mark');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      const label = line.attrs['aria-label'];
      expect(line.attrs.stroke).toBe(label.includes('Split: train') ? '#1f77b4' : '#ff7f0e');
      expect(line.attrs.d.match(/[ML]/g)).toHaveLength(3); // 3 epochs
    }
    expect(lines.map((l) => /Split: (\w+)/.exec(l.attrs['aria-label'])![1]).sort()).toEqual(['train', 'train', 'validation', 'validation']);
    expect(marksIn(root, 'mark-symbol', 'role-mark')).toHaveLength(12);
  });

  it('has one legend titled Split with train and validation', () => {
    expect(texts(marksIn(root, 'mark-text', 'role-legend-title'))).toEqual(['Split']);
    expect(texts(marksIn(root, 'mark-text', 'role-legend-label'))).toEqual(['train', 'validation']);
  });

  it('prefixes its ids so it can be inlined next to other charts', () => {
    const ids = findAll(root, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
    for (const id of ids) expect(id.startsWith('dl-lc-')).toBe(true);
    for (const ref of svg.match(/url\(#[^)]+\)/g) ?? []) expect(ids).toContain(ref.slice(5, -1));
  });

  it('saves the same SVG atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-metrics-lc-'));
    try {
      await saveLearningCurvesSVG(join(dir, 'curves.svg'), history(), { title: 'MLP on MNIST' });
      expect(readFileSync(join(dir, 'curves.svg'), 'utf8')).toBe(svg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('learningCurvesSpec', () => {
  type Panel = { title: string; data: { values: { epoch: number; value: number; split: string }[] } };
  const panels = (spec: unknown): Panel[] => (spec as { hconcat: Panel[] }).hconcat;

  it('groups train/val/test and plain names into panels, leaving out non-finite values', () => {
    const h = history();
    h.record(4, { trainLoss: NaN, valLoss: 0.65, testLoss: 0.66 });
    const [loss] = panels(learningCurvesSpec(h));
    expect(loss.title).toBe('Loss');
    expect(loss.data.values.filter((p) => p.split === 'train').map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(loss.data.values.filter((p) => p.split === 'test')).toEqual([{ epoch: 4, value: 0.66, split: 'test' }]);
    const lr = panels(learningCurvesSpec(h, { metrics: ['lr'], titles: { lr: 'Learning rate' } }));
    expect(lr.map((p) => p.title)).toEqual(['Learning rate']);
    expect(lr[0].data.values).toEqual([{ epoch: 3, value: 0.01, split: 'lr' }]);
  });

  it('accepts the JSON form of a History', () => {
    expect(panels(learningCurvesSpec(history().toJSON())).map((p) => p.title)).toEqual(['Loss', 'Accuracy']);
  });

  it('explains what is missing', () => {
    const onlyLr = new History().record(1, { lr: 0.1 });
    expect(() => learningCurvesSpec(onlyLr)).toThrow(
      'learningCurvesSVG: the history has none of trainLoss, valLoss, trainAcc, valAcc (recorded: lr); pass { metrics: [...] } with base names of recorded metrics',
    );
    expect(() => learningCurvesSpec(history(), { metrics: ['f1'] })).toThrow(/nothing to draw for 'f1': none of trainF1, valF1, testF1, f1 has a finite value/);
    expect(() => learningCurvesSpec(history(), { metrics: [] })).toThrow(/metrics must be a non-empty array/);
    expect(() => learningCurvesSpec(history(), { width: 10 })).toThrow(/width must be a number of pixels in \[50, 4000\], got 10/);
    expect(() => learningCurvesSpec({ rows: [] } as never)).toThrow(/not a History JSON/);
  });

  it('checks idPrefix before rendering', async () => {
    await expect(learningCurvesSVG(history(), { idPrefix: '1 bad' })).rejects.toThrow(/idPrefix must start with a letter/);
  });
});
