/**
 * Schedulers beyond the PyTorch fixtures: closed forms, resuming, stateDict round trips, the
 * call-order warning and bad input.
 */
import { Parameter } from '@dl/autograd';
import { tensor, zeros } from '@dl/tensor';
import {
  Adagrad,
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type Optimizer,
  type SchedulerStateDict,
} from './index';

function sgd(lrs: number[] = [0.1, 0.01], momentum = 0.9): SGD {
  return new SGD(
    lrs.map((lr) => ({ params: [new Parameter(zeros([2], { dtype: 'float64' }))], lr })),
    { lr: 0.1, momentum },
  );
}

interface Stepper {
  step(): void;
  getLastLr(): number[];
  stateDict(): SchedulerStateDict;
  loadStateDict(sd: SchedulerStateDict): void;
}

describe('closed forms (one scheduler alone)', () => {
  it('StepLR: initialLr * gamma^floor(epoch / stepSize)', () => {
    const opt = sgd();
    const sched = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    for (let e = 1; e <= 12; e++) {
      opt.step();
      sched.step();
      expect(sched.getLastLr()[0]).toBeCloseTo(0.1 * 0.5 ** Math.floor(e / 3), 15);
    }
  });

  it('CosineAnnealingLR: etaMin + (initialLr - etaMin)(1 + cos(pi t / tMax)) / 2, over two periods', () => {
    const opt = sgd([0.2]);
    const sched = new CosineAnnealingLR(opt, { tMax: 5, etaMin: 0.01 });
    for (let t = 1; t <= 20; t++) {
      opt.step();
      sched.step();
      expect(sched.getLastLr()[0]).toBeCloseTo(0.01 + ((0.2 - 0.01) * (1 + Math.cos((Math.PI * t) / 5))) / 2, 12);
    }
  });

  it('LinearLR: initialLr * (start + (end - start) min(t, totalIters) / totalIters)', () => {
    const opt = sgd([0.3]);
    const sched = new LinearLR(opt, { startFactor: 0.2, endFactor: 0.9, totalIters: 4 });
    expect(sched.getLastLr()[0]).toBeCloseTo(0.3 * 0.2, 15);
    for (let t = 1; t <= 8; t++) {
      opt.step();
      sched.step();
      expect(sched.getLastLr()[0]).toBeCloseTo(0.3 * (0.2 + (0.7 * Math.min(t, 4)) / 4), 14);
    }
  });
});

describe('resuming with lastEpoch', () => {
  it('needs initialLr in the groups', () => {
    expect(() => new ExponentialLR(sgd(), { gamma: 0.9, lastEpoch: 3 })).toThrow(
      'ExponentialLR: resuming at lastEpoch 3 needs initialLr in parameter group 0; load the optimizer state saved with the schedule first, or start with lastEpoch -1',
    );
  });

  it('CosineAnnealingLR resumed at epoch k continues the closed form', () => {
    const opt = sgd([0.2]);
    new CosineAnnealingLR(opt, { tMax: 10 }); // leaves initialLr in the group
    const resumed = new CosineAnnealingLR(opt, { tMax: 10, lastEpoch: 4 });
    expect(resumed.lastEpoch).toBe(5);
    expect(resumed.getLastLr()[0]).toBeCloseTo((0.2 * (1 + Math.cos((Math.PI * 5) / 10))) / 2, 15);
  });
});

