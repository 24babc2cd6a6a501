import { Variable } from '@dl/autograd';
import { ones, randn } from '@dl/tensor';
import { Flatten, Linear, Module, ModuleDict, ModuleList, ReLU, Sequential, Tanh, type Input } from './index';

describe('Sequential', () => {
  it('chains its modules, names them 0, 1, ... and gives PyTorch parameter names', () => {
    const a = new Linear(4, 3);
    const b = new ReLU();
    const c = new Linear(3, 2);
    const net = new Sequential(a, b, c);
    const x = randn([5, 4]);
    expect(net.call(x).toArray()).toEqual(c.call(b.call(a.call(x))).toArray());
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(net.length).toBe(3);
    expect(net.at(0)).toBe(a);
    expect(net.at(-1)).toBe(c);
    expect([...net]).toEqual([a, b, c]);
  });

  it('keeps order past 10 modules and supports append', () => {
    const mods = Array.from({ length: 12 }, () => new Linear(2, 2));
    const net = new Sequential(...mods);
    expect(net.children()).toEqual(mods);
    expect(net.namedChildren().map(([n]) => n)).toEqual(mods.map((_, i) => String(i)));
    const extra = new Tanh();
    expect(net.append(extra)).toBe(net);
    expect(net.at(12)).toBe(extra);
    expect(net.call(ones([1, 2])).shape).toEqual([1, 2]);
  });

  it('calls the same module twice when it appears twice', () => {
    const l = new Linear(2, 2);
    const net = new Sequential(l, l);
    expect(net.call(ones([1, 2])).toArray()).toEqual(l.call(l.call(ones([1, 2]))).toArray());
    expect(net.parameters()).toHaveLength(2);
  });

  it('an empty Sequential is the identity', () => {
    const x = randn([2, 2]);
    expect(new Sequential().call(x).data).toBe(x);
  });

  it('gives clear errors', () => {
    const net = new Sequential(new Linear(2, 2));
    expect(() => net.at(1)).toThrow('Sequential.at: index 1 is out of range for 1 modules');
    expect(() => new Sequential({} as Module)).toThrow('Sequential: element 0 is not a Module');
    expect(() => net.append(3 as never)).toThrow('Sequential.append: element 1 is not a Module');
    // errors of the layers inside propagate with the layer's name
    expect(() => new Sequential(new Flatten(), new Linear(5, 2)).call(ones([1, 2, 2]))).toThrow(/Linear\(5 -> 2\)/);
  });
});

describe('ModuleList', () => {
  it('registers its modules (parameters found) and is indexable and iterable', () => {
    const layers = new ModuleList([new Linear(2, 3), new Linear(3, 1)]);
    expect(layers.length).toBe(2);
    expect(layers.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    layers.append(new ReLU());
    expect(layers.at(-1)).toBeInstanceOf(ReLU);
    expect([...layers].map((m) => m.constructor.name)).toEqual(['Linear', 'Linear', 'ReLU']);
    expect(() => layers.at(5)).toThrow('ModuleList.at: index 5 is out of range for 3 modules');
    expect(() => layers.forward()).toThrow(/ModuleList has no forward/);
  });

  it('works inside a custom model', () => {
    class Deep extends Module {
      blocks = new ModuleList(Array.from({ length: 3 }, () => new Linear(4, 4)));
      forward(x: Input): Variable {
        let h = x;
        for (const b of this.blocks) h = (b as Linear).call(h).tanh();
        return h as Variable;
      }
    }
    const d = new Deep();
    expect(d.parameters()).toHaveLength(6);
    expect(d.namedParameters()[0][0]).toBe('blocks.0.weight');
    d.call(ones([2, 4])).sum().backward();
    expect(d.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});

describe('ModuleDict', () => {
  it('registers modules by key, in insertion order', () => {
    const d = new ModuleDict({ encoder: new Linear(2, 3), act: new ReLU() });
    d.set('decoder', new Linear(3, 2));
    expect(d.keys()).toEqual(['encoder', 'act', 'decoder']);
    expect(d.size).toBe(3);
    expect(d.has('act')).toBe(true);
    expect(d.get('nope')).toBeUndefined();
    expect(d.namedParameters().map(([n]) => n)).toEqual(['encoder.weight', 'encoder.bias', 'decoder.weight', 'decoder.bias']);
    expect(d.values()).toHaveLength(3);
    expect(d.entries()[0][0]).toBe('encoder');
    // replacing a key keeps its position
    d.set('encoder', new Linear(2, 5));
    expect(d.keys()).toEqual(['encoder', 'act', 'decoder']);
    expect((d.get('encoder') as Linear).outFeatures).toBe(5);
  });

  it('rejects integer keys, keys that clash with its methods and non-modules', () => {
    const d = new ModuleDict();
    expect(() => d.set('1', new ReLU())).toThrow("ModuleDict: key '1' must not be an integer (JS would reorder it)");
    expect(() => d.set('keys', new ReLU())).toThrow("ModuleDict: key 'keys' clashes with a property of ModuleDict");
    expect(() => d.set('training', new ReLU())).toThrow(/clashes/);
    expect(() => d.set('x', 5 as never)).toThrow("ModuleDict: element x is not a Module");
    expect(() => d.forward()).toThrow(/ModuleDict has no forward/);
  });
});
