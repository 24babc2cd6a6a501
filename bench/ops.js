#!/usr/bin/env node
/**
 * Benchmark of @dl/tensor's native reductions and softmax against PyTorch (and the js backend).
 *
 *   node bench/ops.js [--rounds 3] [--no-js]
 *
 * Needs `npm ci` (which builds dist/ and the C++ addon). For each case it prints the time per call
 * through the public API (op layer + backend kernel, output allocation included) of the native
 * backend, of the js backend (reference; --no-js skips it), and of PyTorch (in a child process,
 * when `/usr/bin/python3 -c 'import torch'` works) with the same number of threads as our pool,
 * then native / torch (> 1: slower than torch). Cases: sum of a 1e6 float32 vector, column sums of
 * [100, 300] (bias gradients), row sums of [1000, 1000], softmax / logSoftmax over dim 1 of
 * [100, 10] and [256, 1000], max with indices over dim 1 of [100, 10], cumsum over dim 1 of
 * [1000, 1000]. Each figure is the median over rounds of the median of N timed batches (a batch
 * repeats a fast call enough times to last about a millisecond); the engines take turns case by
 * case, so a busy machine slows all of them alike and the ratios stay fair.
 */
'use strict';
const { spawn, spawnSync } = require('child_process');
const os = require('os');
const path = require('path');
const readline = require('readline');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const ROUNDS = Number(opt('rounds', '3'));
const WITH_JS = !args.includes('--no-js');
const PYTHON = '/usr/bin/python3';

const TENSOR = path.join(__dirname, '..', 'packages', 'tensor');
const t = require(TENSOR); // @dl/tensor (dist/, built by npm ci)
const { loadNativeAddon, nativeUnavailableReason } = require(path.join(TENSOR, 'dist', 'backends', 'native'));

// ---- the cases: our call, and the same op in PyTorch --------------------------------------------

const CASES = [
  { name: 'sum, all of [1e6]', shape: [1000000], ours: (x) => x.sum(), torch: 'x.sum()' },
  { name: 'sum dim 0 of [100, 300]', shape: [100, 300], ours: (x) => x.sum({ dim: 0 }), torch: 'x.sum(0)' },
  { name: 'sum dim 1 of [1000, 1000]', shape: [1000, 1000], ours: (x) => x.sum({ dim: 1 }), torch: 'x.sum(1)' },
  { name: 'softmax dim 1 of [100, 10]', shape: [100, 10], ours: (x) => x.softmax(1), torch: 'torch.softmax(x, 1)' },
  { name: 'logSoftmax dim 1 of [100, 10]', shape: [100, 10], ours: (x) => x.logSoftmax(1), torch: 'torch.log_softmax(x, 1)' },
  { name: 'softmax dim 1 of [256, 1000]', shape: [256, 1000], ours: (x) => x.softmax(1), torch: 'torch.softmax(x, 1)' },
  { name: 'logSoftmax dim 1 of [256, 1000]', shape: [256, 1000], ours: (x) => x.logSoftmax(1), torch: 'torch.log_softmax(x, 1)' },
  { name: 'max dim 1 of [100, 10] + indices', shape: [100, 10], ours: (x) => x.max({ dim: 1 }), torch: 'x.max(1)' },
  { name: 'cumsum dim 1 of [1000, 1000]', shape: [1000, 1000], ours: (x) => x.cumsum(1), torch: 'x.cumsum(1)' },
];

// ---- timing helpers ----