describe('stateDict / loadStateDict: save mid-schedule, load into fresh objects, continue = uninterrupted', () => {
  type Make = (opt: Optimizer) => Stepper;
  const cases: [string, () => Optimizer, Make][] = [
    ['StepLR', () => sgd(), (o) => new StepLR(o, { stepSize: 2, gamma: 0.7 })],
    ['MultiStepLR', () => sgd(), (o) => new MultiStepLR(o, { milestones: [3, 3, 6] })],
    ['ExponentialLR', () => sgd(), (o) => new ExponentialLR(o, { gamma: 0.8 })],
    ['CosineAnnealingLR', () => sgd(), (o) => new CosineAnnealingLR(o, { tMax: 4, etaMin: 0.001 })],
    ['LinearLR', () => sgd(), (o) => new LinearLR(o, { startFactor: 0.1, totalIters: 10 })],
    ['OneCycleLR', () => sgd(), (o) => new OneCycleLR(o, { maxLr: 0.5, totalSteps: 16, threePhase: true })],
    [
      'OneCycleLR (Adam)',
      () => new Adam([new Parameter(zeros([1]))]),
      (o) => new OneCycleLR(o, { maxLr: 0.01, totalSteps: 16, annealStrategy: 'linear' }),
    ],
  ];

  it.each(cases)('%s', (_name, makeOpt, makeSched) => {
    const optA = makeOpt();
    const a = makeSched(optA);
    const lrsA: number[][] = [];
    for (let i = 0; i < 14; i++) {
      optA.step();
      a.step();
      lrsA.push(a.getLastLr());
    }
    const optB = makeOpt();
    const b = makeSched(optB);
    for (let i = 0; i < 6; i++) {
      optB.step();
      b.step();
    }
    const optState = optB.stateDict();
    const schedState = b.stateDict();
    const optC = makeOpt();
    const c = makeSched(optC);
    optC.loadStateDict(optState);
    c.loadStateDict(schedState);
    expect(c.getLastLr()).toEqual(lrsA[5]);
    const lrsC: number[][] = [];
    for (let i = 6; i < 14; i++) {
      optC.step();
      c.step();
      lrsC.push(c.getLastLr());
    }
    expect(lrsC).toEqual(lrsA.slice(6));
  });

  it('ReduceLROnPlateau', () => {
    const metrics = [5, 4, 4, 4, 4, 3.9, 3.9, 3.9, 3.9, 3.9, 1, 1, 1, 1];
    const run = (sched: ReduceLROnPlateau, from: number, to: number): number[][] =>
      metrics.slice(from, to).map((m) => {
        sched.step(m);
        return sched.getLastLr();
      });
    const optA = sgd();
    const full = run(new ReduceLROnPlateau(optA, { patience: 1, factor: 0.5, cooldown: 1 }), 0, metrics.length);
    const optB = sgd();
    const b = new ReduceLROnPlateau(optB, { patience: 1, factor: 0.5, cooldown: 1 });
    run(b, 0, 6);
    const optC = sgd();
    optC.loadStateDict(optB.stateDict());
    const c = new ReduceLROnPlateau(optC);
    c.loadStateDict(b.stateDict());
    expect(c.patience).toBe(1);
    expect(run(c, 6, metrics.length)).toEqual(full.slice(6));
    expect(full[full.length - 1][0]).toBeLessThan(0.1);
  });

  it('rejects the state of another scheduler', () => {
    const opt = sgd();
    const step = new StepLR(opt, { stepSize: 2 });
    const exp = new ExponentialLR(opt, { gamma: 0.5 });
    expect(() => exp.loadStateDict({ ...step.stateDict(), gamma: undefined as unknown as number })).toThrow(
      "ExponentialLR.loadStateDict: the state has no number 'gamma' (got undefined); was it saved from this kind of scheduler?",
    );
    expect(() => step.loadStateDict({ ...step.stateDict(), baseLrs: [0.1] })).toThrow(
      "StepLR.loadStateDict: 'baseLrs' has 1 values but the optimizer has 2 parameter group(s)",
    );
  });
});

describe('OneCycleLR', () => {
  it('cycles Adam\'s beta1 and leaves beta2 alone', () => {
    const opt = new Adam([new Parameter(zeros([1]))], { betas: [0.9, 0.98] });
    const sched = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, baseMomentum: 0.8, maxMomentum: 0.95 });
    expect(opt.paramGroups[0].betas).toEqual([0.95, 0.98]);
    expect(opt.paramGroups[0]).toMatchObject({ initialLr: 0.1 / 25, maxLr: 0.1, minLr: 0.1 / 25 / 1e4, baseMomentum: 0.8, maxMomentum: 0.95 });
    for (let i = 0; i < 2; i++) {
      opt.step();
      sched.step();
    }
    expect(opt.paramGroups[0].betas[0]).toBeCloseTo(0.8, 12); // the peak: step 0.3 * 10 - 1
    expect(sched.getLastLr()[0]).toBeCloseTo(0.1, 12);
    expect(opt.paramGroups[0].betas[1]).toBe(0.98);
  });

  it('throws one step past the end of the cycle', () => {
    const opt = sgd();
    const sched = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 3 });
    for (let i = 0; i < 3; i++) {
      opt.step();
      sched.step();
    }
    expect(() => sched.step()).toThrow(
      'OneCycleLR: tried to step 5 times but the cycle has totalSteps 3; make totalSteps (or epochs * stepsPerEpoch) cover every step, or stop stepping',
    );
  });

  it('rejects bad input', () => {
    expect(() => new OneCycleLR(sgd(), { maxLr: 0.1 })).toThrow(
      'OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch (totalSteps = epochs * stepsPerEpoch)',
    );
    expect(() => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 0 })).toThrow('OneCycleLR: invalid totalSteps 0; it must be >= 1');
    expect(() => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 })).toThrow('OneCycleLR: invalid pctStart 1.5; it must be >= 0 and <= 1');
    expect(() => new OneCycleLR(sgd(), { maxLr: [0.1], totalSteps: 10 })).toThrow(
      'OneCycleLR: expected 2 values for maxLr (one per parameter group), got 1',
    );
    expect(() => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as 'cos' })).toThrow(
      "OneCycleLR: annealStrategy must be one of 'cos', 'linear', got 'exp'",
    );
    const adagrad = new Adagrad([new Parameter(zeros([1]))]);
    expect(() => new OneCycleLR(adagrad, { maxLr: 0.1, totalSteps: 10 })).toThrow(
      'OneCycleLR: Adagrad has no momentum to cycle (neither momentum nor betas); pass { cycleMomentum: false }',
    );
    expect(new OneCycleLR(adagrad, { maxLr: 0.1, totalSteps: 10, cycleMomentum: false }).getLastLr()[0]).toBeCloseTo(0.1 / 25, 15);
  });
});

