import {
  Tensor,
  canCollectGarbage,
  collectGarbage,
  conv2d,
  expectNoLeaks,
  getBackend,
  listBackends,
  memory,
  ones,
  randn,
  setMemoryTracking,
  tensor,
  trackTensors,
  withBackend,
  zeros,
  type MemoryInfo,
} from './index';
import { loadNativeAddon } from './backends/native';

const nativeBuilt = loadNativeAddon() !== null && listBackends().includes('native');

function delta(a: MemoryInfo, b: MemoryInfo) {
  return { tensors: b.tensors - a.tensors, storages: b.storages - a.storages, bytes: b.bytes - a.bytes };
}

/** DL_TRACK_MEMORY=1 switches tracking on from the start (then there is no warning to see). */
const trackingFromEnv = /^(1|true|yes|on)$/i.test(process.env.DL_TRACK_MEMORY ?? '');

describe('memory tracking off (the default)', () => {
  let was = false;
  beforeAll(() => {
    was = setMemoryTracking(false);
  });
  afterAll(() => {
    setMemoryTracking(was);
  });

  (trackingFromEnv ? test.skip : test)('nothing is counted, memory() says so and warns once', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const before = memory();
      const x = zeros([10]);
      const after = memory();
      expect(before.tracking).toBe(false);
      expect(delta(before, after)).toEqual({ tensors: 0, storages: 0, bytes: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/memory tracking is off.*setMemoryTracking\(true\).*DL_TRACK_MEMORY=1/);
      expect(x.numel()).toBe(10);
    } finally {
      warn.mockRestore();
    }
  });

  test('views and ops on tensors made before tracking do not count their storage', async () => {
    const w = randn([30, 20]);
    const x = randn([4, 20]);
    await expectNoLeaks(() => {
      for (let i = 0; i < 20; i++) x.matmul(w.transpose(0, 1)).relu().sum();
    });
  });

  test('a block that replaces an untracked tensor needs a warm-up', async () => {
    let param = zeros([16]);
    const step = () => {
      param = param.add(1); // updated out of place: the old tensor dies, a new one lives on
    };
    await expect(expectNoLeaks(step)).rejects.toThrow(/1 tensors \(\+64 bytes\)[^]*Memory tracking was off[^]*warmup: 1/);
    await expectNoLeaks(step, { warmup: 1 });
    expect(memory().tracking).toBe(false); // set back as it was
    expect(param.numel()).toBe(16);
  });
});

describe('memory()', () => {
  let was = false;
  beforeAll(() => {
    was = setMemoryTracking(true);
  });
  afterAll(() => {
    setMemoryTracking(was);
  });

  test('counts a new tensor, its storage and bytes, per dtype', () => {
    const before = memory();
    const x = zeros([10]);
    const i = tensor([1, 2, 3], { dtype: 'int32' });
    const b = tensor([true, false]);
    const d = ones([2, 2], { dtype: 'float64' });
    const after = memory();
    expect(delta(before, after)).toEqual({ tensors: 4, storages: 4, bytes: 40 + 12 + 2 + 32 });
    expect(after.byDtype.float32.bytes - before.byDtype.float32.bytes).toBe(40);
    expect(after.byDtype.int32).toEqual({
      tensors: before.byDtype.int32.tensors + 1,
      storages: before.byDtype.int32.storages + 1,
      bytes: before.byDtype.int32.bytes + 12,
    });
    expect(after.byDtype.bool.bytes - before.byDtype.bool.bytes).toBe(2);
    expect(after.byDtype.float64.bytes - before.byDtype.float64.bytes).toBe(32);
    expect([x, i, b, d].length).toBe(4);
  });

  test('views are tensors of their own but share their base storage', () => {
    const x = zeros([4, 6]);
    const before = memory();
    const v = [x.reshape(6, 4), x.transpose(0, 1), x.narrow(0, 1, 2), new Tensor(x.storage, [24])];
    const after = memory();
    expect(delta(before, after)).toEqual({ tensors: 4, storages: 0, bytes: 0 });
    expect(v.length).toBe(4);
  });

  test('a typed array of the caller wrapped in a Tensor counts as a tensor, not as a storage', () => {
    const before = memory();
    const t = new Tensor(new Float32Array(8), [8]);
    expect(delta(before, memory())).toEqual({ tensors: 1, storages: 0, bytes: 0 });
    expect(t.numel()).toBe(8);
  });

  test('every dtype is reported, and totals are the sum over dtypes and over backends', () => {
    const m = memory();
    expect(Object.keys(m.byDtype).sort()).toEqual(['bool', 'float32', 'float64', 'int32']);
    for (const key of ['tensors', 'storages', 'bytes'] as const) {
      expect(Object.values(m.byDtype).reduce((s, c) => s + c[key], 0)).toBe(m[key]);
      expect(Object.values(m.byBackend).reduce((s, c) => s + c[key], 0)).toBe(m[key]);
    }
  });

  test('files tensors under the backend in use when they were made', () => {
    const before = memory().byBackend.js ?? { tensors: 0, storages: 0, bytes: 0 };
    const x = withBackend('js', () => zeros([5]));
    const after = memory().byBackend.js;
    expect(after.tensors - before.tensors).toBe(1);
    expect(after.bytes - before.bytes).toBe(20);
    expect(x.numel()).toBe(5);
  });

  test('reports the native addon (loaded or not) with numbers', () => {
    const n = memory().native;
    expect(memory().tracking).toBe(true);
    expect(typeof n.loaded).toBe('boolean');
    for (const k of ['scratchBytes', 'scratchBuffers', 'threads'] as const) expect(Number.isFinite(n[k])).toBe(true);
    if (!n.loaded) expect(n.scratchBytes).toBe(0);
  });

  (nativeBuilt ? test : test.skip)('counts the native scratch buffers a convolution grows', () => {
    withBackend('native', () => {
      const x = randn([2, 3, 40, 40]);
      const w = randn([8, 3, 5, 5]);
      conv2d(x, w).sum();
    });
    const n = memory().native;
    expect(n.loaded).toBe(true);
    if (typeof loadNativeAddon()!.memoryInfo !== 'function') return; // an addon built before memoryInfo
    expect(n.scratchBytes).toBeGreaterThan(0);
    expect(n.scratchBuffers).toBeGreaterThan(0);
    expect(n.threads).toBeGreaterThanOrEqual(1);
  });
});

