/**
 * Counting live tensors and their memory (`tf.memory()`'s counterpart), and a test helper that
 * fails when a block of code leaves tensors behind.
 *
 * @dl tensors are ordinary JS objects over typed-array storages: nothing is freed by hand, V8's
 * garbage collector reclaims a tensor once nothing refers to it. "Live" therefore means "not yet
 * collected". While memory tracking is on, every Tensor is registered with a
 * `FinalizationRegistry` when it is constructed and every storage when it is allocated, and the
 * counts go down when V8 collects them: they settle only after a garbage collection and the
 * finalization callbacks that follow it (a later macrotask), so right after a loop
 * {@link memory} still counts the tensors it dropped. `await collectGarbage()` first to see what
 * is really reachable; {@link expectNoLeaks} and {@link trackTensors} do that for you.
 *
 * Tracking is off by default, because it is not free in V8: a registered object survives the
 * minor collections that normally free temporaries at once, so with tracking on every op's output
 * waits for a full collection (small ops run several times slower). Switch it on with
 * `DL_TRACK_MEMORY=1` (from the first tensor) or {@link setMemoryTracking} (from then on);
 * {@link expectNoLeaks} and {@link trackTensors} switch it on for their block.
 *
 * ```ts
 * import { memory, collectGarbage, expectNoLeaks, setMemoryTracking, zeros } from '@dl/tensor';
 * setMemoryTracking(true);
 * const kept = zeros([1000]);
 * await collectGarbage();
 * memory(); // { tracking: true, tensors: 1, storages: 1, bytes: 4000, byDtype: { float32: { tensors: 1, ... }, ... }, ... }
 *
 * await expectNoLeaks(() => {
 *   for (let i = 0; i < 100; i++) kept.add(1).sum(); // temporaries only: passes
 * });
 * ```
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { loadedNativeAddon } from './backends/native/addon';
import { DTYPES, type DType } from './dtype';
import { ValueError } from './errors';
import { DTYPE_SLOT, MAX_SLOTS, TRACKING, backendNames, byteCount, storageCount, tensorCount } from './memory-track';
import { checkOptions, optionKeys } from './options';

/** Live tensors, storages and bytes (of those made while tracking was on). */
export interface MemoryCount {
  /** Tensor objects not yet collected (views count: a view is a tensor of its own). */
  tensors: number;
  /**
   * Storages (typed arrays) not yet collected, of those @dl allocated (op outputs, factories,
   * copies; views share their base's). A typed array of yours that you wrap in a Tensor
   * (`new Tensor(array, shape)`) is not counted here: its tensor is.
   */
  storages: number;
  /** Bytes of those storages (`byteLength`). */
  bytes: number;
}

/** The native addon's own memory, outside any tensor. */
export interface NativeMemory {
  /** Whether the addon is loaded (when it is not, every count is 0). */
  loaded: boolean;
  /**
   * Bytes of the addon's per-thread scratch buffers (im2col columns, GEMM packing, Winograd
   * tiles, pooling sums): each grows to the largest size asked for and is kept for reuse, so this
   * rises to a plateau and stays there; it is not a leak. Not counted: per-call temporaries freed
   * before the call returns, thread stacks, and what a BLAS library (`DL_BLAS`) allocates.
   */
  scratchBytes: number;
  /** How many scratch buffers hold memory (at most a few per thread and kernel family). */
  scratchBuffers: number;
  /** Threads of the addon's pool (the calling thread included). */
  threads: number;
}

/** What {@link memory} reports. */
export interface MemoryInfo extends MemoryCount {
  /** Whether new tensors are being counted now (see {@link setMemoryTracking}). */
  tracking: boolean;
  /** Per dtype (every dtype is present, with zeros when it has no tensors). */
  byDtype: Record<DType, MemoryCount>;
  /**
   * Per backend: the backend in use when the tensor (or storage) was made. The js and native
   * backends both keep storages in JS typed arrays in main memory; with a device backend this
   * says where the bytes live. Only backends that made tensors appear.
   */
  byBackend: Record<string, MemoryCount>;
  /** The native addon's scratch memory and threads. */
  native: NativeMemory;
}

