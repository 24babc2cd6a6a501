#!/usr/bin/env node
/**
 * The course's worked examples of computational graphs and automatic differentiation, run with
 * @dl/autograd. Run it from the repository root with `node examples/course-autograd.js` (after
 * `npm ci`; `npm start` trains the MNIST classifier instead).
 *
 * Each section prints the value the slides give next to what @dl computes.
 */
'use strict';
const { variable, noGrad, toDot } = require('@dl/autograd');
const { getBackend } = require('@dl/tensor');

const f64 = (v, name) => variable(v, { requiresGrad: true, dtype: 'float64', name });
const show = (label, got, expected) => console.log(`  ${label.padEnd(28)} ${String(got).padEnd(22)} (course: ${expected})`);

console.log(`@dl autograd on the course's worked examples (backend: ${getBackend().name})\n`);

// 1. PyTorch autograd example: f(x1, x2, x3) = (x1 - 2 x2 - 1)^2 + (x2 x3 - 1)^2 + 1 at (1, 2, 3)
{
  console.log('1. f(x1,x2,x3) = (x1 - 2x2 - 1)^2 + (x2 x3 - 1)^2 + 1 at (1, 2, 3)');
  const [x1, x2, x3] = [1, 2, 3].map((v, i) => f64(v, `x${i + 1}`));
  const f = x1.sub(x2.mul(2)).sub(1).pow(2).add(x2.mul(x3).sub(1).pow(2)).add(1);
  f.backward();
  show('f', f.item(), 42);
  show('grad (df/dx1, df/dx2, df/dx3)', `(${[x1, x2, x3].map((x) => x.grad.item()).join(', ')})`, '(-8, 46, 20)');
}

// 2. Computational graph: apples and oranges with tax
{
  console.log('\n2. 2 apples at 100 yen, 3 oranges at 150 yen, consumption tax 1.1');
  const apple = f64(100, 'apple');
  const appleNum = f64(2, 'apple_num');
  const orange = f64(150, 'orange');
  const orangeNum = f64(3, 'orange_num');
  const tax = f64(1.1, 'tax');
  const price = apple.mul(appleNum).add(orange.mul(orangeNum)).mul(tax);
  price.backward();
  show('price', +price.item().toFixed(10), 715);
  show('dL/d(apple price)', +apple.grad.item().toFixed(10), 2.2);
  show('dL/d(apple count)', +appleNum.grad.item().toFixed(10), 110);
  show('dL/d(orange price)', +orange.grad.item().toFixed(10), 3.3);
  show('dL/d(tax)', +tax.grad.item().toFixed(10), 650);
  price.name = 'price';
  console.log('\n  The graph as Graphviz DOT with values and gradients (render with `dot -Tpng`):');
  console.log(
    toDot(price, { verbose: false, values: true, grads: true })
      .split('\n')
      .slice(0, 6)
      .map((l) => '    ' + l)
      .join('\n') + '\n    ...',
  );
}

// 3. Chain rule: s = x w1, t = s^2, y = t + w2
{
  console.log('\n3. s = x w1, t = s^2, y = t + w2 at x = 2, w1 = 3, w2 = 4');
  const x = f64(2, 'x');
  const w1 = f64(3, 'w1');
  const w2 = f64(4, 'w2');
  const y = x.mul(w1).pow(2).add(w2);
  y.backward();
  show('y', y.item(), 40);
  show('dy/dw1', w1.grad.item(), 24);
  show('dy/dw2', w2.grad.item(), 1);
}

// 4. Least squares by gradient descent on D = {(1, 2), (2, 3), (3, 5)}
{
  console.log('\n4. Least squares y = a x + b on D = {(1,2), (2,3), (3,5)} by gradient descent');
  const xs = variable([1, 2, 3], { dtype: 'float64' });
  const ys = variable([2, 3, 5], { dtype: 'float64' });
  let a = f64(0, 'a');
  let b = f64(0, 'b');
  const lr = 0.05;
  let loss;
  for (let it = 0; it < 2000; it++) {
    loss = a.mul(xs).add(b).sub(ys).pow(2).sum();
    a.zeroGrad();
    b.zeroGrad();
    loss.backward();
    [a, b] = noGrad(() => [a, b].map((p) => variable(p.data.sub(p.grad.data.mul(lr)), { requiresGrad: true })));
  }
  show('a after 2000 steps', a.item().toFixed(6), '3/2');
  show('b after 2000 steps', b.item().toFixed(6), '1/3 = 0.333333');
  show('loss', loss.item().toFixed(6), '1/6 = 0.166667');
}

// 5. Softmax of u = (3, 1, 4)
{
  console.log('\n5. softmax(u) for u = (3, 1, 4)');
  const u = variable([3, 1, 4], { dtype: 'float64' });
  show('softmax', `(${u.softmax(0).toArray().map((v) => v.toFixed(3)).join(', ')})`, '(0.259, 0.035, 0.705)');
}
