import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { confusionMatrix, confusionMatrixSVG, confusionMatrixSpec, saveConfusionMatrixSVG } from '../index';
import { findAll, marksIn, parseXml, translateOf, type XmlElement } from '../testing/xml';

// true:  cat cat cat cat cat cat dog dog dog dog dog bird bird bird bird
// pred:  cat x5, dog x1;         cat x2, dog x3;       bird x4
const names = ['cat', 'dog', 'bird'];
const target = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2];
const pred = [0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 2, 2, 2];
const expected = [
  [5, 1, 0],
  [2, 3, 0],
  [0, 0, 4],
];

describe('confusionMatrixSVG (rendered with Vega)', () => {
  let svg: string;
  let root: XmlElement;
  beforeAll(async () => {
    const cm = confusionMatrix(pred, target, 3);
    expect(cm.toArray()).toEqual(expected);
    svg = await confusionMatrixSVG(cm, { classNames: names, title: 'Test set' });
    root = parseXml(svg);
  });

  it('is a well-formed SVG with one rect and one count per cell', () => {
    expect(root.name).toBe('svg');
    expect(marksIn(root, 'mark-rect', 'role-mark')).toHaveLength(9);
    expect(marksIn(root, 'mark-text', 'role-mark')).toHaveLength(9);
  });

  it('writes count M[true][pred] in the cell at column pred, row true', () => {
    const cells = marksIn(root, 'mark-text', 'role-mark').map((t) => {
      const m = /Predicted label: (\w+); True label: (\w+)/.exec(t.attrs['aria-label'])!;
      const [x, y] = translateOf(t);
      return { p: names.indexOf(m[1]), t: names.indexOf(m[2]), text: t.text, x, y };
    });
    for (const c of cells) expect(c.text).toBe(String(expected[c.t][c.p]));
    // columns left to right follow the predicted class, rows top to bottom the true class
    for (const a of cells) {
      for (const b of cells) {
        if (a.t === b.t && a.p < b.p) expect(a.x).toBeLessThan(b.x);
        if (a.p === b.p && a.t < b.t) expect(a.y).toBeLessThan(b.y);
      }
    }
    // the darkest cell (largest count) gets white text, zero cells black
    const big = marksIn(root, 'mark-text', 'role-mark').find((t) => t.text === '5')!;
    expect(big.attrs.fill).toBe('white');
    expect(marksIn(root, 'mark-text', 'role-mark').find((t) => t.text === '0')!.attrs.fill).toBe('black');
  });

  it('labels the axes with the class names in class order', () => {
    const axes = findAll(root, (e) => e.name === 'g' && (e.attrs['aria-roledescription'] ?? '') === 'axis');
    const labels = axes.map((a) => marksIn(a, 'mark-text', 'role-axis-label').map((t) => t.text));
    expect(labels).toEqual([names, names]);
    expect(marksIn(root, 'mark-text', 'role-axis-title').map((t) => t.text).sort()).toEqual(['Predicted label', 'True label']);
    expect(marksIn(root, 'mark-text', 'role-title-text').map((t) => t.text)).toEqual(['Test set']);
  });

  it('prefixes its ids (the legend gradient) for inlining', () => {
    const ids = findAll(root, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id.startsWith('dl-cm-')).toBe(true);
    for (const ref of svg.match(/url\(#[^)]+\)/g) ?? []) expect(ids).toContain(ref.slice(5, -1));
  });

  it('saves the same SVG atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-metrics-cm-'));
    try {
      await saveConfusionMatrixSVG(join(dir, 'cm.svg'), expected, { classNames: names, title: 'Test set' });
      expect(parseXml(readFileSync(join(dir, 'cm.svg'), 'utf8')).name).toBe('svg');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('confusionMatrixSpec', () => {
  type Cell = { trueLabel: string; predLabel: string; count: number; value: number; text: string };
  const cells = (spec: unknown): Cell[] => (spec as { data: { values: Cell[] } }).data.values;

  it('normalises rows, columns or all for color and text, keeping the counts', () => {
    const byTrue = cells(confusionMatrixSpec(expected, { normalize: 'true' }));
    expect(byTrue.map((c) => c.text)).toEqual(['0.83', '0.17', '0.00', '0.40', '0.60', '0.00', '0.00', '0.00', '1.00']);
    expect(byTrue[3]).toEqual({ trueLabel: '1', predLabel: '0', count: 2, value: 0.4, text: '0.40' });
    const byPred = cells(confusionMatrixSpec(expected, { normalize: 'pred' }));
    expect(byPred.map((c) => c.value)).toEqual([5 / 7, 1 / 4, 0, 2 / 7, 3 / 4, 0, 0, 0, 1]);
    expect(cells(confusionMatrixSpec(expected, { normalize: 'all' }))[0].value).toBe(5 / 15);
    expect(cells(confusionMatrixSpec(expected)).map((c) => c.text)).toEqual(['5', '1', '0', '2', '3', '0', '0', '0', '4']);
  });

  it('hides the values of large matrices unless asked', () => {
    const big = Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i === j ? 1 : 0)));
    expect((confusionMatrixSpec(big) as { layer: unknown[] }).layer).toHaveLength(1);
    expect((confusionMatrixSpec(big, { showValues: true }) as { layer: unknown[] }).layer).toHaveLength(2);
  });

  it('checks its input', () => {
    expect(() => confusionMatrixSpec(expected, { classNames: ['a', 'b'] })).toThrow(
      'confusionMatrixSVG: classNames must be 3 strings (one per row of the 3x3 matrix), got 2',
    );
    expect(() => confusionMatrixSpec(expected, { classNames: ['a', 'b', 'a'] })).toThrow(/classNames must be distinct/);
    expect(() => confusionMatrixSpec([[1, 2]])).toThrow(/cm must be a square matrix/);
    expect(() => confusionMatrixSpec(expected, { normalize: 'rows' as never })).toThrow(/normalize must be 'true', 'pred', 'all' or false/);
    expect(() => confusionMatrixSpec(expected, { cellSize: 1000 })).toThrow(/cellSize must be a number of pixels in \[4, 200\]/);
  });
});
