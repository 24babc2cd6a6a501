/**
 * Learning test: a 2-layer MLP learns XOR from a fixed seed, with the loss and a plain SGD update
 * written inline with autograd ops (as in the course's first backprop lab).
 */
import { Variable, exp, log, mean, noGrad } from '@dl/autograd';
import { Generator, tensor } from '@dl/tensor';
import { Linear, ReLU, Sequential, Tanh, type Module } from './index';

// Trains or waits on sockets: an explicit, generous limit instead of jest's 5 s default (a busy
// machine must not fail it; a real hang still ends the test).
jest.setTimeout(60_000);

const X = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const T = tensor([[0], [1], [1], [0]]);

/** Plain gradient descent: p <- p - lr * grad. */
function sgdStep(model: Module, lr: number): void {
  noGrad(() => {
    for (const p of model.parameters()) if (p.grad) p.data.copy_(p.data.sub(p.grad.data.mul(lr)));
  });
  model.zeroGrad();
}

function train(model: Module, lossOf: (y: Variable) => Variable, lr: number, epochs: number): number[] {
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const loss = lossOf((model as Sequential).call(X));
    loss.backward();
    sgdStep(model, lr);
    losses.push(loss.item());
  }
  return losses;
}

describe('XOR with a 2-layer MLP', () => {
  it('Linear-Tanh-Linear with the mean squared error converges', () => {
    const g = new Generator(0);
    const model = new Sequential(new Linear(2, 8, { generator: g }), new Tanh(), new Linear(8, 1, { generator: g }));
    const losses = train(model, (y) => mean(y.sub(T).mul(y.sub(T))), 0.3, 200);
    expect(losses[losses.length - 1]).toBeLessThan(0.01);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 10);
    const pred = (model.call(X).toArray() as number[][]).map((r) => (r[0] > 0.5 ? 1 : 0));
    expect(pred).toEqual([0, 1, 1, 0]);
  });

  it('Linear-ReLU-Linear with binary cross-entropy on logits converges', () => {
    const g = new Generator(1);
    const model = new Sequential(new Linear(2, 8, { generator: g }), new ReLU(), new Linear(8, 1, { generator: g }));
    // BCE with logits z: softplus(z) - t z = log(1 + e^z) - t z
    const bce = (z: Variable) => mean(log(exp(z).add(1)).sub(z.mul(T)));
    const losses = train(model, bce, 0.5, 200);
    expect(losses[losses.length - 1]).toBeLessThan(0.05);
    const pred = (model.call(X).toArray() as number[][]).map((r) => (r[0] > 0 ? 1 : 0));
    expect(pred).toEqual([0, 1, 1, 0]);
  });
});