// ---- the counters (memory-track.ts) -------------------------------------------------------------

/**
 * Switches the counting of new tensors and storages on or off and returns the previous setting.
 * It is off by default, unless the environment variable `DL_TRACK_MEMORY=1` is set when
 * @dl/tensor loads. Only tensors and storages made while it is on are counted; switching it off
 * keeps counting those until they are collected, but counts nothing new.
 *
 * The cost while it is on: a `FinalizationRegistry` registration per tensor and per storage, and
 * temporaries that live until the next full collection instead of dying in the next minor one
 * (V8 keeps registered objects through minor collections), so small ops run several times slower
 * and memory use grows between full collections. The registries' callbacks run between
 * macrotasks: in a long synchronous loop the counts go down only when it yields (`await` a
 * `setImmediate` now and then). Turn it on for debugging and tests, not for production training.
 *
 * ```ts
 * setMemoryTracking(true); // before building the model, to count its weights too
 * ```
 */
export function setMemoryTracking(on: boolean): boolean {
  const was = TRACKING.on;
  TRACKING.on = on;
  return was;
}

// ---- memory() ------------------------------------------------------------------------------------

function emptyCount(): MemoryCount {
  return { tensors: 0, storages: 0, bytes: 0 };
}

function addSlot(c: MemoryCount, slot: number): void {
  c.tensors += tensorCount[slot];
  c.storages += storageCount[slot];
  c.bytes += byteCount[slot];
}

/**
 * The live tensors and bytes, in all, per dtype and per backend, and the native addon's scratch
 * memory. Cheap (no allocation beyond the result); call it as often as you like.
 *
 * Only tensors and storages made while memory tracking is on are counted ({@link setMemoryTracking},
 * or `DL_TRACK_MEMORY=1` to count from the start): if it has never been on, every count is 0 and
 * the first call prints a warning saying so (`tracking` tells whether it is on now).
 *
 * "Live" means not yet garbage-collected: the counts include tensors that are already unreachable
 * until V8 collects them and runs their finalizers, so they settle only after a garbage
 * collection. Compare figures taken after `await collectGarbage()` (or use {@link expectNoLeaks} /
 * {@link trackTensors}, which do).
 *
 * ```ts
 * setMemoryTracking(true); // or run with DL_TRACK_MEMORY=1
 * const w = randn([300, 784]);
 * await collectGarbage();
 * const m = memory();
 * m.tensors;                 // live Tensor objects (views included)
 * m.bytes;                   // bytes of their distinct storages: 940,800 for w
 * m.byDtype.float32.bytes;   // the same, for float32 only
 * m.byBackend.native?.bytes; // made while the native backend was in use
 * m.native.scratchBytes;     // the C++ addon's reusable work buffers
 * ```
 */
export function memory(): MemoryInfo {
  const all = emptyCount();
  const byDtype = {} as Record<DType, MemoryCount>;
  for (const d of DTYPES) byDtype[d] = emptyCount();
  const byBackend: Record<string, MemoryCount> = {};
  for (let b = 0; b < backendNames.length; b++) {
    const c = (byBackend[backendNames[b]] = emptyCount());
    for (const d of DTYPES) {
      const slot = b * 4 + DTYPE_SLOT[d];
      addSlot(c, slot);
      addSlot(byDtype[d], slot);
      addSlot(all, slot);
    }
  }
  if (!TRACKING.on && !warnedOff && all.tensors === 0 && backendNames.length === 0) {
    warnedOff = true;
    process.emitWarning(
      'memory(): memory tracking is off, so no tensor is counted; call setMemoryTracking(true) ' +
        'before making the tensors to watch, or set DL_TRACK_MEMORY=1',
      { code: 'DL_MEMORY_TRACKING_OFF' },
    );
  }
  return { tracking: TRACKING.on, ...all, byDtype, byBackend, native: nativeMemory() };
}

