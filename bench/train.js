#!/usr/bin/env node
/**
 * Training benchmark: one epoch on the full Fashion-MNIST (60,000 images, batch 100, Adam lr 1e-3,
 * cross-entropy) with @dl on the native backend, and the same model, data order and settings in
 * PyTorch (when `/usr/bin/python3 -c 'import torch'` works) with the same number of threads.
 *
 *   node bench/train.js [--model mlp|cnn|lenet|all] [--epochs 1] [--limit N] [--threads 2] [--no-torch]
 *
 * Models (the course's and a LeNet-style CNN):
 *   mlp    Flatten, Linear(784, 300), ReLU, Linear(300, 10)
 *   cnn    Conv2d(1, 10, 3), ReLU, Flatten, Linear(6760, 300), ReLU, Linear(300, 10)
 *   lenet  Conv2d(1, 32, 3, pad 1), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, pad 1), ReLU, MaxPool2d(2),
 *          Flatten, Linear(3136, 128), ReLU, Linear(128, 10)
 * Each engine runs in its own child process (so peak RSS is its own); the epoch time excludes
 * loading the data and evaluating; test accuracy is on the 10,000 test images after the epochs.
 * Data: Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist, IDX, gzip), or
 * `--root DIR`. Prints one line per model and engine, then the ratios.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const ROOT = opt('root', '/usr/share/datasets/fashion-mnist');
const THREADS = Number(opt('threads', '2'));
const EPOCHS = Number(opt('epochs', '1'));
const LIMIT = Number(opt('limit', '0'));
const PYTHON = '/usr/bin/python3';

/** Reads an IDX file (raw or .gz): { dims, data: Uint8Array }. */
function readIdx(stem) {
  const file = [path.join(ROOT, stem), path.join(ROOT, `${stem}.gz`)].find((f) => fs.existsSync(f));
  if (!file) {
    throw new Error(`bench/train.js: ${stem}(.gz) not found in ${ROOT}; install Debian's dataset-fashion-mnist or pass --root DIR`);
  }
  let buf = fs.readFileSync(file);
  if (file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const magic = buf.readUInt32BE(0);
  if (magic >> 8 !== 8) throw new Error(`${file}: not an unsigned-byte IDX file (magic 0x${magic.toString(16)})`);
  const nd = magic & 0xff;
  const dims = [];
  for (let i = 0; i < nd; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const data = new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * nd, dims.reduce((a, b) => a * b, 1));
  return { dims, data };
}

function images(stem) {
  const { dims, data } = readIdx(stem);
  const x = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) x[i] = data[i] / 255;
  return { n: dims[0], x };
}

function labels(stem) {
  return Int32Array.from(readIdx(stem).data);
}

// ---- the @dl side (runs in a child process) ----

function child(modelName, orderFile) {
  const t = require('@dl/tensor');
  const { noGrad } = require('@dl/autograd');
  const L = require('@dl/layers');
  const { CrossEntropyLoss } = require('@dl/losses');
  const { Adam } = require('@dl/optim');
  t.manualSeed(0);
  const models = {
    mlp: () => new L.Sequential(new L.Flatten(), new L.Linear(784, 300), new L.ReLU(), new L.Linear(300, 10)),
    cnn: () =>
      new L.Sequential(new L.Conv2d(1, 10, 3), new L.ReLU(), new L.Flatten(), new L.Linear(6760, 300), new L.ReLU(), new L.Linear(300, 10)),
    lenet: () =>
      new L.Sequential(
        new L.Conv2d(1, 32, 3, { padding: 1 }), new L.ReLU(), new L.MaxPool2d(2),
        new L.Conv2d(32, 64, 3, { padding: 1 }), new L.ReLU(), new L.MaxPool2d(2),
        new L.Flatten(), new L.Linear(3136, 128), new L.ReLU(), new L.Linear(128, 10),
      ),
  };
  const tr = images('train-images-idx3-ubyte');
  const ytr = labels('train-labels-idx1-ubyte');
  const te = images('t10k-images-idx3-ubyte');
  const yte = labels('t10k-labels-idx1-ubyte');
  const n = LIMIT || tr.n;
  const order = new Int32Array(fs.readFileSync(orderFile).buffer.slice(0));
  const model = models[modelName]();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new CrossEntropyLoss();
  const B = 100;
  const epochS = [];
  let loss = null;
  for (let e = 0; e < EPOCHS; e++) {
    model.train();
    const t0 = process.hrtime.bigint();
    for (let b = 0; b + B <= n; b += B) {
      const xb = new Float32Array(B * 784);
      const yb = new Int32Array(B);
      for (let i = 0; i < B; i++) {
        const j = order[e * n + b + i];
        xb.set(tr.x.subarray(j * 784, (j + 1) * 784), i * 784);
        yb[i] = ytr[j];
      }
      const x = new t.Tensor(xb, [B, 1, 28, 28]);
      const y = new t.Tensor(yb, [B]);
      opt.zeroGrad();
      loss = lossFn.forward(model.forward(x), y);
      loss.backward();
      opt.step();
    }
    epochS.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (let b = 0; b < te.n; b += 1000) {
      const m = Math.min(1000, te.n - b);
      const x = new t.Tensor(te.x.subarray(b * 784, (b + m) * 784), [m, 1, 28, 28]);
      const pred = model.forward(x).data.argmax({ dim: 1 }).toTypedArray();
      for (let i = 0; i < m; i++) if (pred[i] === yte[b + i]) correct++;
    }
  });
  const rss = process.resourceUsage().maxRSS / 1024;
  const info = t.getBackend().name;
  console.log(JSON.stringify({ epoch_s: epochS, test_acc: correct / te.n, peak_rss_mb: rss, backend: info, loss: loss ? loss.item() : null }));
}

