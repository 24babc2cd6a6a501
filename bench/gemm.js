#!/usr/bin/env node
/**
 * Benchmark of @dl/tensor's native backend: GEMM throughput and the per-call overhead of a tiny op.
 *
 *   node bench/gemm.js [--sizes 256,512,1024,2048] [--rounds 3]
 *
 * Needs `npm ci` (which builds dist/ and the C++ addon). Prints, for square sgemm/dgemm:
 * - GFLOPS (2 * n^3 / time) of `a.matmul(b)` through @dl/tensor with the built-in kernel, with
 *   OpenBLAS (when libopenblas.so.0 loads) and of PyTorch (`a @ b` in a child process, when
 *   `/usr/bin/python3 -c 'import torch'` works) using the same number of threads, plus ratios;
 *   and, for reference, both native paths writing into a preallocated output ("into out"). The
 *   output matmul returns is allocated per call without zero-filling, from a malloc that keeps
 *   freed blocks for reuse (see allocOutput in src/backends/native/addon.ts): the difference
 *   between the two columns is what that allocation still costs;
 * - the time of `a.add(b)` on two 10-element float32 tensors (native and js backends, PyTorch).
 * Each figure is the median over rounds of the median of N timed runs after a warm-up; the engines
 * take turns size by size, so a busy machine slows all of them alike and the ratios stay fair.
 */
'use strict';
const { spawn, spawnSync } = require('child_process');
const path = require('path');
const readline = require('readline');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const SIZES = opt('sizes', '256,512,1024,2048').split(',').map(Number);
const ROUNDS = Number(opt('rounds', '3'));
const PYTHON = '/usr/bin/python3';

const TENSOR = path.join(__dirname, '..', 'packages', 'tensor');
const t = require(TENSOR); // @dl/tensor (dist/, built by npm ci)
const { loadNativeAddon, nativeUnavailableReason } = require(path.join(TENSOR, 'dist', 'backends', 'native'));

// ---- timing helpers ----

const now = () => process.hrtime.bigint();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median time in ns of `fn` over `reps` runs, after `warm` untimed runs. */
function timeIt(fn, reps, warm = 2) {
  for (let i = 0; i < warm; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const s = now();
    fn();
    ts.push(Number(now() - s));
  }
  return median(ts);
}
/** Median per-call time in ns of a tiny `fn`, timed in batches of `batch` calls. */
function perCall(fn, batch = 20000, reps = 15) {
  return timeIt(() => {
    for (let i = 0; i < batch; i++) fn();
  }, reps) / batch;
}
/** Lets spinning worker threads (ours, OpenBLAS's, OpenMP's) go to sleep between engines. */
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const repsFor = (n) => Math.max(3, Math.min(40, Math.round(3e9 / (2 * n ** 3))));
const gflops = (n, ns) => (2 * n ** 3) / ns;

// ---- PyTorch, in a child process that times what it is asked for ----

const TORCH_CHILD = `
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
print("ready", torch.__version__, torch.get_num_threads(), flush=True)
def med(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
for line in sys.stdin:
    kind, dt, n, reps = line.split(); n = int(n); reps = int(reps)
    if kind == "add":
        a = torch.rand(10); b = torch.rand(10); batch = 20000
        f = lambda: [a + b for _ in range(batch)]
    else:
        dtype = torch.float32 if dt == "float32" else torch.float64
        a = torch.rand(n, n, dtype=dtype); b = torch.rand(n, n, dtype=dtype); batch = 1
        f = (lambda: a @ b) if kind == "nn" else (lambda: a @ b.T)
    for _ in range(2): f()
    ts = []
    for _ in range(reps):
        s = time.perf_counter_ns(); f(); ts.append(time.perf_counter_ns() - s)
    print(med(ts) / batch, flush=True)
`;