let warnedOff = false;

function nativeMemory(): NativeMemory {
  const addon = loadedNativeAddon(); // never loads it: with DL_BACKEND=js it stays unloaded
  const info = addon !== null && typeof addon.memoryInfo === 'function' ? addon.memoryInfo() : null;
  return {
    loaded: addon !== null,
    scratchBytes: info?.scratchBytes ?? 0,
    scratchBuffers: info?.scratchBuffers ?? 0,
    threads: info?.threads ?? (addon !== null ? addon.info().threads : 0),
  };
}

// ---- forcing a collection --------------------------------------------------------------------------

type GcFunction = () => void;

let gcFunction: GcFunction | null | undefined;

/**
 * V8's `gc()`: the global one when node runs with `--expose-gc`; otherwise the one a new `vm`
 * context gets after `v8.setFlagsFromString('--expose-gc')` (the flag is switched off again right
 * after, as jest's leak detector does); null where neither works (a browser, a locked-down runtime).
 */
function findGc(): GcFunction | null {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as GcFunction;
  try {
    v8.setFlagsFromString('--expose-gc');
    try {
      const fn = vm.runInNewContext('gc') as unknown;
      return typeof fn === 'function' ? (fn as GcFunction) : null;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  } catch {
    return null;
  }
}

/** Whether {@link collectGarbage} can force a collection here. */
export function canCollectGarbage(): boolean {
  if (gcFunction === undefined) gcFunction = findGc();
  return gcFunction !== null;
}

// setImmediate as it was when this module loaded (jest's fake timers replace the global one)
const realSetImmediate: ((cb: () => void) => unknown) | undefined =
  typeof setImmediate === 'function' ? setImmediate : undefined;
const realSetTimeout = setTimeout;

function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (realSetImmediate !== undefined) realSetImmediate(resolve);
    else realSetTimeout(resolve, 0);
  });
}

/**
 * Forces full garbage collections and waits for the finalizers they schedule, until the counts of
 * {@link memory} stop changing (at most `rounds` collections, default 10). Resolves true, or false
 * when no collection can be forced here (see {@link canCollectGarbage}): then the counts still
 * include unreachable tensors.
 */
export async function collectGarbage(rounds = 10): Promise<boolean> {
  if (!canCollectGarbage()) return false;
  const gc = gcFunction!;
  let last = signature();
  for (let i = 0; i < rounds; i++) {
    gc();
    // FinalizationRegistry callbacks run in tasks of their own after the collection
    await nextMacrotask();
    await nextMacrotask();
    const now = signature();
    if (i > 0 && now === last) break;
    last = now;
  }
  return true;
}

function signature(): string {
  let t = 0;
  let s = 0;
  let b = 0;
  for (let i = 0; i < MAX_SLOTS; i++) {
    t += tensorCount[i];
    s += storageCount[i];
    b += byteCount[i];
  }
  return `${t}/${s}/${b}`;
}

// ---- the test helper -------------------------------------------------------------------------------

/** What a block of code added: the counts after it minus the counts before it (after collections). */
export interface MemoryGrowth extends MemoryCount {
  byDtype: Record<DType, MemoryCount>;
  byBackend: Record<string, MemoryCount>;
  /** Change of the native addon's scratch bytes (buffers grow to a plateau: not a leak by itself). */
  nativeScratchBytes: number;
}

/** Options of {@link trackTensors}. */
export interface TrackOptions {
  /**
   * Runs of `fn` before the first count (default 0), with tracking on. Use 1 when memory tracking
   * was off and `fn` replaces tensors made before it (parameters updated out of place, optimizer
   * state, running statistics): the warm-up makes their replacements under tracking, so that the
   * measured run swaps counted tensors for counted tensors instead of showing the new ones as growth.
   */
  warmup?: number;
}

