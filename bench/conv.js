#!/usr/bin/env node
/**
 * Benchmark of @dl/tensor's native image kernels against PyTorch's F.conv2d / F.max_pool2d.
 *
 *   node bench/conv.js [--rounds 3] [--dtypes float32[,float64]] [--threads n] [--clock wall|cpu] [--target 0.3]
 *
 * Needs `npm ci` (which builds dist/ and the C++ addon). Layers:
 *   (a) the course's CNN layer: x [100, 1, 28, 28], w [10, 1, 3, 3], bias, stride 1, no padding
 *   (b) x [100, 32, 14, 14], w [64, 32, 3, 3], bias, padding 1
 * Passes, each timed on its own: forward (conv2d with bias), grad input, grad weight, grad bias
 * (gy summed over N, H, W), the whole forward + backward (all four in one run), and the same
 * without the bias gradient (a plain reduction, not an image kernel: in torch, the bias is then
 * left out of autograd.grad's inputs). Ours go
 * through @dl/tensor's public ops (conv2d, conv2dBackwardInput, conv2dBackwardWeight, Tensor.sum);
 * PyTorch's (when `/usr/bin/python3 -c 'import torch'` works) run in a child process:
 * F.conv2d under no_grad, aten::convolution_backward with one output mask per gradient,
 * gy.sum((0, 2, 3)), and F.conv2d + torch.autograd.grad(y, (x, w, b), gy) for the total.
 * Plus 2x2 max pooling with indices, forward + backward, on a LeNet-sized x [100, 32, 28, 28].
 *
 * Both use the same number of threads: the addon's pool size (DL_NUM_THREADS, default all cores) or
 * --threads n; PyTorch gets torch.set_num_threads. On a machine shared with other work, PyTorch's
 * OpenMP threads suffer more from preemption than ours (a descheduled thread stalls its team at
 * every barrier), so compare with --threads 1 as well; --clock cpu then times each run by the
 * process's CPU time (user + system) instead of the wall clock, which leaves out the time the
 * process waited for a core (only meaningful with one thread: CPU time adds up all threads).
 * Each figure is the median over rounds of the median of N timed runs after a warm-up; the
 * engines take turns case by case, so a busy machine slows both alike. Ratios: ours/torch (time,
 * lower is better) and torch/ours (speed-up, higher is better).
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
const ROUNDS = Number(opt('rounds', '3'));
const DTYPES = opt('dtypes', 'float32').split(',');
const TARGET_S = Number(opt('target', '0.3')); // seconds of timed runs per pass, engine and round
const THREADS = opt('threads', '');
const CLOCK = opt('clock', 'wall');
const PYTHON = '/usr/bin/python3';

const TENSOR = path.join(__dirname, '..', 'packages', 'tensor');
const t = require(TENSOR); // @dl/tensor (dist/, built by npm ci)
const { loadNativeAddon, nativeUnavailableReason } = require(path.join(TENSOR, 'dist', 'backends', 'native'));

// ---- timing helpers ----

const now = () => {
  if (CLOCK !== 'cpu') return process.hrtime.bigint();
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n; // ns
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median time in ns of `fn` over enough runs to fill about TARGET_S seconds (3 to 50). */
function timeIt(fn) {
  fn();
  const s0 = now();
  fn();
  const one = Number(now() - s0);
  const reps = Math.max(3, Math.min(50, Math.round((TARGET_S * 1e9) / Math.max(one, 1))));
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const s = now();
    fn();
    ts.push(Number(now() - s));
  }
  return median(ts);
}
/** Lets spinning worker threads (ours, OpenMP's) go to sleep between engines. */
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// ---- PyTorch, in a child process that times what it is asked for ----

