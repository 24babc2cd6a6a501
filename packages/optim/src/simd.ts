/**
 * WebAssembly SIMD kernels for the float32 updates of Adam/AdamW and SGD: the same arithmetic as
 * the plain loops in adam.ts and sgd.ts (which stay the reference, and the path for float64 and
 * where WebAssembly SIMD is missing), four lanes at a time, in float32 as PyTorch computes it.
 *
 * WebAssembly code reads only its own memory, so a parameter is processed in chunks of `CHUNK`
 * elements: each chunk of the parameter, its gradient and its state is copied into a small fixed
 * scratch memory (80 KiB, stays in cache), updated there, and copied back. The module is emitted
 * byte by byte below (a few dozen instructions) and compiled once when this file loads.
 *
 * Scratch layout: slot k holds `CHUNK` float32 values at byte offset k · CHUNK · 4:
 *   0 param, 1 grad, 2 first buffer (expAvg / momentumBuffer), 3 expAvgSq, 4 maxExpAvgSq.
 */
import type { FloatArray } from './optimizer';

/** Elements per chunk (16 KiB per slot). */
export const CHUNK = 4096;
const SLOT_BYTES = CHUNK * 4;
const SLOTS = 5;
const P = 0;
const G = 1;
const M = 2;
const V = 3;
const VMAX = 4;

// ---------------------------------------------------------------- a tiny WebAssembly emitter

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small constants). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

/** f32x4 opcodes (after the 0xfd prefix), from the SIMD proposal's binary encoding. */
const SIMD = {
  load: 0x00,
  store: 0x0b,
  splat: 0x13,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  max: 0xe9,
} as const;

/**
 * Code of one kernel: `(nBytes: i32, ...scalars: f32) -> ()`. Local 0 is the byte count, locals
 * 1..k the scalars; the emitter adds the loop index and a v128 local per scalar (the splats) and
 * per named temporary.
 */
class Kernel {
  readonly code: number[] = [];
  private readonly splats = new Map<string, number>();
  private readonly temps = new Map<string, number>();
  private readonly index: number;

