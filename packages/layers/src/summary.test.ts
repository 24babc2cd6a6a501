import { Parameter, Variable } from '@dl/autograd';
import { defaultGenerator, manualSeed, rand, zeros } from '@dl/tensor';
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Embedding,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  summary,
  type Input,
} from './index';

describe('summary', () => {
  it("prints the course's MLP as a Keras-style table", () => {
    const model = new Sequential(new Linear(784, 300), new ReLU(), new Linear(300, 10));
    const s = summary(model, [1, 784]);
    expect(s.split('\n')).toEqual([
      'Model: Sequential',
      'Input shape: [1, 784]',
      '=====================================================',
      'Layer (type)            Output Shape          Param #',
      '=====================================================',
      '0 (Linear)              [1, 300]              235,500',
      '1 (ReLU)                [1, 300]              0',
      '2 (Linear)              [1, 10]               3,010',
      '=====================================================',
      'Total params: 238,510',
      'Trainable params: 238,510',
      'Non-trainable params: 0',
      '-----------------------------------------------------',
    ]);
  });

  it('lists the leaf modules of nested models with dotted names and counts frozen parameters as non-trainable', () => {
    class Net extends Module {
      features = new Sequential(new Conv2d(1, 6, 5, { padding: 2 }), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2));
      flatten = new Flatten();
      drop = new Dropout(0.5);
      head = new Linear(6 * 14 * 14, 10);
      forward(x: Input): Variable {
        return this.head.call(this.drop.call(this.flatten.call(this.features.call(x))));
      }
    }
    const net = new Net();
    net.features.requiresGrad_(false);
    const lines = summary(net, [2, 1, 28, 28]).split('\n');
    const rows = lines.slice(5, lines.indexOf(lines[2], 5)).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['features.0 (Conv2d)', '[2, 6, 28, 28]', '156'],
      ['features.1 (BatchNorm2d)', '[2, 6, 28, 28]', '12'],
      ['features.2 (ReLU)', '[2, 6, 28, 28]', '0'],
      ['features.3 (MaxPool2d)', '[2, 6, 14, 14]', '0'],
      ['flatten (Flatten)', '[2, 1176]', '0'],
      ['drop (Dropout)', '[2, 1176]', '0'],
      ['head (Linear)', '[2, 10]', '11,770'],
    ]);
    expect(lines).toContain('Total params: 11,938');
    expect(lines).toContain('Trainable params: 11,770');
    expect(lines).toContain('Non-trainable params: 168');
  });

  it("leaves the model's state alone: modes, BatchNorm statistics, the global random generator", () => {
    const bn = new BatchNorm2d(3);
    const model = new Sequential(bn, new Dropout(0.5));
    model.train();
    manualSeed(5);
    const before = rand([3]).toArray();
    manualSeed(5);
    summary(model, [1, 3, 2, 2]); // a batch of 1 would fail in training mode: the pass runs in eval mode
    expect(rand([3]).toArray()).toEqual(before);
    expect(model.training && bn.training).toBe(true);
    expect(bn.numBatchesTracked?.item()).toBe(0);
    expect(Array.from(bn.runningMean?.toTypedArray() ?? [])).toEqual([0, 0, 0]);
    model.eval();
    summary(model, [1, 3, 2, 2]);
    expect(bn.training).toBe(false);
    expect(defaultGenerator).toBeDefined();
  });

  it('shows tuple outputs, several inputs, int inputs, modules owning parameters and shared parameters counted once', () => {
    class Pair extends Module {
      scale = new Parameter(zeros([3]));
      emb = new Embedding(10, 3);
      pool = new MaxPool2d(2, { returnIndices: true });
      shared = new Linear(3, 3);
      forward(ids: Input, img: Input): Variable {
        const [p] = this.pool.call(img);
        return this.shared.call(this.shared.call(this.emb.call(ids).mul(this.scale))).sum().add(p.sum());
      }
    }
    const m = new Pair();
    const s = summary(m, [zeros([2, 4], { dtype: 'int32' }), zeros([1, 1, 4, 4])]);
    expect(s).toContain('Input shape: [2, 4], [1, 1, 4, 4]');
    expect(s).toMatch(/^Pair\s+\[\]\s+3$/m); // the root owns `scale`
    expect(s).toMatch(/^emb \(Embedding\)\s+\[2, 4, 3\]\s+30$/m);
    expect(s).toMatch(/^pool \(MaxPool2d\)\s+\[1, 1, 2, 2\], \[1, 1, 2, 2\]\s+0$/m);
    expect(s).toMatch(/^shared \(Linear\)\s+\[2, 4, 3\]\s+12$/m);
    expect(s).toContain('Total params: 45');
    // shapes with an int dtype give zero indices, valid for any Embedding
    expect(summary(new Embedding(5, 2), [3], { dtype: 'int32' })).toMatch(/^Embedding\s+\[3, 2\]\s+10$/m);
  });

  it('lists modules that forward does not call with output -', () => {
    class Partial extends Module {
      used = new Linear(2, 2);
      unused = new Linear(2, 5);
      forward(x: Input): Variable {
        return this.used.call(x);
      }
    }
    expect(summary(new Partial(), [1, 2])).toMatch(/^unused \(Linear\)\s+-\s+15$/m);
  });

  it('uses the model dtype and rejects bad arguments', () => {
    expect(summary(new Linear(2, 3).double(), [4, 2])).toContain('[4, 3]');
    expect(() => summary(new Linear(2, 3), [4, -2])).toThrow(/summary: an input shape must be a list of sizes >= 0/);
    expect(() => summary({} as Module, [1])).toThrow(/first argument must be a Module/);
    expect(() => summary(new Linear(2, 3), [1, 5])).toThrow(/Linear\(2 -> 3\)/);
  });
});
