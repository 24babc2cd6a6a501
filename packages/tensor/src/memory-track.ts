/**
 * The counters behind `memory()` (memory.ts): a leaf module (no imports) so that dtype.ts, where
 * storages are allocated, and tensor.ts, where tensors are made, can call it without cycles.
 *
 * Counting is off unless asked for (`DL_TRACK_MEMORY=1`, `setMemoryTracking(true)`, or inside
 * `trackTensors` / `expectNoLeaks`): the callers test `TRACKING.on` first, so when it is off a
 * tensor costs one property read more. It is off because a `FinalizationRegistry` target survives
 * V8's minor collections (Node 20): every registered temporary is promoted to the old generation
 * and freed only by a full collection, which makes small ops several times slower.
 *
 * When it is on, every Tensor is registered at construction and every storage at allocation
 * (`allocStorage` / `allocateChecked`, the one place @dl allocates them), each with a plain number
 * as held value (its slot, or bytes * MAX_SLOTS + slot), and the counts go down in the registries'
 * callbacks. A slot is (backend index) * 4 + (dtype index).
 * @internal
 */

/** Whether new tensors and storages are counted (read on every construction / allocation). */
export const TRACKING = { on: /^(1|true|yes|on)$/i.test(process.env.DL_TRACK_MEMORY ?? '') };

/** Dtype order of the slots: bool, int32, float32, float64 (as DTYPES). */
export const DTYPE_SLOT: Readonly<Record<string, number>> = { bool: 0, int32: 1, float32: 2, float64: 3 };
export const MAX_BACKENDS = 16;
export const MAX_SLOTS = MAX_BACKENDS * 4;

export const tensorCount = new Float64Array(MAX_SLOTS);
export const storageCount = new Float64Array(MAX_SLOTS);
export const byteCount = new Float64Array(MAX_SLOTS);
/** Backend names by index, in the order they first made a tensor or storage. */
export const backendNames: string[] = [];

const tensorRegistry = new FinalizationRegistry<number>((slot) => {
  tensorCount[slot]--;
});
const storageRegistry = new FinalizationRegistry<number>((held) => {
  const slot = held % MAX_SLOTS;
  storageCount[slot]--;
  byteCount[slot] -= (held - slot) / MAX_SLOTS;
});

/** Where the name of the backend in use comes from (set by backend.ts). */
let backendName: () => string = () => 'js';
let lastBackend = '';
let lastBase = 0;

export function setBackendNameSource(fn: () => string): void {
  backendName = fn;
}

function slotOf(dtype: string): number {
  const name = backendName();
  if (name !== lastBackend) {
    let i = backendNames.indexOf(name);
    // more backends than slots (never, in practice) share the last one
    if (i < 0) i = backendNames.length < MAX_BACKENDS ? backendNames.push(name) - 1 : MAX_BACKENDS - 1;
    lastBackend = name;
    lastBase = i * 4;
  }
  return lastBase + DTYPE_SLOT[dtype];
}

/** Counts a new tensor until it is collected (called by the Tensor constructor when TRACKING.on). */
export function trackTensor(t: object, dtype: string): void {
  const slot = slotOf(dtype);
  tensorCount[slot]++;
  tensorRegistry.register(t, slot);
}

/** Counts a new storage and its bytes until it is collected (called where storages are allocated). */
export function trackStorage(s: ArrayBufferView, dtype: string): void {
  const slot = slotOf(dtype);
  const bytes = s.byteLength;
  storageCount[slot]++;
  byteCount[slot] += bytes;
  storageRegistry.register(s, bytes * MAX_SLOTS + slot);
}