describe('collectGarbage, trackTensors, expectNoLeaks', () => {
  test('a collection can be forced here (with or without --expose-gc)', () => {
    expect(canCollectGarbage()).toBe(true);
  });

  test('dropped tensors stop counting once collected', async () => {
    await collectGarbage();
    const before = memory();
    const was = setMemoryTracking(true);
    (() => {
      for (let i = 0; i < 200; i++) zeros([100]).add(1);
    })();
    setMemoryTracking(was);
    expect(memory().tensors - before.tensors).toBeGreaterThan(0); // not collected yet
    expect(await collectGarbage()).toBe(true);
    expect(delta(before, memory())).toEqual({ tensors: 0, storages: 0, bytes: 0 });
  });

  test('trackTensors gives the growth, including what fn returns', async () => {
    const { result, growth } = await trackTensors(() => [zeros([10]), zeros([3], { dtype: 'int32' })]);
    expect(result.length).toBe(2);
    expect(growth.tensors).toBe(2);
    expect(growth.bytes).toBe(52);
    expect(growth.byDtype.float32).toEqual({ tensors: 1, storages: 1, bytes: 40 });
    expect(growth.byDtype.int32).toEqual({ tensors: 1, storages: 1, bytes: 12 });
  });

  test('expectNoLeaks passes for temporaries (sync and async blocks)', async () => {
    const w = randn([20, 20]);
    await expectNoLeaks(() => {
      for (let i = 0; i < 100; i++) w.matmul(w).relu().sum().item();
    });
    await expectNoLeaks(async () => {
      for (let i = 0; i < 10; i++) {
        w.add(1).mean();
        await Promise.resolve();
      }
    });
  });

  test('expectNoLeaks fails on a planted leak, naming the growth per dtype', async () => {
    const kept: Tensor[] = [];
    const w = randn([8]);
    const leaky = () => {
      for (let i = 0; i < 50; i++) kept.push(w.mul(2).sum()); // every step's "loss" kept
    };
    await expect(expectNoLeaks(leaky, { label: 'planted' })).rejects.toThrow(
      /expectNoLeaks \(planted\): 50 tensors \(\+200 bytes\) still live after the block:\n {2}float32: \+50 tensors, \+50 storages, \+200 bytes/,
    );
    expect(kept.length).toBe(50);
    // within tolerance it passes
    await expectNoLeaks(() => kept.push(w.sum()), { tensors: 1, bytes: 4 });
  });

  test('a leak of views (no new storage) still fails', async () => {
    const base = zeros([100]);
    const kept: Tensor[] = [];
    await expect(expectNoLeaks(() => kept.push(base.reshape(10, 10)))).rejects.toThrow(/1 tensors \(\+0 bytes\)/);
  });

  test('options are checked (unknown keys with a hint, counts, the function)', async () => {
    await expect(expectNoLeaks(() => {}, { tolerance: 1 } as never)).rejects.toThrow(
      "expectNoLeaks: unknown option 'tolerance'; the options are tensors, bytes, label, warmup",
    );
    await expect(trackTensors(() => {}, { warm_up: 1 } as never)).rejects.toThrow(/unknown option 'warm_up' \(did you mean 'warmup'\?\)/);
    await expect(expectNoLeaks(() => {}, { tensors: -1 })).rejects.toThrow('expectNoLeaks: tensors must be a whole number >= 0, got -1');
    await expect(trackTensors(() => {}, { warmup: 1.5 })).rejects.toThrow('trackTensors: warmup must be a whole number >= 0, got 1.5');
    await expect(expectNoLeaks(null as never)).rejects.toThrow('expectNoLeaks: expected a function to run, got null');
  });

  test('the error is a plain Error (usable outside jest)', async () => {
    const kept: Tensor[] = [];
    const err = await expectNoLeaks(() => kept.push(zeros([1]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(getBackend().name).toBeTruthy();
  });
});
