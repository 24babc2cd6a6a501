import { Parameter, Variable, noGrad, relu } from '@dl/autograd';
import { DTypeError, Tensor, ones, randn, tensor, zeros } from '@dl/tensor';
import { BatchNorm1d, Dropout, Linear, Module, ModuleList, ReLU, Sequential, asVariable, type Input, type StateDict } from './index';

class MLP extends Module {
  fc1 = new Linear(4, 3);
  act = new ReLU();
  fc2 = new Linear(3, 2);
  forward(x: Input): Variable {
    return this.fc2.call(relu(this.fc1.call(x)));
  }
}

/** A module with its own parameter, a buffer, a non-persistent buffer and a child. */
class Scaled extends Module {
  scale = new Parameter(ones([2]));
  inner = new Linear(2, 2, { bias: false });
  declare count: Tensor;
  declare cache: Tensor;
  constructor() {
    super();
    this.registerBuffer('count', zeros([1]));
    this.registerBuffer('cache', zeros([2]), { persistent: false });
  }
  forward(x: Input): Variable {
    return this.inner.call(x).mul(this.scale);
  }
}

describe('Module: discovery of parameters, buffers and children', () => {
  it('finds parameters and children from properties, in definition order, with dotted names', () => {
    const m = new MLP();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(m.parameters()).toHaveLength(4);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'fc2']);
    expect(m.children()).toEqual([m.fc1, m.act, m.fc2]);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'fc2']);
    expect(m.modules()[0]).toBe(m);
    expect(m.parameters({ recurse: false })).toEqual([]);
    expect(m.namedParameters({ prefix: 'net' })[0][0]).toBe('net.fc1.weight');
  });

  it('lists own parameters before the children, buffers separately, and the state dict in PyTorch order', () => {
    const s = new Scaled();
    expect(s.namedParameters().map(([n]) => n)).toEqual(['scale', 'inner.weight']);
    expect(s.namedBuffers().map(([n]) => n)).toEqual(['count', 'cache']);
    expect(s.buffers()).toHaveLength(2);
    // non-persistent buffers are not saved
    expect(Object.keys(s.stateDict())).toEqual(['scale', 'count', 'inner.weight']);
    // the state dict shares storage with the module
    expect(s.stateDict().scale).toBe(s.scale.data);
  });

  it('counts a shared parameter or module once', () => {
    const shared = new Linear(2, 2);
    class Tied extends Module {
      a = shared;
      b = shared;
      forward(x: Input): Variable {
        return this.b.call(this.a.call(x));
      }
    }
    const t = new Tied();
    expect(t.namedParameters().map(([n]) => n)).toEqual(['a.weight', 'a.bias']);
    expect(t.namedModules().map(([n]) => n)).toEqual(['', 'a']);
  });

  it('ignores parameters hidden in plain arrays (use ModuleList), as PyTorch', () => {
    class Hidden extends Module {
      layers = [new Linear(2, 2)];
      listed = new ModuleList([new Linear(2, 2)]);
      forward(x: Input): Variable {
        return asVariable(x);
      }
    }
    expect(new Hidden().namedParameters().map(([n]) => n)).toEqual(['listed.0.weight', 'listed.0.bias']);
  });

  it('registers parameters, modules and buffers by name, and rejects bad names and values', () => {
    class Dyn extends Module {
      forward(x: Input): Variable {
        return asVariable(x);
      }
    }
    const d = new Dyn();
    d.registerParameter('w0', new Parameter(ones([2])));
    d.registerModule('sub', new Linear(1, 1));
    d.registerBuffer('stat', zeros([3]));
    d.registerParameter('gone', null);
    expect(d.namedParameters().map(([n]) => n)).toEqual(['w0', 'sub.weight', 'sub.bias']);
    expect(Object.keys(d.stateDict())).toEqual(['w0', 'stat', 'sub.weight', 'sub.bias']);
    expect(() => d.registerParameter('a.b', new Parameter(ones([1])))).toThrow("registerParameter: name must be a non-empty string without '.', got 'a.b'");
    expect(() => d.registerParameter('x', ones([1]) as never)).toThrow(/expected a Parameter \(wrap the tensor: new Parameter\(t\)\) or null/);
    expect(() => d.registerModule('m', {} as Module)).toThrow(/expected a Module or null/);
    expect(() => d.registerBuffer('b', [1] as never)).toThrow(/expected a Tensor or null/);
    // names of existing attributes are refused, as in PyTorch (this used to overwrite them)
    expect(() => d.registerBuffer('training', zeros([1]))).toThrow("registerBuffer: attribute 'training' already exists on Dyn; choose another name");
    expect(() => d.registerParameter('forward', new Parameter(ones([1])))).toThrow(/attribute 'forward' already exists/);
    expect(d.training).toBe(true);
    // re-registering the same name replaces it
    d.registerParameter('w0', new Parameter(zeros([5])));
    expect(d.namedParameters()[0][1].shape).toEqual([5]);
  });
});