/** What {@link trackTensors} returns. */
export interface TrackResult<T> {
  /** What `fn` returned (it is still referenced, so tensors in it count in `growth`). */
  result: T;
  /** Counts after `fn` minus counts before it, both taken after forced garbage collections. */
  growth: MemoryGrowth;
  before: MemoryInfo;
  after: MemoryInfo;
  /** Whether memory tracking was already on when trackTensors was called. */
  wasTracking: boolean;
}

function diff(a: MemoryCount, b: MemoryCount): MemoryCount {
  return { tensors: b.tensors - a.tensors, storages: b.storages - a.storages, bytes: b.bytes - a.bytes };
}

function growthOf(before: MemoryInfo, after: MemoryInfo): MemoryGrowth {
  const byDtype = {} as Record<DType, MemoryCount>;
  for (const d of DTYPES) byDtype[d] = diff(before.byDtype[d], after.byDtype[d]);
  const byBackend: Record<string, MemoryCount> = {};
  for (const name of new Set([...Object.keys(before.byBackend), ...Object.keys(after.byBackend)])) {
    byBackend[name] = diff(before.byBackend[name] ?? emptyCount(), after.byBackend[name] ?? emptyCount());
  }
  return {
    ...diff(before, after),
    byDtype,
    byBackend,
    nativeScratchBytes: after.native.scratchBytes - before.native.scratchBytes,
  };
}

const NO_GC =
  'cannot force a garbage collection here, so live tensors cannot be told from unreachable ones not yet ' +
  "collected, and nothing was checked: run node with --expose-gc (e.g. `node --expose-gc node_modules/.bin/jest`)";

/**
 * Runs `fn` (sync or async) with memory tracking on, between two forced garbage collections, and
 * returns what it returned with the growth of the live tensors and bytes (tracking is set back
 * as it was afterwards). Throws when no collection can be forced (the counts would mean nothing;
 * see {@link canCollectGarbage}).
 *
 * ```ts
 * const cache: Tensor[] = [];
 * const { growth } = await trackTensors(() => { cache.push(zeros([10])); });
 * growth.tensors; // 1
 * growth.bytes;   // 40
 * ```
 */
export async function trackTensors<T>(fn: () => T | Promise<T>, opts: TrackOptions = {}): Promise<TrackResult<T>> {
  checkOptions('trackTensors', opts, TRACK_KEYS);
  checkFn('trackTensors', fn);
  checkCount('trackTensors', 'warmup', opts.warmup, true);
  if (!(await collectGarbage())) throw new Error(`trackTensors: ${NO_GC}`);
  const wasTracking = setMemoryTracking(true);
  try {
    for (let i = 0; i < (opts.warmup ?? 0); i++) await fn();
    await collectGarbage();
    const before = memory();
    const result = await fn();
    await collectGarbage();
    const after = memory();
    return { result, growth: growthOf(before, after), before, after, wasTracking };
  } finally {
    setMemoryTracking(wasTracking);
  }
}

const TRACK_KEYS = optionKeys<TrackOptions>({ warmup: true });

function checkFn(where: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new ValueError(`${where}: expected a function to run, got ${fn === null ? 'null' : typeof fn}`);
}

function checkCount(where: string, key: string, v: unknown, optional: boolean): void {
  if (optional && v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ValueError(`${where}: ${key} must be a whole number >= 0, got ${typeof v === 'number' ? v : typeof v}`);
  }
}

/** Options of {@link expectNoLeaks}. */
export interface NoLeaksOptions extends TrackOptions {
  /** Live tensors `fn` may add without failing (default 0). */
  tensors?: number;
  /** Bytes `fn` may add without failing (default 0). */
  bytes?: number;
  /** Names the block in the error message. */
  label?: string;
}