  constructor(readonly scalars: readonly string[], temps: readonly string[]) {
    // locals: 0 nBytes, 1..k scalars, then i, then a v128 per scalar, then a v128 per temp
    this.index = 1 + scalars.length;
    scalars.forEach((s, j) => this.splats.set(s, this.index + 1 + j));
    temps.forEach((t, j) => this.temps.set(t, this.index + 1 + scalars.length + j));
    scalars.forEach((_, j) => this.emit(0x20, ...uleb(1 + j), 0xfd, ...uleb(SIMD.splat), 0x21, ...uleb(this.index + 1 + j)));
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** Pushes the splat of a scalar. */
  c(scalar: string): this {
    return this.emit(0x20, ...uleb(this.slot(this.splats, scalar)));
  }

  /** Pushes a temporary. */
  t(temp: string): this {
    return this.emit(0x20, ...uleb(this.slot(this.temps, temp)));
  }

  /** Pops into a temporary (`keep`: leaves the value on the stack too). */
  to(temp: string, keep = false): this {
    return this.emit(keep ? 0x22 : 0x21, ...uleb(this.slot(this.temps, temp)));
  }

  /** Pushes the four values of scratch slot `s` at the loop index. */
  load(s: number): this {
    return this.emit(0x20, ...uleb(this.index), 0xfd, ...uleb(SIMD.load), 4, ...uleb(s * SLOT_BYTES));
  }

  /** Pushes the loop index, the address operand of a later `store(s)`. */
  at(): this {
    return this.emit(0x20, ...uleb(this.index));
  }

  /** Stores the value on the stack into slot `s` (after `at()` pushed the address). */
  store(s: number): this {
    return this.emit(0xfd, ...uleb(SIMD.store), 4, ...uleb(s * SLOT_BYTES));
  }

  op(o: 'sqrt' | 'add' | 'sub' | 'mul' | 'div' | 'max'): this {
    return this.emit(0xfd, ...uleb(SIMD[o]));
  }

  /** The function body: the splats, then `for (i = 0; i < nBytes; i += 16) { loopBody }`. */
  body(loopBody: (k: this) => void): number[] {
    const head = this.code.splice(0);
    this.emit(0x02, 0x40, 0x03, 0x40); // block, loop
    this.emit(0x20, ...uleb(this.index), 0x20, 0, 0x4f, 0x0d, 1); // if (i >= nBytes) break
    loopBody(this);
    this.emit(0x20, ...uleb(this.index), 0x41, ...sleb(16), 0x6a, 0x21, ...uleb(this.index)); // i += 16
    this.emit(0x0c, 0, 0x0b, 0x0b, 0x0b); // continue; end loop; end block; end function
    const locals = vec([
      [...uleb(1), I32],
      [...uleb(this.splats.size + this.temps.size), V128],
    ]);
    const fn = [...locals, ...head, ...this.code];
    return [...uleb(fn.length), ...fn];
  }

  private slot(map: Map<string, number>, key: string): number {
    const i = map.get(key);
    if (i === undefined) throw new Error(`simd kernel: unknown local ${key}`);
    return i;
  }
}

/** Which Adam kernel: with an L2 term (Adam's weightDecay), a decoupled decay (AdamW's), amsgrad. */
interface AdamFlags {
  l2: boolean;
  decay: boolean;
  amsgrad: boolean;
}

const ADAM_SCALARS = ['beta1', 'a1', 'beta2', 'a2', 'negStepSize', 'bc2Sqrt', 'eps', 'sign', 'l2', 'decay'];

/**
 * g ← sign·g (+ l2·θ);  (θ ← decay·θ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)·g·g;
 * (v̂ ← max(v̂, v));  θ ← θ + (−stepSize) · (m / (√v̂ / √(1−β₂ᵗ) + ε))
 * Terms whose flag is off are not emitted, so that e.g. an infinite θ is not turned into NaN by 0·θ.
 */
function adamKernel(flags: AdamFlags): number[] {
  const k = new Kernel(ADAM_SCALARS, ['g', 'p', 'm', 'v']);
  return k.body((k) => {
    k.c('sign').load(G).op('mul');
    if (flags.l2) k.c('l2').load(P).op('mul').op('add');
    k.to('g');
    k.load(P);
    if (flags.decay) k.c('decay').op('mul');
    k.to('p');
    k.at().c('beta1').load(M).op('mul').c('a1').t('g').op('mul').op('add').to('m', true).store(M);
    k.at().c('beta2').load(V).op('mul').c('a2').t('g').op('mul').t('g').op('mul').op('add').to('v', true).store(V);
    if (flags.amsgrad) k.at().load(VMAX).t('v').op('max').to('v', true).store(VMAX);
    k.at().t('p').c('negStepSize').t('m').t('v').op('sqrt').c('bc2Sqrt').op('div').c('eps').op('add').op('div').op('mul').op('add').store(P);
  });
}

/** Which SGD kernel: with weight decay, with the momentum buffer (after the first step), Nesterov. */
interface SGDFlags {
  weightDecay: boolean;
  momentum: boolean;
  nesterov: boolean;
}

const SGD_SCALARS = ['sign', 'weightDecay', 'momentum', 'damp', 'negLr'];

/**
 * d ← sign·g (+ λθ);  (b ← μb + (1−τ)d;  d ← nesterov ? d + μb : b);  θ ← θ + (−lr)·d
 */
function sgdKernel(flags: SGDFlags): number[] {
  const k = new Kernel(SGD_SCALARS, ['d', 'b']);
  return k.body((k) => {
    k.c('sign').load(G).op('mul');
    if (flags.weightDecay) k.c('weightDecay').load(P).op('mul').op('add');
    k.to('d');
    if (flags.momentum) {
      k.at().c('momentum').load(M).op('mul').c('damp').t('d').op('mul').op('add').to('b', true).store(M);
      if (flags.nesterov) k.t('d').c('momentum').t('b').op('mul').op('add').to('d');
      else k.t('b').to('d');
    }
    k.at().load(P).c('negLr').t('d').op('mul').op('add').store(P);
  });
}

const adamName = (f: AdamFlags): string => `adam${f.l2 ? 'L2' : ''}${f.decay ? 'Decay' : ''}${f.amsgrad ? 'Amsgrad' : ''}`;
const sgdName = (f: SGDFlags): string => `sgd${f.weightDecay ? 'WeightDecay' : ''}${f.momentum ? 'Momentum' : ''}${f.nesterov ? 'Nesterov' : ''}`;

const BOOLS = [false, true];
const KERNELS: { name: string; code: () => number[]; scalars: number }[] = [
  ...BOOLS.flatMap((l2) =>
    BOOLS.flatMap((decay) =>
      BOOLS.map((amsgrad) => ({ name: adamName({ l2, decay, amsgrad }), code: () => adamKernel({ l2, decay, amsgrad }), scalars: ADAM_SCALARS.length })),
    ),
  ),
  ...BOOLS.flatMap((weightDecay) =>
    [
      { momentum: false, nesterov: false },
      { momentum: true, nesterov: false },
      { momentum: true, nesterov: true },
    ].map((m) => ({ name: sgdName({ weightDecay, ...m }), code: () => sgdKernel({ weightDecay, ...m }), scalars: SGD_SCALARS.length })),
  ),
];

type KernelFn = (nBytes: number, ...scalars: number[]) => void;

function moduleBytes(): Uint8Array {
  const types = KERNELS.map((kn) => [0x60, ...vec([[I32], ...new Array<number[]>(kn.scalars).fill([F32])]), ...vec([])]);
  const pages = Math.ceil((SLOTS * SLOT_BYTES) / 65536);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(3, vec(KERNELS.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([...KERNELS.map((kn, i) => [...name(kn.name), 0x00, ...uleb(i)]), [...name('memory'), 0x02, 0]])),
    ...section(10, vec(KERNELS.map((kn) => kn.code()))),
  ]);
}

