/**
 * Every function of @dl/metrics that takes an options object rejects keys it does not know
 * (sklearn's snake_case spellings such as zero_division, typos) with a ValueError naming the
 * function, the key and the key probably meant. The table covers every export: a new one must be
 * added to it or to NO_OPTIONS, or the first test fails.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValueError } from '@dl/tensor';
import * as M from './index';

const history = new M.History();
history.record(1, { trainLoss: 1, valLoss: 1.2 }).record(2, { trainLoss: 0.6, valLoss: 0.8 });
const cm = [[2, 1], [0, 3]];
const images = [[[[0, 1], [1, 0]]], [[[1, 0], [0, 1]]]];
const out = (f: string) => path.join(os.tmpdir(), `dl-metrics-options-${process.pid}-${f}`);

/** [export, call with the options (may return a promise)]; messages name the export. */
const CASES: [string, (o: object) => unknown][] = [
  ['precisionRecallF1', (o) => M.precisionRecallF1([0, 1, 1], [0, 1, 0], o)],
  ['mse', (o) => M.mse([1, 2], [1, 3], o)],
  ['rmse', (o) => M.rmse([1, 2], [1, 3], o)],
  ['mae', (o) => M.mae([1, 2], [1, 3], o)],
  ['r2', (o) => M.r2([1, 2, 3], [1, 3, 2], o)],
  ['learningCurvesSpec', (o) => M.learningCurvesSpec(history, o)],
  ['learningCurvesSVG', (o) => M.learningCurvesSVG(history, { idPrefix: 'x-', ...o })],
  ['saveLearningCurvesSVG', (o) => M.saveLearningCurvesSVG(out('lc.svg'), history, o)],
  ['confusionMatrixSpec', (o) => M.confusionMatrixSpec(cm, o)],
  ['confusionMatrixSVG', (o) => M.confusionMatrixSVG(cm, o)],
  ['saveConfusionMatrixSVG', (o) => M.saveConfusionMatrixSVG(out('cm.svg'), cm, o)],
  ['predictionGridPNG', (o) => M.predictionGridPNG(images, [0, 1], [0, 0], o)],
  ['savePredictionGridPNG', (o) => M.savePredictionGridPNG(out('grid.png'), images, [0, 1], [0, 0], o)],
];

/** Exports without an options object. */
const NO_OPTIONS: Record<string, string> = {
  accuracy: 'pred and target', confusionMatrix: 'pred, target, numClasses', normalizeConfusionMatrix: 'matrix and mode',
  topKAccuracy: 'scores, target, k', History: 'no arguments', writeFileAtomic: 'path and data',
  CORRECT_COLOR: 'a constant', WRONG_COLOR: 'a constant', FONT_CHARACTERS: 'a constant', drawText: 'image, text, position, colour', textWidth: 'text',
};


async function errorOf(f: () => unknown): Promise<Error | null> {
  try {
    await f();
    return null;
  } catch (e) {
    return e as Error;
  }
}

async function knownKeys(name: string, call: (o: object) => unknown): Promise<string[]> {
  const e = await errorOf(() => call({ zzzNotAnOption: 1 }));
  const m = e && /; the options are (.*)$/.exec(e.message);
  if (!m || !e.message.startsWith(`${name}: unknown option 'zzzNotAnOption'`)) throw e ?? new Error(`${name} accepted an unknown option`);
  return m[1].split(', ');
}

function typo(key: string): string {
  const i = [...key].findIndex((c, k) => k >= 1 && k + 1 < key.length && c !== key[k + 1]);
  return i < 0 ? `${key}${key.slice(-1)}` : key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

function snakeSpelling(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake !== key ? snake : key[0].toUpperCase() + key.slice(1);
}

afterAll(() => {
  for (const f of ['lc.svg', 'cm.svg', 'grid.png']) fs.rmSync(out(f), { force: true });
});

it('the table covers every export of @dl/metrics', () => {
  const covered = new Set([...CASES.map(([k]) => k), ...Object.keys(NO_OPTIONS)]);
  expect(Object.keys(M).filter((k) => !covered.has(k))).toEqual([]);
});

describe.each(CASES)('%s', (name, call) => {
  it('rejects an unknown key, naming the function and listing the options', async () => {
    const e = await errorOf(() => call({ zzzNotAnOption: 1 }));
    expect(e).toBeInstanceOf(ValueError);
    expect(e?.message).toMatch(new RegExp(`^${name}: unknown option 'zzzNotAnOption'; the options are \\w+`));
  });

  it("suggests the key meant, for sklearn's spelling and for a typo of each option", async () => {
    for (const key of await knownKeys(name, call)) {
      for (const wrong of [snakeSpelling(key), typo(key)]) {
        const e = await errorOf(() => call({ [wrong]: undefined }));
        expect(e?.message).toContain(`${name}: unknown option '${wrong}' (did you mean '${key}'?)`);
      }
    }
  });

  it('accepts its own keys', async () => {
    expect(await errorOf(() => call({}))).toBeNull();
  });
});

it("precisionRecallF1 with { zero_division: 1 } is an error, not a silent 0", () => {
  expect(() => M.precisionRecallF1([0], [1], { zero_division: 1 } as never)).toThrow(
    "precisionRecallF1: unknown option 'zero_division' (did you mean 'zeroDivision'?); the options are numClasses, average, zeroDivision",
  );
});

it("predictionGridPNG with { class_names } is an error, not labels drawn as indices", () => {
  expect(() => M.predictionGridPNG(images, [0, 1], [0, 0], { class_names: ['a', 'b'] } as never)).toThrow(
    "predictionGridPNG: unknown option 'class_names' (did you mean 'classNames'?); the options are classNames, cols, maxWidth, scale, textScale, range, frame",
  );
});
