#!/usr/bin/env node
/**
 * Accuracy and speed benchmark (issue 5): train to a target test accuracy on the full
 * Fashion-MNIST with @dl on the native backend, and the same architecture and settings in PyTorch
 * (when `/usr/bin/python3 -c 'import torch'` works) in the same run, with the same thread count.
 *
 *   node bench/accuracy.js                                   # all models, ours and PyTorch
 *   node bench/accuracy.js --model cnn --epochs 3 --no-torch
 *   node bench/accuracy.js --model mlp,cnn --torch-epochs 1  # PyTorch only for its time per epoch
 *   node bench/accuracy.js --model all --limit 2000 --epochs 1   # smoke test
 *   DL_NUM_THREADS=1 node bench/accuracy.js --threads 1 --model cnn-bn-aug --json /tmp/acc.json
 *
 * Options:
 *   --model mlp|cnn|cnn-bn-aug|course-mlp|all (or a comma list; default all)
 *   --epochs N        override every model's number of epochs (the lr schedule follows it)
 *   --limit N         train on the first N training images only (smoke tests)
 *   --torch-epochs N  PyTorch runs N epochs (same schedule length as ours; its accuracy is then
 *                     that of a partly trained model, which the output says)
 *   --no-torch        skip PyTorch
 *   --threads N       threads of both engines: DL_NUM_THREADS of our native pool and
 *                     torch.set_num_threads (default: $DL_NUM_THREADS, else the number of cores)
 *   --mnist-root DIR  full MNIST IDX files for course-mlp (else looked for in standard places)
 *   --root DIR        Fashion-MNIST IDX files (default: Debian's /usr/share/datasets/fashion-mnist)
 *   --json FILE       write every figure (per-epoch accuracy and times, settings) as JSON
 *
 * Published Fashion-MNIST figures the targets come from: MLP 256-128-100 0.883, "2 Conv +
 * pooling" 0.916, "2 Conv + pooling + BN" 0.934. Every model: batch 100, Adam (PyTorch's
 * defaults, betas 0.9/0.999, eps 1e-8), cross-entropy on logits, a shuffled order per epoch from a
 * seeded generator, weights from manualSeed(0). Inputs are pixels / 255, then normalized with the
 * training set's mean and std where listed.
 *
 *   mlp          Fashion-MNIST, target 0.885. Normalize(0.2860, 0.3530).
 *                Flatten, Linear(784, 512), ReLU, Dropout(0.2), Linear(512, 256), ReLU, Dropout(0.2),
 *                Linear(256, 10). Adam lr 1e-3, cosine annealing to 0 over all steps, 20 epochs.
 *   cnn          Fashion-MNIST, target 0.916. Normalize(0.2860, 0.3530).
 *                Conv2d(1, 32, 3, pad 1), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, pad 1), ReLU,
 *                MaxPool2d(2), Flatten, Linear(3136, 128), ReLU, Dropout(0.3), Linear(128, 10).
 *                Adam lr 1e-3, cosine annealing over all steps, 10 epochs.
 *   cnn-bn-aug   Fashion-MNIST, target 0.930. Augmentation of each training image: RandomCrop(28,
 *                padding 2, fill 0), RandomHorizontalFlip(0.5); then Normalize(0.2860, 0.3530).
 *                Conv2d(1, 32, 3, pad 1), BatchNorm2d(32), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, pad 1),
 *                BatchNorm2d(64), ReLU, MaxPool2d(2), Flatten, Linear(3136, 256), BatchNorm1d(256), ReLU,
 *                Dropout(0.3), Linear(256, 10). Adam lr 2e-3, cosine annealing over all steps, 15 epochs.
 *   course-mlp   the course's MLP: Flatten, Linear(784, 300), ReLU, Linear(300, 10); pixels / 255
 *                (no normalization), Adam lr 1e-3, constant lr, 20 epochs. On the 10,000 digits
 *                embedded in @dl/data (8,000 train / 2,000 test), and on the full MNIST (60,000 /
 *                10,000) when its IDX files are found. The course reports 97.98% on MNIST.
 *
 * A target is met when the test accuracy after the last epoch reaches it (the best epoch is shown
 * too, but choosing it would be selecting on the test set).
 *
 * Each engine trains in its own child process. The epoch time is the sum over the batches of
 * forward + loss + backward + optimizer and scheduler step: building batches (shuffling, the
 * augmentation, normalization) and the test evaluation after each epoch are timed apart. PyTorch
 * (bench/accuracy_torch.py) reads the very images and labels our datasets hold (written to a
 * temporary folder as raw bytes) and applies the same augmentation with tensor ops.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PYTHON = '/usr/bin/python3';
const FASHION_MEAN_STD = [0.286, 0.353];

/**
 * The models. `layers` builds the @dl module (the PyTorch twin builds the same by name);
 * `dataset` is 'fashion' or 'mnist'; `augment` lists the per-image transforms of training.
 */
