import * as fs from 'fs';
import { join } from 'path';
import { deserializeWithMetadata, save } from '@dl/layers';
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
import { CliError } from './errors';
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
  expect(() => loadCheckpoint(odd)).toThrow(/state: settings\.model \(--model\) is "resnet", but it must be one of mlp, cnn, lenet; the file is damaged or from another program/);
  expect(() => loadCheckpoint(dir)).toThrow(/is a directory; give the file inside it/);
});

test('epochSeed: a different order for every epoch and seed, and the same for the same pair', () => {
  const seeds = new Set<number>();
  for (let s = 0; s < 5; s++) for (let e = 1; e <= 20; e++) seeds.add(epochSeed(s, e));
  expect(seeds.size).toBe(100);
  expect(epochSeed(3, 4)).toBe(epochSeed(3, 4));
});

/** A checkpoint file holding `st` as its state (the tensors of a real model and optimizer). */
function writeWithState(dir: string, name: string, st: unknown): string {
  const { model, optimizer } = trained();
  const bytes = serializeCheckpoint(model, optimizer, state(1));
  const path = join(dir, name);
  // swap the state JSON for `st` (keeping the tensors and their checksums)
  const { tensors, metadata } = deserializeWithMetadata(bytes);
  save(tensors, path, { metadata: { ...(metadata as Record<string, string>), state: JSON.stringify(st) } });
  return path;
}

describe('every stored setting is checked on load, naming it', () => {
  const full = (): CheckpointState => {
    const dir = tempDir();
    return loadCheckpoint(writeWithState(dir, 'ok.safetensors', JSON.parse(JSON.stringify(fullState())))).state;
  };
  /** state(1) as loadCheckpoint returns it (with the optimizer part filled in). */
  function fullState(): CheckpointState {
    const { model, optimizer } = trained();
    const dir = tempDir();
    const path = join(dir, 'c.safetensors');
    saveCheckpoint(path, serializeCheckpoint(model, optimizer, state(1)));
    return loadCheckpoint(path).state;
  }
  const base = fullState();
  const edit = (f: (s: CheckpointState & Record<string, unknown>) => void): CheckpointState => {
    const s = JSON.parse(JSON.stringify(base)) as CheckpointState & Record<string, unknown>;
    f(s);
    return s;
  };

  test('an unedited state loads', () => {
    expect(full().settings.batchSize).toBe(4);
  });

  const cases: [string, (s: CheckpointState) => void, RegExp][] = [
    ['batch size 0', (s) => {
      s.settings.batchSize = 0;
    }, /settings\.batchSize \(--batch-size\) is 0, but it must be a whole number >= 1/],
    ['test size -1', (s) => {
      s.settings.testSize = -1;
    }, /settings\.testSize \(--test-size\) is -1, but it must be null \(all samples\) or a whole number >= 1/],
    ['train size 2.5', (s) => {
      s.settings.trainSize = 2.5;
    }, /settings\.trainSize \(--train-size\) is 2\.5/],
    ['epochs 0', (s) => {
      s.settings.epochs = 0;
    }, /settings\.epochs \(--epochs\) is 0/],
    ['lr 0', (s) => {
      s.settings.lr = 0;
    }, /settings\.lr \(--lr\) is 0, but it must be a finite number > 0/],
    ['lr NaN (null in JSON)', (s) => {
      s.settings.lr = NaN;
    }, /settings\.lr \(--lr\) is null/],
    ['negative weight decay', (s) => {
      s.settings.weightDecay = -0.1;
    }, /settings\.weightDecay \(--weight-decay\) is -0\.1/],
    ['momentum for adam', (s) => {
      s.settings.momentum = 0.9;
    }, /settings\.momentum \(--momentum\) is 0\.9, but --optimizer adam takes no momentum/],
    ['a seed that is not a whole number', (s) => {
      s.settings.seed = -3;
    }, /settings\.seed \(--seed\) is -3/],
    ['an empty data dir', (s) => {
      s.settings.dataDir = '';
    }, /settings\.dataDir \(--data-dir\) is ""/],
    ['a dataset that does not fit the model', (s) => {
      s.settings.dataset = 'cifar10';
    }, /inputShape is \[1,28,28\], but cifar10 images are \[3, 32, 32\]/],
    ['the wrong number of classes', (s) => {
      s.classes.pop();
    }, /classes is a list of 9, but mnist has 10 class names/],
    ['an epoch past the end', (s) => {
      s.epoch = 6;
    }, /epoch \(completed epochs\) is 6, but it must be a whole number from 0 to settings\.epochs = 5/],
    ['a batch past the end of the epoch', (s) => {
      s.batch = 2;
    }, /batch is 2, but an epoch of 8 samples \(--train-size\) in batches of 4 has 2/],
    ['a history of the wrong length', (s) => {
      s.history.push(s.history[0]);
    }, /history has 2 entries, but 1 epochs are complete/],
    ['partial sums at an epoch boundary', (s) => {
      s.batch = 0;
    }, /partial is \{.*\}, but it must be null at an epoch boundary/],
    ['more correct than samples', (s) => {
      (s.partial as { correct: number }).correct = 99;
    }, /partial\.correct 99 \/ samples 4/],
    ['another optimizer', (s) => {
      s.optimizer.name = 'sgd';
    }, /optimizer\.name is "sgd", but settings\.optimizer is "adam"/],
  ];
  test.each(cases)('%s', (_what, change, message) => {
    const path = writeWithState(tempDir(), 'bad.safetensors', edit(change));
    expect(() => loadCheckpoint(path)).toThrow(CliError);
    expect(() => loadCheckpoint(path)).toThrow(new RegExp(`^checkpoint '.*bad\\.safetensors': state: ${message.source}.*; the file is damaged or from another program$`));
  });
});

