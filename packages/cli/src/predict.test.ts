/**
 * `dl eval` and `dl predict` on a checkpoint trained here (a few hundred embedded digits):
 * eval's numbers of the best checkpoint agree with the training run's test metrics, and predict
 * on PNG files made from test digits (as they are, and as dark ink on white paper at 3x size)
 * gives the class the model gives to the digit itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { noGrad } from '@dl/autograd';
import { MNIST } from '@dl/data';
import { Tensor } from '@dl/tensor';
import { loadCheckpoint } from './checkpoint';
import { topK, type Prediction } from './commands/predict';
import { buildModel } from './models';
import { tempDir } from './testing/files';
import { digitPainter, writePng } from './testing/png';
import { runCli } from './testing/run';

/** For the hook that trains the model and the tests that run dl commands on it (busy 2-core machines are slow). */
const TIMEOUT = 180_000;

let dir: string;
let checkpoint: string;
let best: string;
const test5 = new MNIST({ train: false });
const N = 5;

/** The first N test digits as [N, 1, 28, 28] float32 and the model's classes for them. */
function digits(): { x: Tensor; pixels: Float32Array[] } {
  const pixels = Array.from({ length: N }, (_, i) => Float32Array.from(test5.rawImage(i), (b) => b / 255));
  const flat = new Float32Array(N * 784);
  pixels.forEach((p, i) => flat.set(p, i * 784));
  return { x: new Tensor(flat, [N, 1, 28, 28]), pixels };
}

beforeAll(async () => {
  dir = tempDir();
  checkpoint = join(dir, 'checkpoint.safetensors');
  best = join(dir, 'best.safetensors');
  const r = await runCli(['train', '--train-size', '500', '--test-size', '200', '--batch-size', '50', '--epochs', '2', '--no-report', '--out', dir]);
  if (r.code !== 0) throw new Error(r.stderr);
}, TIMEOUT);

describe('dl eval', () => {
  test('prints loss, accuracy, the confusion matrix and per-class scores of the best checkpoint, equal to the test metrics of training', async () => {
    const r = await runCli(['eval', '--checkpoint', best]);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { best: { epoch: number }; test: { loss: number; accuracy: number; correct: number } };
    expect(loadCheckpoint(best).state.epoch).toBe(m.best.epoch);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`dl eval: mlp (epoch ${m.best.epoch}) on MNIST (embedded digits) test split: 200 samples`);
    expect(lines[1]).toBe(`loss ${m.test.loss.toFixed(4)}  accuracy ${(100 * m.test.accuracy).toFixed(2)}% (${m.test.correct}/200)  macro F1 ${lines[1].slice(-5)}`);
    expect(lines[2]).toBe('confusion matrix (rows: true class, columns: predicted class)');
    expect(lines[3]).toMatch(/^ +true\\pred +0 +1 +2 +3 +4 +5 +6 +7 +8 +9$/);
    const rows = lines.slice(4, 14).map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows.map((r0) => r0[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows.reduce((s, r0) => s + r0.slice(1).reduce((a, b) => a + b, 0), 0)).toBe(200);
    expect(rows.reduce((s, r0, i) => s + r0[i + 1], 0)).toBe(m.test.correct);
    expect(lines[14]).toMatch(/^ +class precision +recall +f1 +support$/);
  }, TIMEOUT);

  test('--json and --test-size', async () => {
    const r = await runCli(['eval', '--checkpoint', checkpoint, '--json', '--test-size', '50']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { samples: number; accuracy: number; confusionMatrix: number[][]; perClass: { class: string }[] };
    expect(j.samples).toBe(50);
    expect(j.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(50);
    expect(j.perClass.map((c) => c.class)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  }, TIMEOUT);

  test('a dataset of another shape is refused; a missing one is named', async () => {
    const cifar = join(dir, 'cifar');
    mkdirSync(cifar);
    // five CIFAR-10 binary records: a label byte, then 3 x 32 x 32 pixel bytes
    writeFileSync(join(cifar, 'test_batch.bin'), Buffer.alloc(5 * 3073, 7));
    const r = await runCli(['eval', '--checkpoint', checkpoint, '--dataset', 'cifar10', '--data-dir', cifar]);
    expect(r.code).toBe(2); // the command line asks for data the checkpoint cannot take
    expect(r.stderr).toBe(
      `dl eval: checkpoint '${checkpoint}' takes inputs [1, 28, 28] with 10 classes, but CIFAR-10 (${cifar}) has [3, 32, 32] and 10; ` +
        "evaluate it on a dataset of that shape (--dataset mnist, or leave --dataset out)\nRun 'dl eval --help' for the options.\n",
    );
    const none = await runCli(['eval', '--checkpoint', checkpoint, '--dataset', 'cifar10', '--data-dir', join(dir, 'nothing-here')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^dl: error: .*nothing-here/);
  }, TIMEOUT);
});

describe('dl predict', () => {
  test('PNG files of test digits get the classes the model gives the digits; dark-on-light, larger pictures too', async () => {
    const { x, pixels } = digits();
    const ck = loadCheckpoint(checkpoint);
    const model = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
    model.loadStateDict(ck.modelState);
    model.eval();
    const probs = noGrad(() => model.call(x).data.softmax(1).toTypedArray());
    const files: string[] = [];
    pixels.forEach((p, i) => files.push(writePng(join(dir, `digit${i}.png`), 28, 28, digitPainter(p))));
    const paper = writePng(join(dir, 'paper0.png'), 84, 84, digitPainter(pixels[0], { darkOnLight: true, scale: 3 }));

    const r = await runCli(['predict', '--checkpoint', checkpoint, '--json', ...files, paper]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Prediction[];
    expect(out.map((o) => o.file)).toEqual([...files, paper]);
    out.slice(0, N).forEach((o, i) => {
      const expected = topK(probs, i * 10, 10, 3);
      expect(o.inverted).toBe(false);
      expect(o.top.map((t) => t.index)).toEqual(expected.map((t) => t.index));
      o.top.forEach((t, k) => expect(t.probability).toBeCloseTo(expected[k].probability, 5));
      expect(o.top.map((t) => t.label)).toEqual(expected.map((t) => String(t.index)));
    });
    expect(out[N].inverted).toBe(true);
    expect(out[N].top[0].index).toBe(out[0].top[0].index);
    expect(out[N].top[0].probability).toBeCloseTo(out[0].top[0].probability, 4);
  }, TIMEOUT);

  test('the text output: one line per image, top 3 with percentages', async () => {
    const { pixels } = digits();
    const file = writePng(join(dir, 'one.png'), 28, 28, digitPainter(pixels[1]));
    const r = await runCli(['predict', '--checkpoint', checkpoint, file, '--top', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: \\d \\(\\d+\\.\\d%\\) {2}\\d \\(\\d+\\.\\d%\\)\\n$`));
  }, TIMEOUT);

  test('missing and undecodable images are clear errors naming the file', async () => {
    const missing = await runCli(['predict', '--checkpoint', checkpoint, join(dir, 'nope.png')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`dl: error: image '${join(dir, 'nope.png')}' does not exist\n`);
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'not really a picture');
    const bad = await runCli(['predict', '--checkpoint', checkpoint, text]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(text);
    expect(bad.stderr).toMatch(/not a PNG or JPEG/);
  }, TIMEOUT);
});
