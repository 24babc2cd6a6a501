/**
 * PyTorch 1.13 parity of every optimizer: 20 steps on the fixture problem (see
 * fixtures/make_optim_fixtures.py) give the same losses and parameter trajectory, to 1e-10
 * relative in float64 and 1e-4 in float32.
 */
import { loadFixtures, makeOptimizer, makeProblem, maxRelErr, valuesOf, type OptimizerCase } from './testing/fixtures';

const fx = loadFixtures();

/** Runs a fixture case: returns the losses and the trajectory ([step][param][element]). */
function replay(c: OptimizerCase): { losses: number[]; trajectory: number[][][] } {
  const problem = makeProblem(fx, c.dtype, { lossSign: c.lossSign, skipBiasOnOddSteps: c.skipBiasOnOddSteps });
  const opt = makeOptimizer(c.optimizer, problem.params, c.options, c.groups);
  const losses: number[] = [];
  const trajectory: number[][][] = [];
  for (let step = 0; step < c.steps; step++) {
    opt.zeroGrad();
    const loss = problem.loss(step);
    loss.backward();
    opt.step();
    losses.push(loss.item());
    trajectory.push(problem.params.map((p) => valuesOf(p)));
  }
  return { losses, trajectory };
}

describe('optimizers match PyTorch 1.13 step for step (fixtures/optim.json)', () => {
  it('has a case for every optimizer and the float32 cases', () => {
    const names = new Set(fx.optimizers.map((c) => c.optimizer));
    expect([...names].sort()).toEqual(['Adadelta', 'Adagrad', 'Adam', 'AdamW', 'RMSprop', 'SGD']);
    expect(fx.optimizers.filter((c) => c.dtype === 'float32').length).toBeGreaterThanOrEqual(1);
    expect(fx.optimizers.length).toBeGreaterThanOrEqual(18);
  });

  it.each(fx.optimizers.map((c) => [`${c.name} (${c.dtype})`, c] as const))('%s', (_name, c) => {
    const tol = c.dtype === 'float64' ? 1e-10 : 1e-4;
    const { losses, trajectory } = replay(c);
    expect(maxRelErr(losses, c.losses)).toBeLessThan(tol);
    for (let step = 0; step < c.steps; step++) {
      for (let p = 0; p < trajectory[step].length; p++) {
        const err = maxRelErr(trajectory[step][p], c.trajectory[step][p]);
        if (!(err < tol)) {
          throw new Error(`${c.name}: parameter ${p} after step ${step + 1} differs from PyTorch by ${err} (relative), tolerance ${tol}`);
        }
      }
    }
    // the parameters moved: a no-op optimizer cannot pass
    expect(maxRelErr(trajectory[c.steps - 1][0], fx.problem.W.values)).toBeGreaterThan(1e-3);
  });
});