const TORCH_CHILD = `
import sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1]))
target = float(sys.argv[2])
clock = time.process_time_ns if sys.argv[3] == "cpu" else time.perf_counter_ns
print("ready", torch.__version__, torch.get_num_threads(), flush=True)
def med(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
def time_it(f):
    f()
    s = clock(); f(); one = clock() - s
    reps = max(3, min(50, round(target * 1e9 / max(one, 1))))
    ts = []
    for _ in range(reps):
        s = clock(); f(); ts.append(clock() - s)
    return med(ts)
cache = {}
def setup(key):
    if key in cache: return cache[key]
    kind, dt, n, cin, cout, h, pad = key
    dtype = torch.float32 if dt == "float32" else torch.float64
    if kind == "conv":
        x = torch.randn(n, cin, h, h, dtype=dtype); w = torch.randn(cout, cin, 3, 3, dtype=dtype); b = torch.randn(cout, dtype=dtype)
        ho = h + 2 * pad - 2
        gy = torch.randn(n, cout, ho, ho, dtype=dtype)
        xg = x.clone().requires_grad_(); wg = w.clone().requires_grad_(); bg = b.clone().requires_grad_()
        bwd = torch.ops.aten.convolution_backward
        def fwd():
            with torch.no_grad(): return F.conv2d(x, w, b, padding=pad)
        def gin(): return bwd(gy, x, w, [cout], [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, [True, False, False])
        def gw(): return bwd(gy, x, w, [cout], [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, [False, True, False])
        def gb(): return gy.sum((0, 2, 3))
        def total():
            y = F.conv2d(xg, wg, bg, padding=pad)
            return torch.autograd.grad(y, (xg, wg, bg), gy)
        def total_nb():
            y = F.conv2d(xg, wg, b, padding=pad)
            return torch.autograd.grad(y, (xg, wg), gy)
        fs = {"forward": fwd, "grad input": gin, "grad weight": gw, "grad bias": gb, "total": total, "total without grad bias": total_nb}
    else:
        x = torch.randn(n, cin, h, h, dtype=dtype); xg = x.clone().requires_grad_()
        y, idx = F.max_pool2d(x, 2, return_indices=True); gy = torch.randn_like(y)
        def fwd(): return F.max_pool2d(x, 2, return_indices=True)
        def bwd(): return torch.ops.aten.max_pool2d_with_indices_backward(gy, x, [2, 2], [2, 2], [0, 0], [1, 1], False, idx)
        def total():
            y = F.max_pool2d(xg, 2)
            return torch.autograd.grad(y, xg, gy)
        fs = {"forward": fwd, "backward": bwd, "total": total}
    cache[key] = fs
    return fs
for line in sys.stdin:
    parts = line.split()
    kind, dt = parts[0], parts[1]; n, cin, cout, h, pad = map(int, parts[2:7]); p = " ".join(parts[7:])
    print(time_it(setup((kind, dt, n, cin, cout, h, pad))[p]), flush=True)
`;