async function startTorch(threads) {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const child = spawn(PYTHON, ['-c', TORCH_CHILD, String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value.split(' ');
  const ask = async (kind, dtype, n, reps) => {
    child.stdin.write(`${kind} ${dtype} ${n} ${reps}\n`);
    return Number((await lines.next()).value);
  };
  return { version: first[1], threads: Number(first[2]), ask, close: () => child.stdin.end() };
}

// ---- the benchmark ----

async function main() {
  const addon = loadNativeAddon();
  if (addon === null) {
    console.error(`bench/gemm.js: ${nativeUnavailableReason()}`);
    process.exit(1);
  }
  const info = addon.info();
  let blas = true;
  try {
    addon.setBlas('openblas');
    addon.setBlas('builtin');
  } catch (e) {
    blas = false;
    console.log(`(OpenBLAS path unavailable: ${e.message})`);
  }
  const torch = await startTorch(info.threads);

  console.log(
    `@dl/tensor native backend: ${process.arch}, ${info.threads} threads (DL_NUM_THREADS), simd ${info.simd}, ` +
      `kernels ${info.gemmKernelF32} (f32) / ${info.gemmKernelF64} (f64)`,
  );
  console.log(
    torch ? `PyTorch ${torch.version} with ${torch.threads} threads in a child process` : 'PyTorch: not available (skipped)',
  );
  console.log(`median of ${ROUNDS} rounds x (median of N runs after warm-up); engines interleaved; GFLOPS = 2n^3 / time\n`);

  // Columns: GFLOPS of a.matmul(b) through @dl/tensor (built-in kernel, OpenBLAS) and of PyTorch,
  // their ratios, then the two native paths alone into a preallocated output ("into out").
  const cols = [
    ['builtin', true],
    ['openblas', blas],
    ['torch', !!torch],
    ['builtin/torch', !!torch],
    ['openblas/torch', !!torch && blas],
    ['builtin into out', true],
    ['openblas into out', blas],
  ].filter(([, on]) => on).map(([name]) => name);
  const W = 18;
  console.log('op'.padEnd(12) + 'n'.padEnd(6) + cols.map((h) => h.padStart(W)).join(''));
  const results = {};
  t.setBackend('native');
  const cases = [];
  for (const dtype of ['float32', 'float64']) for (const n of SIZES) cases.push({ dtype, n, kind: 'nn' });
  if (SIZES.includes(1024)) cases.push({ dtype: 'float32', n: 1024, kind: 'nt' }); // x . W^T

  for (const { dtype, n, kind } of cases) {
    const a = t.rand([n, n], { dtype });
    const b = t.rand([n, n], { dtype });
    const rhs = kind === 'nn' ? b : b.T;
    const out = dtype === 'float32' ? new Float32Array(n * n) : new Float64Array(n * n);
    const [rs, cs] = kind === 'nn' ? [n, 1] : [1, n];
    const intoOut = () => addon.gemm(a.storage, 0, 0, n, 1, b.storage, 0, 0, rs, cs, out, 1, n, n, n);
    const reps = repsFor(n);
    const r = { builtin: [], openblas: [], torch: [], 'builtin into out': [], 'openblas into out': [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const engine of blas ? ['builtin', 'openblas'] : ['builtin']) {
        addon.setBlas(engine);
        r[engine].push(timeIt(() => a.matmul(rhs), reps));
        r[`${engine} into out`].push(timeIt(intoOut, reps));
        pause(150);
      }
      addon.setBlas('builtin');
      if (torch) {
        r.torch.push(await torch.ask(kind, dtype, n, reps));
        pause(150);
      }
    }
    const g = {};
    for (const k of Object.keys(r)) g[k] = r[k].length ? gflops(n, median(r[k])) : NaN;
    g['builtin/torch'] = g.builtin / g.torch;
    g['openblas/torch'] = g.openblas / g.torch;
    results[`${dtype} ${kind} ${n}`] = g;
    const name = `${dtype === 'float32' ? 'sgemm' : 'dgemm'}${kind === 'nt' ? ' A.B^T' : ''}`;
    const cell = (c) => (c.includes('/') ? `${g[c].toFixed(2)}x` : g[c].toFixed(1));
    console.log(name.padEnd(12) + String(n).padEnd(6) + cols.map((c) => cell(c).padStart(W)).join(''));
  }

  // Per-call overhead of a tiny op through the whole library (op layer + backend kernel).
  const x = t.rand([10]);
  const y = t.rand([10]);
  const add = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const be of ['native', 'js']) {
      t.setBackend(be);
      (add[be] ??= []).push(perCall(() => x.add(y)));
    }
  }
  t.setBackend('native');
  const kernel = perCall(() => t.getBackend().binary('add', x, y, 'float32'));
  const torchAdd = torch ? await torch.ask('add', 'float32', 10, 15) : NaN;
  const us = (ns) => (ns / 1000).toFixed(2);
  console.log(
    `\nadd, two 10-element float32 tensors, per call: native ${us(median(add.native))} us ` +
      `(backend kernel alone ${us(kernel)} us), js ${us(median(add.js))} us` +
      (torch ? `, torch ${us(torchAdd)} us` : ''),
  );

  if (torch) {
    const s = results['float32 nn 1024'];
    if (s) {
      const check = (label, ok, v) => `${label}: ${ok ? 'met' : 'NOT met'} (${v})`;
      const x = (v) => `${v.toFixed(2)}x`;
      console.log(
        '\ntargets: ' +
          [
            check('sgemm 1024 builtin >= 0.6x torch', s['builtin/torch'] >= 0.6, x(s['builtin/torch'])),
            blas ? check('openblas >= 0.9x torch', s['openblas/torch'] >= 0.9, x(s['openblas/torch'])) : null,
            check('add < 2 us', median(add.native) < 2000, `${us(median(add.native))} us`),
          ]
            .filter(Boolean)
            .join('; '),
      );
    }
    torch.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
