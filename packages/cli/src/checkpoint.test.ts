import * as fs from 'fs';
import { join } from 'path';
import { save } from '@dl/layers';
import { CrossEntropyLoss } from '@dl/losses';
import { manualSeed, rand, randint, tensor } from '@dl/tensor';
import type { AtomicFs } from './atomic';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  epochSeed,
  loadCheckpoint,
  saveCheckpoint,
  serializeCheckpoint,
  type CheckpointState,
} from './checkpoint';
import { buildModel } from './models';
import { makeOptimizer } from './optimizers';
import { tempDir } from './testing/files';

type StateIn = Parameters<typeof serializeCheckpoint>[2];

function state(epoch: number): StateIn {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    settings: { model: 'mlp', dataset: 'mnist', dataDir: null, epochs: 5, batchSize: 4, lr: 0.01, optimizer: 'adam', momentum: 0, weightDecay: 0, seed: 3, trainSize: 8, testSize: 4 },
    inputShape: [1, 28, 28],
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    lightOnDark: true,
    epoch,
    batch: 1,
    partial: { lossSum: 9.25, correct: 3, samples: 4, seconds: 0.5 },
    history: [{ epoch: 1, trainLoss: 2.1, trainAccuracy: 0.25, valLoss: 2, valAccuracy: 0.5, seconds: 1, valSeconds: 0.1, samplesPerSecond: 8, lr: 0.01 }],
    optimizer: { name: 'adam' },
    trainSeconds: 1.5,
    savedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A model and an Adam optimizer after two steps (so that it has state). */
function trained(): { model: ReturnType<typeof buildModel>; optimizer: ReturnType<typeof makeOptimizer> } {
  manualSeed(1);
  const model = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
  const optimizer = makeOptimizer('adam', model.parameters(), { lr: 0.01, momentum: 0, weightDecay: 0 });
  const x = rand([4, 1, 28, 28]);
  const y = randint(0, 10, [4], { dtype: 'int32' });
  for (let i = 0; i < 2; i++) {
    optimizer.zeroGrad();
    new CrossEntropyLoss().forward(model.call(x), y).backward();
    optimizer.step();
  }
  return { model, optimizer };
}

test('a checkpoint holds the model, the optimizer state and the run state, exactly', () => {
  const dir = tempDir();
  const { model, optimizer } = trained();
  const path = join(dir, 'checkpoint.safetensors');
  saveCheckpoint(path, serializeCheckpoint(model, optimizer, state(1)));
  const ck = loadCheckpoint(path);
  const st: CheckpointState = ck.state;
  expect(st).toMatchObject({ epoch: 1, batch: 1, partial: { lossSum: 9.25, samples: 4 }, classes: state(1).classes, trainSeconds: 1.5 });
  expect(st.optimizer.name).toBe('adam');
  expect(st.optimizer.steps).toEqual({ 0: 2, 1: 2, 2: 2, 3: 2 });
  expect(st.optimizer.stepCount).toBe(2);
  for (const [k, t] of Object.entries(model.stateDict())) expect([...ck.modelState[k].toTypedArray()]).toEqual([...t.toTypedArray()]);
  const sd = optimizer.stateDict();
  for (const i of [0, 1, 2, 3]) {
    for (const name of ['expAvg', 'expAvgSq']) {
      const a = sd.state[i][name];
      const b = ck.optimizerState.state[i][name];
      if (typeof a === 'number' || typeof b === 'number') throw new Error('expected tensors');
      expect([...b.toTypedArray()]).toEqual([...a.toTypedArray()]);
    }
  }
  // and they load back into a fresh model and optimizer
  const fresh = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
  const opt2 = makeOptimizer('adam', fresh.parameters(), { lr: 0.01, momentum: 0, weightDecay: 0 });
  fresh.loadStateDict(ck.modelState);
  opt2.loadStateDict(ck.optimizerState);
  expect(opt2.stateDict().state[3].step).toBe(2);
  // the header says what it is, for people and for PyTorch
  const header = JSON.parse(fs.readFileSync(path).subarray(8, 8 + Number(fs.readFileSync(path).readBigUInt64LE(0))).toString('utf8')) as Record<string, unknown>;
  expect(header.__metadata__).toMatchObject({ format: 'dl-checkpoint', version: '1', epoch: '1' });
  expect(Object.keys(header).filter((k) => k.startsWith('model.')).sort()).toEqual(['model.1.bias', 'model.1.weight', 'model.3.bias', 'model.3.weight']);
  expect(header['optimizer.0.expAvg']).toMatchObject({ dtype: 'F32', shape: [300, 784] });
});

test('a failed write keeps the previous checkpoint whole and leaves no temporary file', () => {
  const dir = tempDir();
  const { model, optimizer } = trained();
  const path = join(dir, 'checkpoint.safetensors');
  saveCheckpoint(path, serializeCheckpoint(model, optimizer, state(1)));
  const before = fs.readFileSync(path);
  const diskFull: AtomicFs = {
    openSync: (p, f, m) => fs.openSync(p, f, m),
    writeSync: (fd, b, o, l) => {
      fs.writeSync(fd, b, o, Math.min(l, 1000));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    fsyncSync: (fd) => fs.fsyncSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync: (a, b) => fs.renameSync(a, b),
    unlinkSync: (p) => fs.unlinkSync(p),
  };
  expect(() => saveCheckpoint(path, serializeCheckpoint(model, optimizer, state(2)), diskFull)).toThrow(/could not write .*checkpoint\.safetensors: ENOSPC/);
  expect(fs.readFileSync(path).equals(before)).toBe(true);
  expect(loadCheckpoint(path).state.epoch).toBe(1);
  expect(fs.readdirSync(dir)).toEqual(['checkpoint.safetensors']);
});

test('files that are not dl checkpoints get messages that say so', () => {
  const dir = tempDir();
  const plain = join(dir, 'weights.safetensors');
  save({ w: tensor([1, 2]) }, plain);
  expect(() => loadCheckpoint(plain)).toThrow(/weights\.safetensors': a safetensors file, but not a dl checkpoint/);
  const future = join(dir, 'future.safetensors');
  save({ 'model.w': tensor([1]) }, future, { metadata: { format: 'dl-checkpoint', version: '9', state: '{}' } });
  expect(() => loadCheckpoint(future)).toThrow(/format version 9, but this dl reads version 1/);
  const broken = join(dir, 'broken.safetensors');
  save({ 'model.w': tensor([1]) }, broken, { metadata: { format: 'dl-checkpoint', version: '1', state: '{"settings": ' } });
  expect(() => loadCheckpoint(broken)).toThrow(/"state" metadata is not valid JSON/);
  const odd = join(dir, 'odd.safetensors');
  const st = { ...state(1), optimizer: { name: 'adam', paramGroups: [], steps: {}, stepCount: 0 }, settings: { ...state(1).settings, model: 'resnet' } };
  save({ 'model.w': tensor([1]) }, odd, { metadata: { format: 'dl-checkpoint', version: '1', state: JSON.stringify(st) } });
  expect(() => loadCheckpoint(odd)).toThrow(/state: unknown model "resnet"; the file is damaged or from another program/);
  expect(() => loadCheckpoint(dir)).toThrow(/is a directory; give the file inside it/);
});

test('epochSeed: a different order for every epoch and seed, and the same for the same pair', () => {
  const seeds = new Set<number>();
  for (let s = 0; s < 5; s++) for (let e = 1; e <= 20; e++) seeds.add(epochSeed(s, e));
  expect(seeds.size).toBe(100);
  expect(epochSeed(3, 4)).toBe(epochSeed(3, 4));
});