describe('Module: calling, hooks, modes', () => {
  it('call() runs forward; Tensor and Variable inputs give the same result', () => {
    const m = new MLP();
    const x = randn([5, 4]);
    const a = m.call(x);
    expect(a).toBeInstanceOf(Variable);
    expect(m.forward(x).toArray()).toEqual(a.toArray());
    expect(m.call(new Variable(x)).toArray()).toEqual(a.toArray());
  });

  it('runs forward pre-hooks (which may replace the inputs) and forward hooks (which may replace the output); remove() unregisters', () => {
    const l = new Linear(2, 2);
    const seen: string[] = [];
    const h1 = l.registerForwardPreHook((_m, inputs) => {
      seen.push('pre');
      return [asVariable(inputs[0] as Input).mul(0)];
    });
    const h2 = l.registerForwardHook((_m, _inputs, out) => {
      seen.push('post');
      return (out as Variable).mul(2);
    });
    const y = l.call(ones([1, 2]));
    expect(seen).toEqual(['pre', 'post']);
    expect(y.toArray()).toEqual([(l.bias as Parameter).data.mul(2).toArray()]);
    // a pre-hook may also return the single replacement input
    const h3 = l.registerForwardPreHook(() => zeros([1, 2]));
    expect(l.call(ones([1, 2])).shape).toEqual([1, 2]);
    h1.remove();
    h2.remove();
    h3.remove();
    seen.length = 0;
    expect(l.call(ones([1, 2])).toArray()).toEqual(l.forward(ones([1, 2])).toArray());
    expect(seen).toEqual([]);
    // forward() bypasses the hooks
    const h4 = l.registerForwardHook(() => {
      seen.push('x');
    });
    l.forward(ones([1, 2]));
    expect(seen).toEqual([]);
    h4.remove();
  });

  it('train() / eval() set the mode of every submodule and return the module', () => {
    const net = new Sequential(new Linear(2, 2), new Dropout(0.5), new Sequential(new BatchNorm1d(2)));
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.train(false);
    expect(net.modules().every((m) => !m.training)).toBe(true);
  });

  it('apply() visits children first, then the module', () => {
    const net = new Sequential(new Linear(2, 2), new Sequential(new ReLU()));
    const order: string[] = [];
    net.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'ReLU', 'Sequential', 'Sequential']);
    net.apply((m) => {
      if (m instanceof Linear) m.weight.data.fill_(0.5);
    });
    expect((net.at(0) as Linear).weight.data.toArray()).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
  });
});

describe('Module: gradients and dtypes', () => {
  it('zeroGrad() clears every gradient; requiresGrad_() freezes parameters', () => {
    const m = new MLP();
    m.call(ones([3, 4])).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    m.fc1.requiresGrad_(false);
    m.call(ones([3, 4])).sum().backward();
    expect(m.fc1.weight.grad).toBeNull();
    expect(m.fc2.weight.grad).not.toBeNull();
  });

  it('to() / double() / float() convert parameters, gradients and float buffers in place (the Parameter objects stay)', () => {
    const bn = new BatchNorm1d(2);
    const w = bn.weight as Parameter;
    bn.call(randn([3, 2])).sum().backward();
    expect(bn.double()).toBe(bn);
    expect(bn.weight).toBe(w);
    expect(w.dtype).toBe('float64');
    expect(w.grad?.dtype).toBe('float64');
    expect(bn.runningMean?.dtype).toBe('float64');
    expect(bn.numBatchesTracked?.dtype).toBe('int32');
    expect(bn.call(randn([3, 2], { dtype: 'float64' })).dtype).toBe('float64');
    bn.float();
    expect(w.dtype).toBe('float32');
    expect(() => bn.to('int32')).toThrow('Module.to: only floating-point dtypes are supported for parameters, got int32');
  });
});

