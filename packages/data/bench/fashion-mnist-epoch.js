#!/usr/bin/env node
/**
 * Time to iterate Fashion-MNIST's 60,000 training images once with a DataLoader
 * (batchSize 100, shuffle, seeded generator), as a training loop would, without the model.
 *
 *   node packages/data/bench/fashion-mnist-epoch.js [--root DIR] [--epochs 3]
 *
 * Needs dist/ (`npx tsc -p tsconfig.build.json` in packages/data) and the IDX files (default: Debian's
 * /usr/share/datasets/fashion-mnist). Prints the load time (gunzip + parse), each epoch's wall
 * time (the first includes making the float32 copy of the images), the same with a per-sample
 * transform (which turns the batch fast path off), and, when `/usr/bin/python3 -c 'import torch'`
 * works, PyTorch's DataLoader over a TensorDataset of the same float32 images (torchvision is not
 * needed) with the same settings. No test asserts any of these figures.
 */
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const ROOT = opt('root', '/usr/share/datasets/fashion-mnist');
const EPOCHS = Number(opt('epochs', '3'));

const data = require(path.join(__dirname, '..'));
const { Generator, getBackend } = require(path.join(__dirname, '..', '..', 'tensor'));

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

function epoch(loader) {
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const [x] of loader) n += x.shape[0];
  return { ms: ms(t0), n };
}

let t0 = process.hrtime.bigint();
const train = new data.FashionMNIST({ root: ROOT, train: true });
console.log(`@dl/data FashionMNIST train: ${train.length} images loaded in ${ms(t0).toFixed(0)} ms (backend ${getBackend().name})`);

const loader = new data.DataLoader(train, { batchSize: 100, shuffle: true, generator: new Generator(0) });
for (let e = 0; e < EPOCHS; e++) {
  const r = epoch(loader);
  console.log(`  epoch ${e + 1}: ${loader.length} batches, ${r.n} images, ${r.ms.toFixed(0)} ms${e === 0 ? ' (includes the float32 copy)' : ''}`);
}

const perSample = new data.FashionMNIST({ root: ROOT, train: true, transform: (x) => x });
const slow = epoch(new data.DataLoader(perSample, { batchSize: 100, shuffle: true, generator: new Generator(0) }));
console.log(`  per-sample path (a transform set, get + stack per batch): ${slow.ms.toFixed(0)} ms per epoch`);

if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) {
  const py = `
import gzip, sys, time, numpy as np, torch
from torch.utils.data import DataLoader, TensorDataset
root = sys.argv[1]
t = time.perf_counter()
raw = gzip.open(root + '/train-images-idx3-ubyte.gz').read()
x = torch.from_numpy(np.frombuffer(raw, np.uint8, offset=16).copy()).view(-1, 1, 28, 28).float().div(255)
y = torch.from_numpy(np.frombuffer(gzip.open(root + '/train-labels-idx1-ubyte.gz').read(), np.uint8, offset=8).astype(np.int64))
print(f"PyTorch {torch.__version__}: loaded in {(time.perf_counter() - t) * 1000:.0f} ms")
loader = DataLoader(TensorDataset(x, y), batch_size=100, shuffle=True, generator=torch.Generator().manual_seed(0))
for e in range(${EPOCHS}):
    t = time.perf_counter(); n = 0
    for xb, yb in loader: n += xb.shape[0]
    print(f"  epoch {e + 1}: {len(loader)} batches, {n} images, {(time.perf_counter() - t) * 1000:.0f} ms")
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, ROOT], { encoding: 'utf8' });
  process.stdout.write(r.stdout + (r.status === 0 ? '' : r.stderr));
} else console.log('(PyTorch not installed: no comparison)');