describe('damaged weights', () => {
  test('three bytes overwritten inside the weights: refused, naming the tensor', () => {
    const dir = tempDir();
    const { model, optimizer } = trained();
    const path = join(dir, 'checkpoint.safetensors');
    saveCheckpoint(path, serializeCheckpoint(model, optimizer, state(1)));
    const bytes = fs.readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
    const at = 8 + n + header['model.1.weight'].data_offsets[0] + 1000;
    bytes[at] ^= 0xff;
    bytes[at + 1] ^= 0x0f;
    bytes[at + 2] ^= 0x01;
    fs.writeFileSync(path, bytes);
    expect(() => loadCheckpoint(path)).toThrow(
      /^checkpoint '.*checkpoint\.safetensors' is damaged: tensor 'model\.1\.weight': its data does not match the SHA-256 saved with it .*; it was changed after dl train saved it .*Use an intact copy, or train again$/,
    );
  });

  test('a weight whose dtype was changed in the header (F32 -> I32): refused, naming the tensor and both dtypes', () => {
    const dir = tempDir();
    const { model, optimizer } = trained();
    const path = join(dir, 'checkpoint.safetensors');
    saveCheckpoint(path, serializeCheckpoint(model, optimizer, state(1)));
    const relabel = (b: Buffer): Buffer => {
      const text = b.toString('latin1');
      const edited = text.replace(/("model\.1\.weight":\{"dtype":)"F32"/, '$1"I32"');
      expect(edited).not.toBe(text);
      return Buffer.from(edited, 'latin1');
    };
    fs.writeFileSync(path, relabel(fs.readFileSync(path)));
    expect(() => loadCheckpoint(path)).toThrow(/is damaged: tensor 'model\.1\.weight' is stored as I32 but was saved as F32 \(its dtype was changed in the header\)/);
    // without checksums (a file from elsewhere), loading it into the model still refuses it
    const { tensors, metadata } = deserializeWithMetadata(serializeCheckpoint(model, optimizer, state(1)));
    const plain = join(dir, 'plain.safetensors');
    save(tensors, plain, { metadata: metadata as Record<string, string>, checksum: false });
    fs.writeFileSync(plain, relabel(fs.readFileSync(plain)));
    const ck = loadCheckpoint(plain);
    expect(ck.modelState['1.weight'].dtype).toBe('int32');
    expect(() => buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 }).loadStateDict(ck.modelState)).toThrow(/dtype mismatch for '1\.weight': checkpoint int32, model float32/);
    // an optimizer buffer relabelled the same way is refused by loadCheckpoint itself
    const opt = join(dir, 'opt.safetensors');
    save(tensors, opt, { metadata: metadata as Record<string, string>, checksum: false });
    const text = fs.readFileSync(opt).toString('latin1').replace(/("optimizer\.0\.expAvg":\{"dtype":)"F32"/, '$1"I32"');
    fs.writeFileSync(opt, Buffer.from(text, 'latin1'));
    expect(() => loadCheckpoint(opt)).toThrow(/optimizer buffer 'optimizer\.0\.expAvg' is stored as int32, but optimizer state is floating point/);
  });

  test('a checkpoint without checksums (written elsewhere) still loads', () => {
    const dir = tempDir();
    const { model, optimizer } = trained();
    const { tensors, metadata } = deserializeWithMetadata(serializeCheckpoint(model, optimizer, state(1)));
    const path = join(dir, 'plain.safetensors');
    save(tensors, path, { metadata: metadata as Record<string, string>, checksum: false });
    expect(loadCheckpoint(path).state.epoch).toBe(1);
  });
});