const NO_LEAKS_KEYS = optionKeys<NoLeaksOptions>({ tensors: true, bytes: true, label: true, warmup: true });

/**
 * A test helper for any test runner: runs `fn` (sync or async; what it returns is dropped) with
 * memory tracking on, forces garbage collections, and throws an Error naming the growth per dtype
 * when live tensors or their bytes grew by more than the tolerance (0 by default). Also throws
 * when no collection can be forced, rather than pass without checking (run node with
 * `--expose-gc` if that happens; it is not needed where node's `v8` and `vm` modules work).
 *
 * Tensors made before the call are not counted unless tracking was already on: when `fn`
 * replaces such tensors (parameters updated out of place, optimizer state), their replacements
 * show as growth. Pass `{ warmup: 1 }`, or switch tracking on before making them. Run the first
 * iteration of a loop before the checked block when it legitimately creates lasting tensors.
 *
 * ```ts
 * test('a training step leaves nothing behind', async () => {
 *   await expectNoLeaks(() => {
 *     for (let i = 0; i < 100; i++) step();
 *   }, { warmup: 1 }); // the first run creates the optimizer's state
 * });
 * // a leak (say, every step's loss kept in an array) fails with:
 * // expectNoLeaks: 100 tensors (+400 bytes) still live after the block:
 * //   float32: +100 tensors, +100 storages, +400 bytes
 * ```
 */
export async function expectNoLeaks(fn: () => unknown, opts: NoLeaksOptions = {}): Promise<void> {
  checkOptions('expectNoLeaks', opts, NO_LEAKS_KEYS);
  checkFn('expectNoLeaks', fn);
  checkCount('expectNoLeaks', 'tensors', opts.tensors, true);
  checkCount('expectNoLeaks', 'bytes', opts.bytes, true);
  const { growth, wasTracking } = await trackTensors(
    async () => {
      await fn();
    },
    { warmup: opts.warmup },
  );
  const maxTensors = opts.tensors ?? 0;
  const maxBytes = opts.bytes ?? 0;
  if (growth.tensors <= maxTensors && growth.bytes <= maxBytes) return;
  let msg = describeGrowth(growth, `expectNoLeaks${opts.label ? ` (${opts.label})` : ''}`, maxTensors, maxBytes);
  if (!wasTracking && !opts.warmup) {
    msg +=
      '\n  Memory tracking was off before this call: if the block replaces tensors made before it (parameters ' +
      'updated out of place, optimizer state), the replacements show here; pass { warmup: 1 } to tell them from a leak.';
  }
  throw new Error(msg);
}

/** The message of a failed {@link expectNoLeaks}: the growth in all, per dtype and per backend. */
export function describeGrowth(g: MemoryGrowth, what = 'growth', maxTensors = 0, maxBytes = 0): string {
  const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toLocaleString('en-US')}`;
  const line = (c: MemoryCount): string =>
    `${signed(c.tensors)} tensors, ${signed(c.storages)} storages, ${signed(c.bytes)} bytes`;
  const tol = maxTensors > 0 || maxBytes > 0 ? ` (tolerance: ${maxTensors} tensors, ${maxBytes} bytes)` : '';
  const lines = [
    `${what}: ${g.tensors.toLocaleString('en-US')} tensors (${signed(g.bytes)} bytes) still live after the block${tol}:`,
  ];
  for (const d of DTYPES) {
    const c = g.byDtype[d];
    if (c.tensors !== 0 || c.bytes !== 0 || c.storages !== 0) lines.push(`  ${d}: ${line(c)}`);
  }
  const backends = Object.entries(g.byBackend).filter(([, c]) => c.tensors !== 0 || c.bytes !== 0);
  if (backends.length > 1) for (const [name, c] of backends) lines.push(`  backend ${name}: ${line(c)}`);
  lines.push('  (tensors kept in arrays, caches, closures or module state after the block count as leaks)');
  return lines.join('\n');
}
