import { tensor, type Tensor } from '@dl/tensor';
import { Function, variable, type Variable } from './index';

class Doubler extends Function {
  constructor(private readonly give: (gy: Variable) => unknown) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.mul(2);
  }
  backward(gy: Variable): never {
    return this.give(gy) as never;
  }
}

const run = (give: (gy: Variable) => unknown) => {
  const x = variable([1, 2], { requiresGrad: true, dtype: 'float64' });
  new Doubler(give).apply(x).sum().backward();
  return x.grad?.toArray();
};

test('a Tensor returned by backward is used as the gradient', () => {
  expect(run((gy) => gy.data.mul(2))).toEqual([2, 2]);
});

test('Variables, one-element arrays and null work as before', () => {
  expect(run((gy) => gy.mul(2))).toEqual([2, 2]);
  expect(run((gy) => [gy.mul(2)])).toEqual([2, 2]);
  expect(run(() => null)).toBeUndefined();
});

test.each<[string, (gy: Variable) => unknown, RegExp]>([
  ['a number', () => 3, /Doubler\.backward returned a number as the gradient of input 0/],
  ['a nested array', (gy) => [[gy]], /returned a nested array/],
  ['a plain array of numbers', () => tensor([1]).toArray(), /returned a number/],
  ['too many gradients', (gy) => [gy, gy], /returned 2 gradients for 1 input/],
])('backward returning %s is a clear error', (_n, give, re) => {
  expect(() => run(give)).toThrow(re);
});