describe('Module: stateDict / loadStateDict', () => {
  it('round-trips the state into another instance, in place (optimizers keep their Parameter objects)', () => {
    const a = new Scaled();
    a.scale.data.copy_(tensor([2, 3]));
    a.count.fill_(7);
    const b = new Scaled();
    const p = b.scale;
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.scale).toBe(p);
    expect(b.scale.toArray()).toEqual([2, 3]);
    expect(b.count.toArray()).toEqual([7]);
    expect(b.inner.weight.toArray()).toEqual(a.inner.weight.toArray());
    // copies, not aliases
    a.scale.data.fill_(0);
    expect(b.scale.toArray()).toEqual([2, 3]);
    // BatchNorm's buffers, including the int32 batch count
    const bn1 = new BatchNorm1d(2);
    bn1.call(randn([4, 2]));
    const bn2 = new BatchNorm1d(2).double();
    bn2.loadStateDict(bn1.stateDict());
    expect(bn2.numBatchesTracked?.item()).toBe(1);
    expect(Array.from(bn2.runningMean?.toTypedArray() ?? [])).toEqual(Array.from(bn1.runningMean?.toTypedArray() ?? []).map((v) => v));
    expect(bn2.runningMean?.dtype).toBe('float64');
  });

  it('names missing and unexpected keys, or loads the matching ones with strict: false', () => {
    const m = new MLP();
    const sd: StateDict = { ...m.stateDict() };
    delete sd['fc2.bias'];
    sd['fc3.weight'] = zeros([1]);
    expect(() => m.loadStateDict(sd)).toThrow(
      "loadStateDict(MLP): missing keys: 'fc2.bias'; unexpected keys: 'fc3.weight'. Check that the state dict comes from the same architecture, or pass { strict: false } to load the matching keys only",
    );
    sd['fc1.weight'] = ones([3, 4]);
    const res = m.loadStateDict(sd, { strict: false });
    expect(res).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['fc3.weight'] });
    expect(m.fc1.weight.toArray()).toEqual(ones([3, 4]).toArray());
  });

  it('refuses shape mismatches even with strict: false', () => {
    const m = new MLP();
    const sd = { ...m.stateDict(), 'fc1.weight': zeros([3, 5]) };
    expect(() => m.loadStateDict(sd, { strict: false })).toThrow(
      "loadStateDict(MLP): size mismatch for 'fc1.weight': checkpoint [3, 5], model [3, 4]. The checkpoint was made for a model with other layer sizes",
    );
    expect(() => m.loadStateDict({ ...m.stateDict(), 'fc1.bias': [1, 2, 3] as never })).toThrow("loadStateDict: 'fc1.bias' is not a Tensor");
  });

  it('refuses a dtype of another kind (int32 for a float32 weight, float for an int32 counter), naming the tensor and both dtypes', () => {
    const m = new MLP();
    const before = m.fc1.weight.toArray();
    const asInt = { ...m.stateDict(), 'fc1.weight': zeros([3, 4], { dtype: 'int32' }) };
    expect(() => m.loadStateDict(asInt)).toThrow(DTypeError);
    expect(() => m.loadStateDict(asInt, { strict: false })).toThrow(
      "loadStateDict(MLP): dtype mismatch for 'fc1.weight': checkpoint int32, model float32. The state dict is damaged or not made for this model (float weights can only be loaded from float32 or float64 tensors)",
    );
    expect(m.fc1.weight.toArray()).toEqual(before); // nothing was loaded
    const bn = new BatchNorm1d(2);
    expect(() => bn.loadStateDict({ ...bn.stateDict(), num_batches_tracked: zeros([]) })).toThrow(/'num_batches_tracked': checkpoint float32, model int32/);
    // float32 <-> float64 is a conversion, not an error
    const d = new MLP().double();
    d.loadStateDict(m.stateDict());
    expect(d.fc1.weight.dtype).toBe('float64');
  });

  it('loading does not record a graph', () => {
    const m = new Linear(2, 2);
    m.loadStateDict({ weight: ones([2, 2]), bias: zeros([2]) });
    expect(m.weight.isLeaf).toBe(true);
    expect(noGrad(() => m.call(ones([1, 2]))).toArray()).toEqual([[2, 2]]);
  });
});

describe('Module: printing', () => {
  it('prints nested modules like PyTorch', () => {
    expect(new MLP().toString()).toBe(
      [
        'MLP(',
        '  (fc1): Linear(in_features=4, out_features=3, bias=True)',
        '  (act): ReLU()',
        '  (fc2): Linear(in_features=3, out_features=2, bias=True)',
        ')',
      ].join('\n'),
    );
    const net = new Sequential(new Linear(2, 2), new Sequential(new ReLU(), new Dropout(0.1)));
    expect(net.toString()).toBe(
      [
        'Sequential(',
        '  (0): Linear(in_features=2, out_features=2, bias=True)',
        '  (1): Sequential(',
        '    (0): ReLU()',
        '    (1): Dropout(p=0.1, inplace=False)',
        '  )',
        ')',
      ].join('\n'),
    );
  });

  it('asVariable wraps Tensors and passes Variables, and rejects anything else', () => {
    const t = zeros([1]);
    expect(asVariable(t).data).toBe(t);
    const v = new Variable(t);
    expect(asVariable(v)).toBe(v);
    expect(() => asVariable(null as never)).toThrow('expected a Tensor or a Variable as module input, got null');
  });
});