describe('ReduceLROnPlateau', () => {
  it('accepts a one-element Tensor as the metric', () => {
    const opt = sgd([0.1]);
    const sched = new ReduceLROnPlateau(opt, { patience: 0 });
    sched.step(tensor(1));
    sched.step(tensor([2]));
    expect(sched.getLastLr()).toEqual([0.1 * 0.1]);
    expect(() => sched.step(tensor([1, 2]))).toThrow('ReduceLROnPlateau.step: the metric must be a number or a one-element tensor, got shape [2]');
  });

  it('rejects bad input', () => {
    expect(() => new ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(
      'ReduceLROnPlateau: invalid factor (new lr = lr * factor) 1; it must be >= 0 and < 1',
    );
    expect(() => new ReduceLROnPlateau(sgd(), { mode: 'avg' as 'min' })).toThrow("ReduceLROnPlateau: mode must be one of 'min', 'max', got 'avg'");
    expect(() => new ReduceLROnPlateau(sgd(), { minLr: [0.1] })).toThrow(
      'ReduceLROnPlateau: expected 2 minLr values (one per parameter group), got 1',
    );
    expect(() => new ReduceLROnPlateau({} as Optimizer)).toThrow(
      'ReduceLROnPlateau: the first argument must be an optimizer (SGD, Adam, ...), got an object with keys []',
    );
  });
});

describe('bad input of the epoch-wise schedulers', () => {
  it('names the scheduler, the option and the range', () => {
    expect(() => new StepLR(sgd(), { stepSize: 0 })).toThrow('StepLR: invalid stepSize 0; it must be >= 1');
    expect(() => new StepLR(sgd(), { stepSize: 2.5 })).toThrow('StepLR: stepSize must be an integer, got 2.5');
    expect(() => new StepLR(sgd(), { step_size: 2 } as unknown as { stepSize: number })).toThrow(
      "StepLR: unknown option 'step_size' (did you mean 'stepSize'?); the options are stepSize, gamma, lastEpoch",
    );
    expect(() => new MultiStepLR(sgd(), { milestones: [1, -2] })).toThrow('MultiStepLR: invalid milestones[1] -2; it must be >= 0');
    expect(() => new CosineAnnealingLR(sgd(), { tMax: 0 })).toThrow('CosineAnnealingLR: invalid tMax 0; it must be > 0');
    expect(() => new LinearLR(sgd(), { startFactor: 0 })).toThrow(
      "LinearLR: invalid startFactor (the first epoch's factor) 0; it must be > 0 and <= 1",
    );
    expect(() => new LinearLR(sgd(), { endFactor: 2 })).toThrow('LinearLR: invalid endFactor 2; it must be >= 0 and <= 1');
    expect(() => new ExponentialLR(null as unknown as Optimizer, { gamma: 0.5 })).toThrow(
      'ExponentialLR: the first argument must be an optimizer (SGD, Adam, ...), got null',
    );
  });
});

describe('call order', () => {
  it('warns when the scheduler steps before the optimizer ever did', () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const opt = sgd();
      const sched = new ExponentialLR(opt, { gamma: 0.5 });
      sched.step();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0][0])).toMatch(/ExponentialLR.step\(\) was called before optimizer.step\(\)/);
      opt.step();
      sched.step();
      expect(spy).toHaveBeenCalledTimes(1);
      const ok = sgd();
      const sched2 = new StepLR(ok, { stepSize: 1 });
      ok.step();
      sched2.step();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