// ---- the driver ----

function run(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr || r.stdout}`);
  const line = r.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

function main() {
  if (args.includes('--child')) return child(opt('model', 'mlp'), opt('order', ''));
  const names = opt('model', 'all') === 'all' ? ['mlp', 'cnn', 'lenet'] : opt('model', 'mlp').split(',');
  const withTorch = !args.includes('--no-torch') && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  // One shuffled order for both engines (a seeded permutation per epoch).
  const t = require('@dl/tensor');
  const n = LIMIT || readIdx('train-labels-idx1-ubyte').dims[0];
  const g = new t.Generator(1234);
  const order = new Int32Array(n * EPOCHS);
  for (let e = 0; e < EPOCHS; e++) order.set(t.randperm(n, { generator: g }).toTypedArray(), e * n);
  const orderFile = path.join(os.tmpdir(), `dl-train-order-${process.pid}.bin`);
  fs.writeFileSync(orderFile, Buffer.from(order.buffer));
  const env = { DL_NUM_THREADS: String(THREADS), OMP_NUM_THREADS: String(THREADS) };
  console.log(`Fashion-MNIST ${n} training images, batch 100, Adam lr 1e-3, ${EPOCHS} epoch(s), ${THREADS} threads, ${os.cpus()[0].model}`);
  const rows = [];
  try {
    for (const name of names) {
      const common = ['--model', name, '--threads', String(THREADS), '--epochs', String(EPOCHS), '--limit', String(LIMIT), '--root', ROOT, '--order', orderFile];
      const ours = run(process.execPath, [__filename, '--child', ...common], env);
      const fmt = (r) => `epoch ${r.epoch_s.map((s) => s.toFixed(2)).join(' / ')} s, test acc ${(100 * r.test_acc).toFixed(2)}%, peak RSS ${r.peak_rss_mb.toFixed(0)} MB`;
      console.log(`${name.padEnd(6)} @dl (${ours.backend})   ${fmt(ours)}`);
      let torch = null;
      if (withTorch) {
        torch = run(PYTHON, [path.join(__dirname, 'train_torch.py'), ...common], env);
        console.log(`${name.padEnd(6)} PyTorch ${torch.torch} ${fmt(torch)}`);
      }
      rows.push({ name, ours, torch });
    }
  } finally {
    fs.rmSync(orderFile, { force: true });
  }
  if (withTorch) {
    console.log('\nratios (time per epoch, @dl / PyTorch; < 1 means @dl is faster):');
    for (const { name, ours, torch } of rows) {
      const a = ours.epoch_s.reduce((x, y) => x + y, 0);
      const b = torch.epoch_s.reduce((x, y) => x + y, 0);
      console.log(`  ${name.padEnd(6)} ${(a / b).toFixed(2)}x   (${a.toFixed(2)} s vs ${b.toFixed(2)} s)`);
    }
  }
}

main();