/** The settings the three Fashion-MNIST models share (each overrides what differs). */
const fashion = (m) => ({ dataset: 'fashion', lr: 1e-3, schedule: 'cosine', normalize: FASHION_MEAN_STD, augment: [], ...m });

const MODELS = {
  mlp: fashion({
    target: 0.885,
    epochs: 20,
    layers: (L) =>
      new L.Sequential(
        new L.Flatten(), new L.Linear(784, 512), new L.ReLU(), new L.Dropout(0.2),
        new L.Linear(512, 256), new L.ReLU(), new L.Dropout(0.2), new L.Linear(256, 10),
      ),
  }),
  cnn: fashion({
    target: 0.916,
    epochs: 10,
    layers: (L) =>
      new L.Sequential(
        new L.Conv2d(1, 32, 3, { padding: 1 }), new L.ReLU(), new L.MaxPool2d(2),
        new L.Conv2d(32, 64, 3, { padding: 1 }), new L.ReLU(), new L.MaxPool2d(2),
        new L.Flatten(), new L.Linear(3136, 128), new L.ReLU(), new L.Dropout(0.3), new L.Linear(128, 10),
      ),
  }),
  'cnn-bn-aug': fashion({
    target: 0.93,
    epochs: 15,
    lr: 2e-3,
    augment: ['crop2', 'hflip'],
    layers: (L) =>
      new L.Sequential(
        new L.Conv2d(1, 32, 3, { padding: 1 }), new L.BatchNorm2d(32), new L.ReLU(), new L.MaxPool2d(2),
        new L.Conv2d(32, 64, 3, { padding: 1 }), new L.BatchNorm2d(64), new L.ReLU(), new L.MaxPool2d(2),
        new L.Flatten(), new L.Linear(3136, 256), new L.BatchNorm1d(256), new L.ReLU(), new L.Dropout(0.3),
        new L.Linear(256, 10),
      ),
  }),
  'course-mlp': {
    dataset: 'mnist',
    target: null,
    reference: 0.9798,
    epochs: 20,
    lr: 1e-3,
    schedule: 'constant',
    normalize: null,
    augment: [],
    layers: (L) => new L.Sequential(new L.Flatten(), new L.Linear(784, 300), new L.ReLU(), new L.Linear(300, 10)),
  },
};
const BATCH = 100;
const TEST_BATCH = 1000;

// ---- options ----