const now = () => process.hrtime.bigint();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Calls per timed batch so that a batch lasts about 1 ms (at least 1). */
function batchFor(fn) {
  for (let i = 0; i < 3; i++) fn();
  const s = now();
  fn();
  const one = Number(now() - s);
  return Math.max(1, Math.min(100000, Math.round(1e6 / Math.max(one, 1))));
}
/** Median time in ns per call of `fn`, over `reps` batches of `batch` calls after a warm-up. */
function perCall(fn, batch, reps) {
  for (let i = 0; i < Math.min(batch, 50); i++) fn();
  const ts = [];
  for (let r = 0; r < reps; r++) {
    const s = now();
    for (let i = 0; i < batch; i++) fn();
    ts.push(Number(now() - s) / batch);
  }
  return median(ts);
}
/** Lets spinning worker threads (ours, PyTorch's) go to sleep between engines. */
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// ---- PyTorch, in a child process that times what it is asked for ----

const TORCH_CHILD = `
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
print("ready", torch.__version__, torch.get_num_threads(), flush=True)
def med(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
for line in sys.stdin:
    shape, expr, batch, reps = line.rstrip("\\n").split("|"); batch = int(batch); reps = int(reps)
    x = torch.rand(*[int(s) for s in shape.split(",")])
    f = eval("lambda: " + expr, {"torch": torch, "x": x})
    for _ in range(min(batch, 50)): f()
    ts = []
    for _ in range(reps):
        s = time.perf_counter_ns()
        for _ in range(batch): f()
        ts.append((time.perf_counter_ns() - s) / batch)
    print(med(ts), flush=True)
`;

async function startTorch(threads) {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const child = spawn(PYTHON, ['-c', TORCH_CHILD, String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value.split(' ');
  const ask = async (shape, expr, batch, reps) => {
    child.stdin.write(`${shape.join(',')}|${expr}|${batch}|${reps}\n`);
    return Number((await lines.next()).value);
  };
  return { version: first[1], threads: Number(first[2]), ask, close: () => child.stdin.end() };
}

// ---- the benchmark ----

const fmt = (ns) => (Number.isNaN(ns) ? '-' : ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} us`);

async function main() {
  const addon = loadNativeAddon();
  if (addon === null) {
    console.error(`bench/ops.js: ${nativeUnavailableReason()}`);
    process.exit(1);
  }
  const info = addon.info();
  const torch = await startTorch(info.threads);
  console.log(`@dl/tensor native backend: ${process.arch}, ${info.threads} threads (DL_NUM_THREADS), simd ${info.simd}`);
  console.log(torch ? `PyTorch ${torch.version} with ${torch.threads} threads in a child process` : 'PyTorch: not available (skipped)');
  console.log(`float32 inputs; time per call, median of ${ROUNDS} rounds x (median of N batches); engines interleaved`);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cpus (a busy machine slows the threaded cases most)\n`);

  const cols = ['native', WITH_JS && 'js', torch && 'torch', torch && 'native/torch'].filter(Boolean);
  const W = 14;
  console.log('case'.padEnd(36) + cols.map((c) => c.padStart(W)).join(''));
  for (const c of CASES) {
    const x = t.rand(c.shape);
    const r = { native: [], js: [], torch: [] };
    const engines = WITH_JS ? ['native', 'js'] : ['native'];
    const batches = {};
    for (const be of engines) batches[be] = t.withBackend(be, () => batchFor(() => c.ours(x)));
    for (let round = 0; round < ROUNDS; round++) {
      for (const be of engines) {
        t.setBackend(be);
        const reps = be === 'js' ? 3 : 9;
        r[be].push(perCall(() => c.ours(x), batches[be], reps));
        pause(200);
      }
      t.setBackend('native');
      if (torch) {
        r.torch.push(await torch.ask(c.shape, c.torch, batches.native, 9));
        pause(200);
      }
    }
    const m = {};
    for (const k of Object.keys(r)) m[k] = r[k].length ? median(r[k]) : NaN;
    const cells = { native: fmt(m.native), js: fmt(m.js), torch: fmt(m.torch), 'native/torch': `${(m.native / m.torch).toFixed(2)}x` };
    console.log(c.name.padEnd(36) + cols.map((k) => cells[k].padStart(W)).join(''));
  }
  if (torch) torch.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
