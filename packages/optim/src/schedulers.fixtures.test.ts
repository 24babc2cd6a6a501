/**
 * PyTorch 1.13 parity of every scheduler: the lr of each group (and the cycled momentum / beta1)
 * after construction and after each step equal PyTorch's (fixtures/optim.json) to 1e-13 relative:
 * bit for bit, except where V8's Math.cos and C's cos differ in the last bit.
 */
import { Parameter } from '@dl/autograd';
import { tensor } from '@dl/tensor';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  StepLR,
  type CosineAnnealingLROptions,
  type ExponentialLROptions,
  type LinearLROptions,
  type MultiStepLROptions,
  type OneCycleLROptions,
  type Optimizer,
  type ReduceLROnPlateauOptions,
  type StepLROptions,
} from './index';
import { loadFixtures, makeOptimizer, maxRelErr, type SchedulerCase } from './testing/fixtures';

const fx = loadFixtures();

type Scheduler = { step(): void } | ReduceLROnPlateau;

function makeScheduler(opt: Optimizer, name: string, args: object): Scheduler {
  switch (name) {
    case 'StepLR':
      return new StepLR(opt, args as StepLROptions);
    case 'MultiStepLR':
      return new MultiStepLR(opt, args as MultiStepLROptions);
    case 'ExponentialLR':
      return new ExponentialLR(opt, args as ExponentialLROptions);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, args as CosineAnnealingLROptions);
    case 'LinearLR':
      return new LinearLR(opt, args as LinearLROptions);
    case 'OneCycleLR':
      return new OneCycleLR(opt, args as OneCycleLROptions);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, args as ReduceLROnPlateauOptions);
  }
  throw new Error(`unknown scheduler ${name}`);
}

function momenta(opt: Optimizer): number[] {
  const out: number[] = [];
  for (const g of opt.paramGroups) {
    if ('betas' in g && Array.isArray(g.betas)) out.push(g.betas[0]);
    else if ('momentum' in g && typeof g.momentum === 'number') out.push(g.momentum);
  }
  return out;
}

function replay(c: SchedulerCase): { lrs: number[][]; momenta: number[][] } {
  const params = [new Parameter(tensor([1, 2], { dtype: 'float64' })), new Parameter(tensor([3], { dtype: 'float64' }))];
  const opt = makeOptimizer(c.optimizer, params, c.options, c.groups);
  const scheds = c.schedulers.map(([name, args]) => makeScheduler(opt, name, args));
  const lrs = [opt.paramGroups.map((g) => g.lr)];
  const moms = [momenta(opt)];
  for (let i = 0; i < c.steps; i++) {
    opt.step(); // no gradients: nothing changes, but the order is the documented one
    for (const s of scheds) {
      if (s instanceof ReduceLROnPlateau) s.step((c.metrics as number[])[i]);
      else s.step();
    }
    lrs.push(opt.paramGroups.map((g) => g.lr));
    moms.push(momenta(opt));
  }
  return { lrs, momenta: moms };
}

describe('schedulers match PyTorch 1.13 (fixtures/optim.json)', () => {
  it('has a case for every scheduler', () => {
    const names = new Set(fx.schedulers.flatMap((c) => c.schedulers.map(([n]) => n)));
    expect([...names].sort()).toEqual(
      ['CosineAnnealingLR', 'ExponentialLR', 'LinearLR', 'MultiStepLR', 'OneCycleLR', 'ReduceLROnPlateau', 'StepLR'].sort(),
    );
  });

  it.each(fx.schedulers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = replay(c);
    expect(got.lrs.length).toBe(c.lrs.length);
    for (let i = 0; i < c.lrs.length; i++) {
      const err = maxRelErr(got.lrs[i], c.lrs[i], 1e-300);
      if (!(err < 1e-13)) throw new Error(`${c.name}: lrs after step ${i}: got [${got.lrs[i]}], PyTorch [${c.lrs[i]}]`);
      const merr = maxRelErr(got.momenta[i], c.momenta[i], 1e-300);
      if (!(merr < 1e-13)) throw new Error(`${c.name}: momenta after step ${i}: got [${got.momenta[i]}], PyTorch [${c.momenta[i]}]`);
    }
  });

  it('the last lr of each scheduler is what getLastLr() returns', () => {
    const c = fx.schedulers.find((s) => s.name === 'StepLR') as SchedulerCase;
    const params = [new Parameter(tensor([1, 2])), new Parameter(tensor([3]))];
    const opt = makeOptimizer(c.optimizer, params, c.options, c.groups);
    const sched = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expect(sched.getLastLr()).toEqual(c.lrs[0]);
    for (let i = 1; i <= 7; i++) {
      opt.step();
      sched.step();
      expect(sched.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
      expect(sched.lastEpoch).toBe(i);
    }
  });
});
