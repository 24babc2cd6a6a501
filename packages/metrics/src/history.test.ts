import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { tensor } from '@dl/tensor';
import { History } from './index';

function sample(): History {
  const h = new History();
  h.record(1, { trainLoss: 0.9, trainAcc: 0.7 });
  h.record(1, { valLoss: 0.8, valAcc: 0.75 }); // merged into epoch 1
  h.record(2, { trainLoss: 0.5, trainAcc: 0.85, valLoss: 0.6, valAcc: 0.8 });
  h.record(3, { trainLoss: 0.3, trainAcc: 0.9, valLoss: 0.65, valAcc: 0.8 });
  return h;
}

describe('History', () => {
  it('records per-epoch metrics, merging calls for the same epoch', () => {
    const h = sample();
    expect(h.epochs).toEqual([1, 2, 3]);
    expect(h.length).toBe(3);
    expect(h.metricNames).toEqual(['trainLoss', 'trainAcc', 'valLoss', 'valAcc']);
    expect(h.get('valAcc')).toEqual([0.75, 0.8, 0.8]);
    expect(h.series('valLoss')).toEqual([
      { epoch: 1, value: 0.8 },
      { epoch: 2, value: 0.6 },
      { epoch: 3, value: 0.65 },
    ]);
    expect(h.latest('trainLoss')).toBe(0.3);
    expect(h.latest('lr')).toBeUndefined();
    expect(h.rows()[0]).toEqual({ epoch: 1, metrics: { trainLoss: 0.9, trainAcc: 0.7, valLoss: 0.8, valAcc: 0.75 } });
  });

  it('keeps rows in epoch order, only lists epochs that recorded a metric, and replaces re-recorded values', () => {
    const h = new History();
    h.record(2, { loss: 2 }).record(0, { loss: 0 }).record(1, { lr: 0.1 }).record(2, { loss: 1.5 });
    expect(h.epochs).toEqual([0, 1, 2]);
    expect(h.get('loss')).toEqual([0, 1.5]);
    expect(h.series('lr')).toEqual([{ epoch: 1, value: 0.1 }]);
  });

  it('best: max for accuracy, min for loss, earliest epoch on ties, NaN skipped', () => {
    const h = sample();
    expect(h.best('valAcc', 'max')).toEqual({ epoch: 2, value: 0.8 });
    expect(h.best('valLoss', 'min')).toEqual({ epoch: 2, value: 0.6 });
    expect(h.best('trainLoss', 'max')).toEqual({ epoch: 1, value: 0.9 });
    h.record(4, { valLoss: NaN });
    expect(h.best('valLoss', 'min')).toEqual({ epoch: 2, value: 0.6 });
    expect(new History().record(0, { x: NaN }).best('x', 'min')).toBeNull();
  });

  it('round-trips through JSON, NaN and infinities included', () => {
    const h = sample();
    h.record(4, { trainLoss: NaN, valLoss: Infinity, valAcc: -Infinity });
    const text = JSON.stringify(h);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json.format).toBe('dl-history');
    expect((json.rows as unknown[])[3]).toEqual({ epoch: 4, trainLoss: 'NaN', valLoss: 'Infinity', valAcc: '-Infinity' });
    const back = History.fromJSON(text);
    expect(back.toJSON()).toEqual(h.toJSON());
    expect(back.get('trainLoss')[3]).toBeNaN();
    expect(History.fromJSON(h.toJSON()).toCSV()).toBe(h.toCSV());
  });

  it('writes CSV: a header and one row per epoch, empty cells for missing values', () => {
    const h = sample();
    h.record(4, { trainLoss: NaN, lr: 1e-4 });
    expect(h.toCSV()).toBe(
      [
        'epoch,trainLoss,trainAcc,valLoss,valAcc,lr',
        '1,0.9,0.7,0.8,0.75,',
        '2,0.5,0.85,0.6,0.8,',
        '3,0.3,0.9,0.65,0.8,',
        '4,NaN,,,,0.0001',
        '',
      ].join('\n'),
    );
    expect(new History().record(1, { 'top,5': 0.5, 'say "hi"': 1 }).toCSV()).toBe('epoch,"top,5","say ""hi"""\n1,0.5,1\n');
    expect(new History().toCSV()).toBe('epoch\n');
  });

  it('saves JSON and CSV atomically and loads the JSON back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-metrics-history-'));
    try {
      const h = sample();
      h.saveJSON(join(dir, 'history.json'));
      h.saveCSV(join(dir, 'history.csv'));
      expect(readdirSync(dir).sort()).toEqual(['history.csv', 'history.json']); // no temporary files left
      expect(readFileSync(join(dir, 'history.csv'), 'utf8')).toBe(h.toCSV());
      expect(History.loadJSON(join(dir, 'history.json')).toJSON()).toEqual(h.toJSON());
      expect(() => History.loadJSON(join(dir, 'missing.json'))).toThrow(/History.loadJSON: cannot read '.*missing.json'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad records with clear errors', () => {
    const h = new History();
    expect(() => h.record(1.5, { loss: 1 })).toThrow('History.record: epoch must be an integer >= 0, got 1.5');
    expect(() => h.record(-1, { loss: 1 })).toThrow(/epoch must be an integer >= 0, got -1/);
    expect(() => h.record(1, { loss: '0.5' as unknown as number })).toThrow(
      "History.record: metric 'loss' of epoch 1 is a string; values must be numbers",
    );
    expect(() => h.record(1, { loss: tensor(0.5) as unknown as number })).toThrow(/is a Tensor; values must be numbers \(for a Tensor or Variable use .item\(\)\)/);
    expect(() => h.record(1, { epoch: 1 })).toThrow(/'epoch' is the row key/);
    expect(() => h.record(1, null as never)).toThrow(/metrics must be an object/);
    expect(h.length).toBe(0); // nothing half-recorded
    h.record(1, { loss: 1 });
    expect(() => h.get('acc')).toThrow("History.get: no metric 'acc' was recorded (recorded: loss)");
    expect(() => h.best('loss', 'lowest' as never)).toThrow(/mode must be 'max' \(e.g. accuracy\) or 'min' \(e.g. loss\)/);
  });

  it('rejects JSON that is not a History', () => {
    expect(() => History.fromJSON('{"format": "dl-history", "version": 1, "metrics": [], "rows": [')).toThrow(/History.fromJSON: invalid JSON .*truncated/);
    expect(() => History.fromJSON({ rows: [] })).toThrow(/not a History JSON \(format is undefined\)/);
    expect(() => History.fromJSON({ format: 'dl-history', version: 2, metrics: [], rows: [] })).toThrow(/version 2 is not supported/);
    expect(() => History.fromJSON({ format: 'dl-history', version: 1, metrics: ['a'], rows: [{ epoch: 1, a: 'x' }] })).toThrow(
      /rows\[0\].a is "x", not a number/,
    );
    expect(() => History.fromJSON({ format: 'dl-history', version: 1, metrics: [], rows: [{ a: 1 }] })).toThrow(/rows\[0\].epoch is undefined/);
    expect(() => History.fromJSON([], 'history.json')).toThrow(/^history.json: not a History JSON \(got an array\)/);
  });
});
