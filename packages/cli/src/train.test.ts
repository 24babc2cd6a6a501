/**
 * `dl train` end to end in this process, on a few hundred embedded MNIST digits: outputs,
 * checkpoints, the validation split and the best epoch, interruption and resumption
 * (bit-identical to an uninterrupted run), and the errors of a wrong resume.
 *
 * Every test and hook that trains has an explicit timeout: a run takes seconds alone, but minutes
 * on a 2-core machine busy with other builds (jest's default of 5 s failed there).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { loadCheckpoint, type EpochRecord, type LoadedCheckpoint } from './checkpoint';
import { loadData, loadSplit, splitValidation } from './datasets';
import { buildModel } from './models';
import { tempDir } from './testing/files';
import { runCli } from './testing/run';
import { evaluate } from './training';

/** For a test or hook that trains (one or a few short runs). */
const TRAIN_TIMEOUT = 180_000;

const SMALL = ['--train-size', '300', '--test-size', '100', '--batch-size', '50'];
const small = (out: string, ...extra: string[]): string[] => ['train', ...SMALL, '--out', out, ...extra];

/** The results of a history, without the timings (which differ between runs). */
function results(h: readonly EpochRecord[]): Omit<EpochRecord, 'seconds' | 'valSeconds' | 'samplesPerSecond'>[] {
  return h.map(({ seconds: _s, valSeconds: _v, samplesPerSecond: _r, ...rest }) => rest);
}

function expectSameState(a: LoadedCheckpoint, b: LoadedCheckpoint): void {
  expect(Object.keys(b.modelState).sort()).toEqual(Object.keys(a.modelState).sort());
  for (const k of Object.keys(a.modelState)) {
    expect(Buffer.from(b.modelState[k].toTypedArray().buffer).equals(Buffer.from(a.modelState[k].toTypedArray().buffer))).toBe(true);
  }
  const sa = a.optimizerState.state;
  const sb = b.optimizerState.state;
  expect(Object.keys(sb)).toEqual(Object.keys(sa));
  for (const i of Object.keys(sa).map(Number)) {
    expect(sb[i].step).toBe(sa[i].step);
    for (const name of ['expAvg', 'expAvgSq']) {
      const x = sa[i][name];
      const y = sb[i][name];
      if (typeof x === 'number' || typeof y === 'number') throw new Error(`${name} is not a tensor`);
      expect(Buffer.from(y.toTypedArray().buffer).equals(Buffer.from(x.toTypedArray().buffer))).toBe(true);
    }
  }
  expect(results(b.state.history)).toEqual(results(a.state.history));
  expect(b.state.epoch).toBe(a.state.epoch);
}

let reference: LoadedCheckpoint;
let referenceDir: string;