const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`option --${name} needs a value`);
  return v;
}
function intOpt(name, def) {
  const v = opt(name, undefined);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`option --${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}
function fail(msg) {
  console.error(`bench/accuracy.js: ${msg}`);
  process.exit(2);
}

const THREADS = intOpt('threads', Number(process.env.DL_NUM_THREADS) || os.cpus().length);
const FASHION_ROOT = opt('root', '/usr/share/datasets/fashion-mnist');

// ---- data (both processes) ----

/**
 * The training and test sets of a run: `{ train, test, desc }` with @dl/data InMemoryImageDatasets.
 * `source` is 'fashion', 'mnist-embedded' or 'mnist-idx:<dir>'.
 */
function loadData(source, transform) {
  const D = require('@dl/data');
  if (source === 'fashion') {
    return {
      train: new D.FashionMNIST({ root: FASHION_ROOT, train: true, transform }),
      test: new D.FashionMNIST({ root: FASHION_ROOT, train: false }),
      desc: `Fashion-MNIST (${FASHION_ROOT})`,
    };
  }
  if (source === 'mnist-embedded') {
    return { train: new D.MNIST({ train: true, transform }), test: new D.MNIST({ train: false }), desc: 'MNIST, the 10,000 digits embedded in @dl/data' };
  }
  if (source.startsWith('mnist-idx:')) {
    const root = source.slice('mnist-idx:'.length);
    return { train: new D.MNIST({ root, train: true, transform }), test: new D.MNIST({ root, train: false }), desc: `MNIST (${root})` };
  }
  throw new Error(`bench/accuracy.js: unknown data source ${source}`);
}

/** Folders where full MNIST IDX files are commonly kept (MNIST({ root }) also looks in root/MNIST/raw). */
function findMnistRoot() {
  const explicit = opt('mnist-root', undefined);
  const names = ['train-images-idx3-ubyte', 'train-images-idx3-ubyte.gz'];
  const has = (dir) => [dir, path.join(dir, 'MNIST', 'raw'), path.join(dir, 'MNIST')].some((d) => names.some((n) => fs.existsSync(path.join(d, n))));
  if (explicit !== undefined) {
    if (!has(explicit)) fail(`--mnist-root ${explicit}: no train-images-idx3-ubyte(.gz) there (nor in its MNIST/raw or MNIST folder)`);
    return explicit;
  }
  const candidates = [
    '/usr/share/datasets/mnist',
    '/usr/share/mnist',
    path.join(__dirname, '..', 'data'),
    path.join(os.homedir(), 'data'),
    path.join(os.homedir(), '.cache', 'mnist'),
  ];
  return candidates.find(has) ?? null;
}

// ---- training (the child process) ----

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Per-image augmentation transforms (run by the dataset's `get`, i.e. while building batches). */
function augmentation(names, generator) {
  const D = require('@dl/data');
  const ts = names.map((n) => {
    if (n === 'crop2') return D.randomCrop(28, { padding: 2, fill: 0, generator });
    if (n === 'hflip') return D.randomHorizontalFlip(0.5, { generator });
    throw new Error(`bench/accuracy.js: unknown augmentation ${n}`);
  });
  return ts.length ? D.compose(ts) : undefined;
}

/** Fraction of `data` classified correctly (eval mode, no graph). */
function evaluate(model, data) {
  const D = require('@dl/data');
  const { noGrad } = require('@dl/autograd');
  const { accuracy } = require('@dl/metrics');
  const norm = data.normalize;
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const [x, y] of new D.DataLoader(data.test, { batchSize: TEST_BATCH })) {
      const logits = model.call(norm ? norm(x) : x);
      correct += Math.round(accuracy(logits, y) * y.shape[0]);
    }
  });
  return correct / data.test.length;
}

function child(name, source, epochs, limit) {
  const t = require('@dl/tensor');
  const D = require('@dl/data');
  const L = require('@dl/layers');
  const { CrossEntropyLoss } = require('@dl/losses');
  const { Adam, CosineAnnealingLR } = require('@dl/optim');
  const spec = MODELS[name];
  t.manualSeed(0);
  const data = loadData(source, augmentation(spec.augment, new t.Generator(2)));
  const train = limit ? new D.Subset(data.train, Array.from({ length: Math.min(limit, data.train.length) }, (_, i) => i)) : data.train;
  data.normalize = spec.normalize ? D.normalize(spec.normalize[0], spec.normalize[1]) : null;
  const loader = new D.DataLoader(train, { batchSize: BATCH, shuffle: true, generator: new t.Generator(1) });
  const model = spec.layers(L);
  const opt = new Adam(model.parameters(), { lr: spec.lr });
  const sched = spec.schedule === 'cosine' ? new CosineAnnealingLR(opt, { tMax: epochs * loader.length }) : null;
  const lossFn = new CrossEntropyLoss();
  const rows = [];
  for (let e = 1; e <= epochs; e++) {
    model.train();
    let trainS = 0;
    let dataS = 0;
    let lossSum = 0;
    let tReady = now();
    for (const [xRaw, y] of loader) {
      const x = data.normalize ? data.normalize(xRaw) : xRaw;
      const t0 = now();
      dataS += t0 - tReady;
      opt.zeroGrad();
      const loss = lossFn.forward(model.call(x), y);
      loss.backward();
      opt.step();
      if (sched) sched.step();
      lossSum += loss.item() * y.shape[0];
      tReady = now();
      trainS += tReady - t0;
    }
    const t1 = now();
    const testAcc = evaluate(model, data);
    const row = { epoch: e, loss: lossSum / train.length, test_acc: testAcc, train_s: trainS, data_s: dataS, eval_s: now() - t1, lr: opt.paramGroups[0].lr };
    rows.push(row);
    console.error(`  ${name} @dl epoch ${e}/${epochs}: loss ${row.loss.toFixed(4)}, test acc ${(100 * testAcc).toFixed(2)}%, train ${trainS.toFixed(2)} s (batches ${dataS.toFixed(2)} s, eval ${row.eval_s.toFixed(2)} s)`);
  }
  const backend = t.getBackend().name;
  console.log(JSON.stringify({ engine: '@dl', backend, epochs: rows, n_train: train.length, n_test: data.test.length, data: data.desc, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

// ---- the driver ----

/** Writes a run's images and labels as raw bytes for the PyTorch process; returns the folder. */
function exportForTorch(source, limit, dir) {
  const { train, test } = loadData(source, undefined);
  const n = limit ? Math.min(limit, train.length) : train.length;
  const per = train.imageShape.reduce((a, b) => a * b, 1);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'x_train.u8'), train.images.subarray(0, n * per));
  fs.writeFileSync(path.join(dir, 'y_train.i32'), Buffer.from(train.targets.slice(0, n).buffer));
  fs.writeFileSync(path.join(dir, 'x_test.u8'), test.images);
  fs.writeFileSync(path.join(dir, 'y_test.i32'), Buffer.from(test.targets.slice().buffer));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ n_train: n, n_test: test.length, shape: train.imageShape }));
  return dir;
}

function runChild(cmd, argv, env, what) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  const line = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !line) throw new Error(`bench/accuracy.js: ${what} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${cmd} ${argv.join(' ')}`);
  return JSON.parse(line);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Final, best and timing figures of one engine's result. */
function summarize(r) {
  const accs = r.epochs.map((row) => row.test_acc);
  const best = Math.max(...accs);
  return { epochs: accs.length, final: accs[accs.length - 1], best, best_epoch: accs.indexOf(best) + 1, s_per_epoch: mean(r.epochs.map((row) => row.train_s)) };
}

const pct = (x) => `${(100 * x).toFixed(2)}%`;

function main() {
  if (args.includes('--child')) return child(opt('model', ''), opt('source', ''), intOpt('epochs', 1), intOpt('limit', 0));
  const which = opt('model', 'all');
  const names = which === 'all' ? Object.keys(MODELS) : which.split(',');
  for (const n of names) if (!MODELS[n]) fail(`unknown --model ${n}; choose from ${Object.keys(MODELS).join(', ')} or all`);
  const epochsOverride = intOpt('epochs', 0);
  const limit = intOpt('limit', 0);
  const torchEpochsOpt = intOpt('torch-epochs', 0);
  const jsonFile = opt('json', undefined);
  let withTorch = !args.includes('--no-torch');
  if (withTorch && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    console.log(`(PyTorch not found: ${PYTHON} -c 'import torch' failed; running @dl only)`);
    withTorch = false;
  }
  // The runs: course-mlp runs on the embedded digits and, when found, on the full MNIST.
  const runs = [];
  for (const name of names) {
    const spec = MODELS[name];
    if (spec.dataset === 'fashion') runs.push({ name, source: 'fashion' });
    else {
      runs.push({ name, source: 'mnist-embedded' });
      const root = findMnistRoot();
      if (root) runs.push({ name, source: `mnist-idx:${root}` });
      else console.log('(course-mlp: no full MNIST IDX files found; pass --mnist-root DIR to train on them too)');
    }
  }
  process.env.DL_NUM_THREADS = String(THREADS); // before @dl/tensor loads in this process (exportForTorch)
  const env = { DL_NUM_THREADS: String(THREADS), OMP_NUM_THREADS: String(THREADS), MKL_NUM_THREADS: String(THREADS) };
  console.log(`accuracy benchmark: ${THREADS} thread(s), batch ${BATCH}, ${os.cpus()[0].model}, node ${process.version}${limit ? `, first ${limit} training images only` : ''}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-accuracy-'));
  const results = [];
  try {
    for (const run of runs) {
      const spec = MODELS[run.name];
      const epochs = epochsOverride || spec.epochs;
      const torchEpochs = Math.min(torchEpochsOpt || epochs, epochs);
      const common = ['--model', run.name, '--source', run.source, '--limit', String(limit), '--root', FASHION_ROOT];
      console.log(`\n${run.name} on ${run.source}: ${epochs} epoch(s), Adam lr ${spec.lr}, ${spec.schedule} lr${spec.augment.length ? `, augmentation ${spec.augment.join('+')}` : ''}`);
      const ours = runChild(process.execPath, [__filename, '--child', ...common, '--epochs', String(epochs), '--threads', String(THREADS)], env, `@dl ${run.name}`);
      let torch = null;
      if (withTorch) {
        const dir = exportForTorch(run.source, limit, path.join(tmp, run.source.replace(/[^a-z0-9-]/gi, '_')));
        torch = runChild(
          PYTHON,
          [
            path.join(__dirname, 'accuracy_torch.py'), '--model', run.name, '--data', dir, '--threads', String(THREADS),
            '--epochs', String(torchEpochs), '--schedule-epochs', String(epochs), '--lr', String(spec.lr), '--schedule', spec.schedule,
            '--augment', spec.augment.join(',') || 'none', '--normalize', spec.normalize ? spec.normalize.join(',') : 'none',
          ],
          env,
          `PyTorch ${run.name}`,
        );
      }
      results.push({ ...run, epochs, target: spec.target, reference: spec.reference ?? null, lr: spec.lr, schedule: spec.schedule, augment: spec.augment, threads: THREADS, ours, torch });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  report(results, limit);
  if (jsonFile) {
    fs.writeFileSync(jsonFile, JSON.stringify({ command: `node bench/accuracy.js ${args.join(' ')}`, threads: THREADS, limit, cpu: os.cpus()[0].model, results }, null, 1));
    console.log(`\nwrote ${jsonFile}`);
  }
}

/** Prints the summary table: accuracy, target, time per epoch, PyTorch and the ratio. */
function report(results, limit) {
  console.log(`\nsummary (${THREADS} thread(s); s/epoch = forward + backward + step over all batches of an epoch, mean over epochs)`);
  console.log('model        data             epochs  final    best (ep)      target          @dl s/ep  torch ep  torch final  torch s/ep  ours/torch');
  for (const r of results) {
    const o = summarize(r.ours);
    const goal = r.target ?? r.reference;
    const met = goal === null ? '' : r.target !== null ? `${pct(goal)} ${o.final >= goal ? 'met' : 'NOT met'}` : `course ${pct(goal)}`;
    const data = r.source.startsWith('mnist-idx') ? 'MNIST full' : r.source === 'mnist-embedded' ? 'MNIST 8k/2k' : 'Fashion-MNIST';
    let torchCols = '';
    if (r.torch) {
      const tr = summarize(r.torch);
      const partial = tr.epochs < o.epochs ? '*' : ' ';
      torchCols = `${String(tr.epochs).padStart(8)}${partial} ${pct(tr.final).padStart(10)}  ${tr.s_per_epoch.toFixed(2).padStart(10)}  ${(o.s_per_epoch / tr.s_per_epoch).toFixed(2).padStart(9)}x`;
    }
    console.log(
      `${r.name.padEnd(12)} ${data.padEnd(16)} ${String(o.epochs).padStart(6)}  ${pct(o.final).padStart(7)}  ${pct(o.best).padStart(7)} (${String(o.best_epoch).padStart(2)})  ${met.padEnd(14)}  ${o.s_per_epoch.toFixed(2).padStart(8)}${torchCols}`,
    );
  }
  if (results.some((r) => r.torch && r.torch.epochs.length < r.epochs)) {
    console.log('* PyTorch ran fewer epochs than @dl (--torch-epochs): its time per epoch compares, its accuracy is that of a partly trained model (same lr schedule length).');
  }
  if (limit) console.log(`(trained on the first ${limit} training images only: the accuracies are not the benchmark's)`);
}

main();