interface Simd {
  kernels: Map<string, KernelFn>;
  slots: Float32Array[];
}

/** The part of the WebAssembly API used here (the lib of this package has no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

/** The compiled kernels, or null where WebAssembly SIMD is not available (then the loops run). */
const simd: Simd | null = (() => {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return null;
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), {});
    const memory = instance.exports.memory;
    // (no instanceof checks: under jest the WebAssembly objects come from another realm)
    if (memory === null || typeof memory !== 'object' || !('buffer' in memory)) return null;
    const buffer = memory.buffer as ArrayBuffer;
    const kernels = new Map<string, KernelFn>();
    for (const kn of KERNELS) {
      const fn = instance.exports[kn.name];
      if (typeof fn !== 'function') return null;
      kernels.set(kn.name, fn as KernelFn);
    }
    const slots = Array.from({ length: SLOTS }, (_, s) => new Float32Array(buffer, s * SLOT_BYTES, CHUNK));
    return { kernels, slots };
  } catch {
    return null; // no SIMD support: the plain loops are used
  }
})();

/** Whether the float32 updates of Adam/AdamW/SGD run as WebAssembly SIMD. */
export function simdAvailable(): boolean {
  return simd !== null;
}

/**
 * Runs kernel `kernel` over `arrays` (index = scratch slot; null = unused), chunk by chunk, and
 * copies back the slots listed in `outputs`.
 */
function runChunked(kernel: string, arrays: (Float32Array | null)[], outputs: readonly number[], scalars: number[]): void {
  const s = simd as Simd;
  const fn = s.kernels.get(kernel);
  if (fn === undefined) throw new Error(`simd: no kernel ${kernel}`);
  const n = (arrays[P] as Float32Array).length;
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    const end = off + len;
    for (let slot = 0; slot < arrays.length; slot++) {
      const a = arrays[slot];
      if (a !== null) s.slots[slot].set(a.subarray(off, end));
    }
    fn(((len + 3) >> 2) << 4, ...scalars); // whole vectors: the lanes past len compute garbage that is not copied back
    for (const slot of outputs) (arrays[slot] as Float32Array).set(s.slots[slot].subarray(0, len), off);
  }
}

/** The per-step constants of an Adam/AdamW update. */
export interface AdamScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** γ / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
  /** Decoupled decay factor 1 − γλ (AdamW), 1 otherwise. */
  decay: number;
  /** L2 coefficient added to the gradient (Adam), 0 otherwise. */
  l2: number;
  /** −1 to maximize, else 1. */
  sign: number;
}

/**
 * The SIMD Adam/AdamW update of float32 arrays (see adam.ts for the formula); false when SIMD is
 * not available or the arrays are not float32 (the caller then runs the loop).
 */
export function adamSimd(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, s: AdamScalars): boolean {
  if (simd === null || !(p instanceof Float32Array) || !(g instanceof Float32Array) || !(m instanceof Float32Array) || !(v instanceof Float32Array)) {
    return false;
  }
  if (vMax !== null && !(vMax instanceof Float32Array)) return false;
  const scalars = [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, -s.stepSize, s.biasCorrection2Sqrt, s.eps, s.sign, s.l2, s.decay];
  const kernel = adamName({ l2: s.l2 !== 0, decay: s.decay !== 1, amsgrad: vMax !== null });
  if (vMax !== null) runChunked(kernel, [p, g, m, v, vMax], [P, M, V, VMAX], scalars);
  else runChunked(kernel, [p, g, m, v], [P, M, V], scalars);
  return true;
}

/** The constants of an SGD update. */
export interface SGDScalars {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  sign: number;
}

/**
 * The SIMD SGD update of float32 arrays, plain (`buf` null) or with an existing momentum buffer;
 * false when it cannot run (the caller then runs the loop).
 */
export function sgdSimd(p: FloatArray, g: FloatArray, buf: FloatArray | null, s: SGDScalars): boolean {
  if (simd === null || !(p instanceof Float32Array) || !(g instanceof Float32Array)) return false;
  if (buf !== null && !(buf instanceof Float32Array)) return false;
  const scalars = [s.sign, s.weightDecay, s.momentum, 1 - s.dampening, -s.lr];
  const kernel = sgdName({ weightDecay: s.weightDecay !== 0, momentum: buf !== null, nesterov: buf !== null && s.nesterov });
  if (buf === null) runChunked(kernel, [p, g], [P], scalars);
  else runChunked(kernel, [p, g, buf], [P, M], scalars);
  return true;
}