beforeAll(async () => {
  referenceDir = tempDir();
  const r = await runCli(small(referenceDir, '--epochs', '3', '--no-report'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  reference = loadCheckpoint(join(referenceDir, 'checkpoint.safetensors'));
}, TRAIN_TIMEOUT);

describe('a short training run', () => {
  test('prints a header, one line per epoch and the final accuracy; writes checkpoint, metrics, history; no temp files', async () => {
    const dir = tempDir();
    const r = await runCli(small(dir, '--epochs', '2', '--no-report'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('dl train: mlp on MNIST (embedded digits): 270 training / 30 validation / 100 test samples, input [1, 28, 28], 10 classes');
    expect(lines[1]).toMatch(/^ {2}238,510 parameters; adam lr 0\.001, batch 50, 2 epochs, seed 0; backend \w+; output /);
    expect(lines[2]).toMatch(/^epoch 1\/2 {2}train loss \d\.\d{4} acc \d+\.\d% {2}val loss \d\.\d{4} acc \d+\.\d% {2}6 batches [\d.]+ s {2}[\d,]+ samples\/s {2}ETA \d+:\d\d$/);
    expect(lines[3]).toMatch(/^epoch 2\/2 /);
    expect(lines[4]).toMatch(/^best epoch [12]\/2: validation accuracy \d+\.\d%, loss \d\.\d{4} \(30 samples\)$/);
    expect(lines[5]).toMatch(/^test accuracy \d+\.\d\d% \(\d+\/100\), loss \d\.\d{4}; [\d.]+ s in all$/);
    expect(lines[6]).toBe(`checkpoint: ${join(dir, 'checkpoint.safetensors')} (epoch 2, the last; --resume continues from it)`);
    expect(lines[7]).toMatch(/^best checkpoint: .*best\.safetensors \(epoch [12], for dl eval and dl predict\)$/);
    expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'checkpoint.safetensors', 'history.csv', 'metrics.json']);
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { test: { accuracy: number; confusionMatrix: number[][] }; history: { rows: unknown[] } };
    expect(metrics.test.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(metrics.history.rows).toHaveLength(2);
    expect(readFileSync(join(dir, 'history.csv'), 'utf8').split('\n')[0]).toBe('epoch,trainLoss,trainAcc,valLoss,valAcc,lr,seconds');
    const ck = loadCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect(ck.state).toMatchObject({ epoch: 2, batch: 0, partial: null, inputShape: [1, 28, 28], lightOnDark: true });
    expect(ck.state.settings).toMatchObject({ model: 'mlp', epochs: 2, batchSize: 50, lr: 0.001, seed: 0, trainSize: 300, valSplit: 0.1 });
    expect(Object.keys(ck.modelState).sort()).toEqual(['1.bias', '1.weight', '3.bias', '3.weight']);
    expect(ck.optimizerState.state[0].step).toBe(12);
  }, TRAIN_TIMEOUT);

  test('the same seed gives the same run; the epochs before the end match a longer run', async () => {
    const dir = tempDir();
    expect((await runCli(small(dir, '--epochs', '2', '--no-report'))).code).toBe(0);
    const two = loadCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect(results(two.state.history)).toEqual(results(reference.state.history.slice(0, 2)));
  }, TRAIN_TIMEOUT);

  test('learning happens: the loss falls', () => {
    const h = reference.state.history;
    expect(h[2].trainLoss).toBeLessThan(h[0].trainLoss);
    expect(h[2].valAccuracy).toBeGreaterThan(0.5);
  });
});

describe('the validation split and the best epoch', () => {
  test('validation (epoch lines, history, learning curves) is on samples held out of the training split, never on the test split', async () => {
    const data = await loadData({ dataset: 'mnist', dataDir: null, download: false, trainSize: 300, testSize: 100, valSplit: 0.1, seed: 0 });
    expect([data.train.length, data.val.length, data.test.length]).toEqual([270, 30, 100]);
    const model = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
    model.loadStateDict(reference.modelState);
    const last = reference.state.history[2];
    const val = evaluate(model, data.val, 500);
    expect(val.accuracy).toBe(last.valAccuracy);
    expect(val.loss).toBeCloseTo(last.valLoss, 6);
    expect(evaluate(model, data.test, 500).loss).not.toBeCloseTo(last.valLoss, 3);
  }, TRAIN_TIMEOUT);

  test('the split is seeded and deterministic: disjoint, complete, in order; another seed draws another', async () => {
    const { dataset } = await loadSplit({ dataset: 'mnist', dataDir: null, download: false, trainSize: 900, testSize: null }, 'train');
    const indices = (ds: unknown): number[] => [...(ds as { indices: readonly number[] }).indices];
    const a = splitValidation(dataset, 0.25, 7, 'x');
    const b = splitValidation(dataset, 0.25, 7, 'x');
    const c = splitValidation(dataset, 0.25, 8, 'x');
    expect(indices(a.val)).toEqual(indices(b.val));
    expect(indices(a.val)).not.toEqual(indices(c.val));
    expect(a.val.length).toBe(225); // round(0.25 * 900)
    const all = [...indices(a.train), ...indices(a.val)].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 900 }, (_, i) => i));
    expect(indices(a.val)).toEqual([...indices(a.val)].sort((x, y) => x - y));
    expect(() => splitValidation(dataset, 0.0001, 0, 'MNIST')).toThrow(/--val-split 0\.0001 of the 900 training samples of MNIST leaves no validation samples/);
  }, TRAIN_TIMEOUT);

  test('best.safetensors keeps the epoch of the best validation accuracy; its model is the one tested, also after a resume elsewhere', async () => {
    const dir = tempDir();
    // in this seeded run the validation accuracy peaks at epoch 3 of 4 (66.7%, 76.7%, 83.3%, 80.0%)
    const r = await runCli(small(dir, '--epochs', '4', '--lr', '0.01', '--no-report'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('best epoch 3/4: validation accuracy 83.3%');
    type Metrics = { best: { epoch: number; valAccuracy: number; checkpoint: string }; test: { epoch: number; loss: number; accuracy: number }; data: { valSamples: number } };
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as Metrics;
    expect(m.best).toMatchObject({ epoch: 3, checkpoint: join(dir, 'best.safetensors') });
    expect(m.test.epoch).toBe(3);
    expect(m.data.valSamples).toBe(30);
    const best = loadCheckpoint(join(dir, 'best.safetensors'));
    const last = loadCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect([best.state.epoch, last.state.epoch]).toEqual([3, 4]);
    const data = await loadData({ dataset: 'mnist', dataDir: null, download: false, trainSize: 300, testSize: 100, valSplit: 0.1, seed: 0 });
    const model = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
    model.loadStateDict(best.modelState);
    const tested = evaluate(model, data.test, 500);
    expect(tested.accuracy).toBe(m.test.accuracy);
    expect(tested.loss).toBeCloseTo(m.test.loss, 6);
    model.loadStateDict(last.modelState);
    expect(evaluate(model, data.test, 500).loss).not.toBeCloseTo(m.test.loss, 4);

    // resumed with everything done, writing elsewhere: the best epoch's checkpoint is read from the first directory
    const out = tempDir();
    const again = await runCli(['train', '--resume', join(dir, 'checkpoint.safetensors'), '--out', out, '--no-report']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    const m2 = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Metrics;
    expect(m2.best).toMatchObject({ epoch: 3, checkpoint: join(dir, 'best.safetensors') });
    expect(m2.test.loss).toBe(m.test.loss);
  }, TRAIN_TIMEOUT);

  test('--val-split is checked: a fraction in (0, 1) that leaves both parts some samples', async () => {
    for (const bad of ['0', '1', '1.5', '-0.1']) {
      const r = await runCli(['train', '--val-split', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--val-split expects a number > 0 and < 1, got '${bad}'`);
    }
    const tiny = await runCli(['train', '--train-size', '3', '--val-split', '0.1', '--out', tempDir()]);
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toMatch(/^dl train: --val-split 0\.1 of the 3 training samples of MNIST \(embedded digits\) leaves no validation samples; choose a fraction between 0\.33 and 0\.67, or a larger --train-size\n/);
  }, TRAIN_TIMEOUT);
});

describe('resume', () => {
  test('stopped in the middle of an epoch (as by Ctrl-C): checkpoint at that batch, exit 130; resuming ends identical to the uninterrupted run', async () => {
    const dir = tempDir();
    const stopped = await runCli(small(dir, '--epochs', '3', '--no-report'), { interruptAt: [2, 2] });
    expect(stopped.code).toBe(130);
    const path = join(dir, 'checkpoint.safetensors');
    expect(stopped.stderr).toBe(`interrupted in epoch 2 after batch 2: checkpoint saved to ${path}\nresume with: dl train --resume ${path}\n`);
    const mid = loadCheckpoint(path);
    expect(mid.state).toMatchObject({ epoch: 1, batch: 2 });
    expect(mid.state.partial?.samples).toBe(100);
    expect(mid.optimizerState.state[0].step).toBe(6 + 2);

    const resumed = await runCli(['train', '--resume', path, '--no-report']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming from ${path} at epoch 2, batch 3`);
    expect(resumed.stdout).not.toMatch(/^epoch 1\/3/m);
    expect(resumed.stdout).toMatch(/^epoch 2\/3 /m);
    expectSameState(reference, loadCheckpoint(path));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, TRAIN_TIMEOUT);

  test('from an epoch boundary, with more epochs than first asked for', async () => {
    const dir = tempDir();
    expect((await runCli(small(dir, '--epochs', '1', '--no-report'))).code).toBe(0);
    const path = join(dir, 'checkpoint.safetensors');
    const r = await runCli(['train', '--resume', path, '--epochs', '3', '--no-report']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('at epoch 2\n');
    const after = loadCheckpoint(path);
    expect(after.state.settings.epochs).toBe(3);
    expectSameState(reference, after);
  }, TRAIN_TIMEOUT);

  test('the checkpoint settings are used; --out elsewhere writes there', async () => {
    const out = tempDir();
    const r = await runCli(['train', '--resume', join(referenceDir, 'checkpoint.safetensors'), '--out', out, '--no-report']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all 3 epochs are done');
    expect(existsSync(join(out, 'metrics.json'))).toBe(true);
  }, TRAIN_TIMEOUT);

  test('options that would change the results are refused, naming the option and the saved value', async () => {
    const path = join(referenceDir, 'checkpoint.safetensors');
    const r = await runCli(['train', '--resume', path, '--model', 'cnn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the checkpoint was trained with --model mlp; --model cnn cannot change in a resumed run");
    expect(r.stderr).toContain("Run 'dl train --help'");
    const lr = await runCli(['train', '--resume', path, '--lr', '0.1']);
    expect(lr.stderr).toContain('--lr 0.001; --lr 0.1 cannot change');
    const fewer = await runCli(['train', '--resume', path, '--epochs', '2']);
    expect(fewer.code).toBe(2);
    expect(fewer.stderr).toContain('the checkpoint has completed 3 epochs; --epochs 2 must be at least 3');
    const val = await runCli(['train', '--resume', path, '--val-split', '0.2']);
    expect(val.code).toBe(2);
    expect(val.stderr).toContain('--val-split 0.1; --val-split 0.2 cannot change');
    // giving the same value again is fine
    expect((await runCli(['train', '--resume', path, '--model', 'mlp', '--val-split', '0.1', '--out', tempDir(), '--no-report'])).code).toBe(0);
  }, TRAIN_TIMEOUT);

  test('a missing, truncated or foreign file is a clear error, exit 1', async () => {
    const dir = tempDir();
    const missing = await runCli(['train', '--resume', join(dir, 'nope.safetensors')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^dl: error: checkpoint '.*nope\.safetensors' does not exist; dl train writes <out>\/checkpoint\.safetensors/);
    const bytes = readFileSync(join(referenceDir, 'checkpoint.safetensors'));
    const cut = join(dir, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const truncated = await runCli(['eval', '--checkpoint', cut]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/checkpoint '.*cut\.safetensors' is not a readable safetensors file .*was it truncated\?/);
    const garbage = join(dir, 'garbage.safetensors');
    writeFileSync(garbage, 'hello, not a checkpoint');
    expect((await runCli(['predict', '--checkpoint', garbage, 'x.png'])).stderr).toMatch(/is not a readable safetensors file/);
  }, TRAIN_TIMEOUT);
});

describe('exit status and messages of data errors', () => {
  test('a size beyond the data, or an option the dataset or checkpoint does not take, is a wrong command line: exit 2 and the help pointer', async () => {
    const r = await runCli(['train', '--train-size', '9000', '--out', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "dl train: --train-size 9000 is more than the 8000 training samples of MNIST (embedded digits); give at most 8000 (or leave it out to use all)\nRun 'dl train --help' for the options.\n",
    );
    const test = await runCli(['train', '--test-size', '2001', '--out', tempDir()]);
    expect(test.code).toBe(2);
    expect(test.stderr).toMatch(/^dl train: --test-size 2001 is more than the 2000 test samples of MNIST \(embedded digits\)/);
    const evalSize = await runCli(['eval', '--checkpoint', join(referenceDir, 'checkpoint.safetensors'), '--test-size', '2001']);
    expect(evalSize.code).toBe(2);
    expect(evalSize.stderr).toMatch(/^dl eval: --test-size 2001 is more than the 2000 test samples .*\nRun 'dl eval --help' for the options\.\n$/);
    const download = await runCli(['train', '--dataset', 'cifar10', '--download', '--out', tempDir()]);
    expect(download.code).toBe(2);
    expect(download.stderr).toMatch(/^dl train: --download is not supported for --dataset cifar10; fetch cifar-10-binary\.tar\.gz from /);
  }, TRAIN_TIMEOUT);

  test('a --data-dir without the dataset: exit 1, naming the option, the directory and the files it must contain, not library calls', async () => {
    const none = join(tempDir(), 'none');
    const cifar = await runCli(['train', '--dataset', 'cifar10', '--data-dir', none, '--out', tempDir()]);
    expect(cifar.code).toBe(1);
    expect(cifar.stderr).toBe(
      `dl: error: --data-dir ${none} does not exist; for --dataset cifar10 it must contain data_batch_1.bin ... data_batch_5.bin and test_batch.bin ` +
        '(directly or in cifar-10-batches-bin/), or cifar-10-binary.tar.gz; download the binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html into it\n',
    );
    const empty = tempDir();
    const mnist = await runCli(['train', '--data-dir', empty, '--out', tempDir()]);
    expect(mnist.code).toBe(1);
    expect(mnist.stderr).toBe(
      `dl: error: --data-dir ${empty} does not hold the MNIST files; for --dataset mnist it must contain train-images-idx3-ubyte, train-labels-idx1-ubyte, ` +
        't10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz; directly or in MNIST/raw/); add --download to fetch them into it, ' +
        'or leave out --data-dir to use the 10,000 embedded digits\n',
    );
    const fashion = await runCli(['train', '--dataset', 'fashion-mnist', '--data-dir', empty, '--out', tempDir()]);
    expect(fashion.code).toBe(1);
    expect(fashion.stderr).toMatch(/^dl: error: --data-dir .* does not hold the Fashion-MNIST files; for --dataset fashion-mnist it must contain .* in FashionMNIST\/raw\/\); add --download/);
    for (const e of [cifar, mnist, fashion]) expect(e.stderr).not.toMatch(/\bload\(|\broot\b|await /);
  }, TRAIN_TIMEOUT);
});