async function startTorch(threads) {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const child = spawn(PYTHON, ['-c', TORCH_CHILD, String(threads), String(TARGET_S), CLOCK], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value.split(' ');
  const ask = async (c, dtype, pass) => {
    child.stdin.write(`${c.kind} ${dtype} ${c.n} ${c.cin} ${c.cout} ${c.h} ${c.pad} ${pass}\n`);
    return Number((await lines.next()).value);
  };
  return { version: first[1], threads: Number(first[2]), ask, close: () => child.stdin.end() };
}

// ---- our side: the same passes through @dl/tensor's public ops ----

function ourPasses(c, dtype) {
  const x = t.randn([c.n, c.cin, c.h, c.h], { dtype });
  if (c.kind === 'conv') {
    const w = t.randn([c.cout, c.cin, 3, 3], { dtype });
    const b = t.randn([c.cout], { dtype });
    const opts = { padding: c.pad };
    const p = t.conv2dParams(w.shape, opts);
    const ho = c.h + 2 * c.pad - 2;
    const gy = t.randn([c.n, c.cout, ho, ho], { dtype });
    const fwd = () => t.conv2d(x, w, b, opts);
    const gin = () => t.conv2dBackwardInput(gy, w, x.shape, p);
    const gw = () => t.conv2dBackwardWeight(gy, x, w.shape, p);
    const gb = () => gy.sum({ dim: [0, 2, 3] });
    const total = () => [fwd(), gin(), gw(), gb()];
    const totalNoBias = () => [fwd(), gin(), gw()];
    return { forward: fwd, 'grad input': gin, 'grad weight': gw, 'grad bias': gb, total, 'total without grad bias': totalNoBias };
  }
  const p = t.pool2dParams('maxPool2d', 2, {});
  const { values } = t.maxPool2dWithIndices(x, 2);
  const gy = t.randn(values.shape, { dtype });
  let indices = t.maxPool2dWithIndices(x, 2).indices;
  const fwd = () => t.maxPool2dWithIndices(x, 2);
  const bwd = () => t.maxPool2dBackward(gy, indices, x.shape, p);
  const total = () => {
    const r = fwd();
    indices = r.indices;
    return bwd();
  };
  return { forward: fwd, backward: bwd, total };
}

// ---- the benchmark ----

const CASES = [
  { name: '(a) course CNN layer 100x1x28x28, 1->10, 3x3', kind: 'conv', n: 100, cin: 1, cout: 10, h: 28, pad: 0 },
  { name: '(b) 100x32x14x14, 32->64, 3x3, padding 1', kind: 'conv', n: 100, cin: 32, cout: 64, h: 14, pad: 1 },
  { name: 'max pool 2x2, 100x32x28x28', kind: 'pool', n: 100, cin: 32, cout: 32, h: 28, pad: 0 },
];

async function main() {
  const addon = loadNativeAddon();
  if (addon === null) {
    console.error(`bench/conv.js: ${nativeUnavailableReason()}`);
    process.exit(1);
  }
  if (THREADS) addon.setNumThreads(Number(THREADS));
  const info = addon.info();
  t.setBackend('native');
  const torch = await startTorch(info.threads);
  console.log(`@dl/tensor native backend: ${process.arch}, ${info.threads} threads (DL_NUM_THREADS or --threads), simd ${info.simd}, GEMM ${info.gemmKernelF32}`);
  console.log(torch ? `PyTorch ${torch.version} with ${torch.threads} threads in a child process` : 'PyTorch: not available (skipped)');
  console.log(
    `median of ${ROUNDS} rounds x (median of N runs after a warm-up); engines interleaved; ` +
      `${CLOCK === 'cpu' ? 'CPU' : 'wall-clock'} times in ms\n`,
  );

  const W = 12;
  const head = ['ours', 'torch', 'ours/torch', 'torch/ours'];
  console.log('case / pass'.padEnd(58) + head.map((h) => h.padStart(W)).join(''));
  const summary = [];
  for (const dtype of DTYPES) {
    for (const c of CASES) {
      const ours = ourPasses(c, dtype);
      const passes = Object.keys(ours);
      const r = {};
      for (const p of passes) r[p] = { ours: [], torch: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const p of passes) r[p].ours.push(timeIt(ours[p]));
        pause(150);
        if (torch) {
          for (const p of passes) r[p].torch.push(await torch.ask(c, dtype, p));
          pause(150);
        }
      }
      console.log(`${c.name} ${dtype}`);
      for (const p of passes) {
        const o = median(r[p].ours) / 1e6;
        const th = torch ? median(r[p].torch) / 1e6 : NaN;
        const cells = [o.toFixed(3), torch ? th.toFixed(3) : '-', torch ? `${(o / th).toFixed(2)}x` : '-', torch ? `${(th / o).toFixed(2)}x` : '-'];
        console.log(`  ${p}`.padEnd(58) + cells.map((s) => s.padStart(W)).join(''));
        if (p.startsWith('total')) summary.push({ c, dtype, p, o, th });
      }
    }
  }
  if (torch) {
    console.log(
      '\ntarget (conv2d forward + backward no slower than PyTorch):\n  ' +
        summary
          .filter((s) => s.c.kind === 'conv')
          .map((s) => `${s.c.name.slice(0, 3)} ${s.dtype} ${s.p}: ${s.o <= s.th ? 'met' : 'NOT met'} (ours/torch ${(s.o / s.th).toFixed(2)}x)`)
          .join('\n  '),
    );
    torch.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
