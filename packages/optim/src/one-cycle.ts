/**
 * OneCycleLR: the 1cycle policy (Smith & Topin, "Super-Convergence"), as
 * `torch.optim.lr_scheduler.OneCycleLR` in PyTorch 1.13, stepped once per batch.
 */
import { ValueError } from '@dl/tensor';
import { checkBoolean, checkChoice, checkKeys, checkNumber } from './checks';
import type { Optimizer, ParamGroup, SchedulerGroupFields } from './optimizer';
import { LRScheduler, readNumber, type SchedulerStateDict } from './lr-scheduler';

export interface OneCycleLROptions {
  /** The peak lr, for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch` (totalSteps = epochs · stepsPerEpoch). */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing between the phase ends. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (SGD/RMSprop `momentum`, Adam's β₁) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak, for all groups or one per group (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and end, for all groups or one per group (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) as in the paper, instead of fastai's two (default false). */
  threePhase?: boolean;
  /** The index of the last batch, to resume (default -1: start). */
  lastEpoch?: number;
}

type LrKey = 'initialLr' | 'maxLr' | 'minLr';
type MomentumKey = 'maxMomentum' | 'baseMomentum';

/** One phase of the cycle: it ends at step `endStep` (a float, as PyTorch computes it). */
interface Phase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

const KEYS = [
  'maxLr',
  'totalSteps',
  'epochs',
  'stepsPerEpoch',
  'pctStart',
  'annealStrategy',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'divFactor',
  'finalDivFactor',
  'threePhase',
  'lastEpoch',
] as const;

/**
 * Sets the lr of each group by the 1cycle policy: up from `initialLr = maxLr / divFactor` to
 * `maxLr` over the first `pctStart` of the steps, then down to `minLr = initialLr /
 * finalDivFactor`; the momentum goes the opposite way between `maxMomentum` and `baseMomentum`.
 * Call `step()` after every batch. Not chainable: it sets the lr from the schedule alone.
 *
 * ```text
 * phases (two-phase):   end₁ = pctStart · totalSteps − 1        lr: initialLr → maxLr   momentum: maxMomentum → baseMomentum
 *                       end₂ = totalSteps − 1                   lr: maxLr → minLr       momentum: baseMomentum → maxMomentum
 * (threePhase):         end₁ = pctStart · totalSteps − 1        lr: initialLr → maxLr   momentum: max → base
 *                       end₂ = 2 · pctStart · totalSteps − 2    lr: maxLr → initialLr   momentum: base → max
 *                       end₃ = totalSteps − 1                   lr: initialLr → minLr   momentum: max → max
 * at step t, in the first phase with t <= end (or the last phase): pct = (t − start) / (end − start),
 *   where start is the previous phase's end (0 for the first);
 *   lr = anneal(lrStart, lrEnd, pct), momentum = anneal(momStart, momEnd, pct)
 * anneal cos:    end + (start − end) / 2 · (cos(π · pct) + 1)
 * anneal linear: (end − start) · pct + start
 * ```
 * As PyTorch, `step()` may be called `totalSteps` times after construction (the last one goes one
 * step past the end of the cycle); one more throws.
 *
 * ```ts
 * const sched = new OneCycleLR(opt, { maxLr: 0.01, epochs: 10, stepsPerEpoch: loader.length });
 * for (const [x, y] of loader) { ...; opt.step(); sched.step(); }
 * ```
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  /** Whether the momentum cycled is Adam's β₁ (`betas[0]`) rather than `momentum`. */
  useBeta1: boolean;
  pctStart: number;
  threePhase: boolean;
  private phases: Phase[];

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const name = 'OneCycleLR';
    checkKeys(name, options, KEYS);
    const lastEpoch = options.lastEpoch ?? -1;
    let totalSteps: number;
    if (options.totalSteps !== undefined) {
      totalSteps = checkNumber(name, 'totalSteps', options.totalSteps, { min: 1, integer: true });
    } else if (options.epochs !== undefined && options.stepsPerEpoch !== undefined) {
      const epochs = checkNumber(name, 'epochs', options.epochs, { min: 1, integer: true });
      const perEpoch = checkNumber(name, 'stepsPerEpoch', options.stepsPerEpoch, { min: 1, integer: true });
      totalSteps = epochs * perEpoch;
    } else {
      throw new ValueError(`${name}: give either totalSteps or both epochs and stepsPerEpoch (totalSteps = epochs * stepsPerEpoch)`);
    }
    const pctStart = checkNumber(name, 'pctStart', options.pctStart ?? 0.3, { min: 0, max: 1 });
    const annealStrategy = checkChoice(name, 'annealStrategy', options.annealStrategy ?? 'cos', ['cos', 'linear'] as const);
    const threePhase = checkBoolean(name, 'threePhase', options.threePhase ?? false);
    const cycleMomentum = checkBoolean(name, 'cycleMomentum', options.cycleMomentum ?? true);
    const divFactor = checkNumber(name, 'divFactor', options.divFactor ?? 25, { min: 0, minExclusive: true });
    const finalDivFactor = checkNumber(name, 'finalDivFactor', options.finalDivFactor ?? 1e4, { min: 0, minExclusive: true });
    const groups = groupsOf(optimizer);
    const maxLrs = perGroup(name, 'maxLr', options.maxLr, groups.length);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (cycleMomentum) {
      const defaults = optimizer.defaults;
      if (!('momentum' in defaults) && !('betas' in defaults)) {
        throw new ValueError(
          `${name}: ${optimizer.name} has no momentum to cycle (neither momentum nor betas); pass { cycleMomentum: false }`,
        );
      }
      useBeta1 = 'betas' in defaults;
      const maxMomentums = perGroup(name, 'maxMomentum', options.maxMomentum ?? 0.95, groups.length);
      const baseMomentums = perGroup(name, 'baseMomentum', options.baseMomentum ?? 0.85, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          setMomentum(g, useBeta1, maxMomentums[i]);
          g.maxMomentum = maxMomentums[i];
          g.baseMomentum = baseMomentums[i];
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    this.pctStart = pctStart;
    this.annealStrategy = annealStrategy;
    this.threePhase = threePhase;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.phases = makePhases(totalSteps, pctStart, threePhase);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ValueError(
        `OneCycleLR: tried to step ${t + 1} times but the cycle has totalSteps ${this.totalSteps}; ` +
          'make totalSteps (or epochs * stepsPerEpoch) cover every step, or stop stepping',
      );
    }
    const anneal = this.annealStrategy === 'cos' ? annealCos : annealLinear;
    return this.groups.map((group) => {
      let start = 0;
      let lr = NaN;
      let momentum = NaN;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (t <= phase.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (phase.endStep - start);
          lr = anneal(field(group, phase.startLr), field(group, phase.endLr), pct);
          if (this.cycleMomentum) momentum = anneal(field(group, phase.startMomentum), field(group, phase.endMomentum), pct);
          break;
        }
        start = phase.endStep;
      }
      if (this.cycleMomentum) setMomentum(group, this.useBeta1, momentum);
      return lr;
    });
  }

  protected settings(): SchedulerStateDict {
    return {
      totalSteps: this.totalSteps,
      pctStart: this.pctStart,
      annealStrategy: this.annealStrategy,
      threePhase: this.threePhase,
      cycleMomentum: this.cycleMomentum,
      useBeta1: this.useBeta1,
    };
  }

  protected loadSettings(sd: SchedulerStateDict, where: string): void {
    const strategy = sd.annealStrategy;
    if (strategy !== 'cos' && strategy !== 'linear') throw new ValueError(`${where}: annealStrategy must be 'cos' or 'linear', got ${String(strategy)}`);
    for (const key of ['threePhase', 'cycleMomentum', 'useBeta1']) {
      if (typeof sd[key] !== 'boolean') throw new ValueError(`${where}: the state has no boolean '${key}'; was it saved from a OneCycleLR?`);
    }
    this.totalSteps = readNumber(where, sd, 'totalSteps');
    this.pctStart = readNumber(where, sd, 'pctStart');
    this.annealStrategy = strategy;
    this.threePhase = sd.threePhase === true;
    this.cycleMomentum = sd.cycleMomentum === true;
    this.useBeta1 = sd.useBeta1 === true;
    this.phases = makePhases(this.totalSteps, this.pctStart, this.threePhase);
  }
}

function makePhases(totalSteps: number, pctStart: number, threePhase: boolean): Phase[] {
  if (threePhase) {
    return [
      { endStep: pctStart * totalSteps - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
      { endStep: 2 * pctStart * totalSteps - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      { endStep: totalSteps - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
    ];
  }
  return [
    { endStep: pctStart * totalSteps - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
    { endStep: totalSteps - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
  ];
}

/** Cosine anneal from `start` to `end` as pct goes from 0 to 1. */
function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

/** Linear anneal from `start` to `end` as pct goes from 0 to 1. */
function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

function groupsOf(optimizer: Optimizer): ParamGroup[] {
  if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
    throw new ValueError('OneCycleLR: the first argument must be an optimizer (SGD, Adam, ...)');
  }
  return optimizer.paramGroups;
}

function perGroup(where: string, name: string, value: number | readonly number[], groups: number): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) throw new ValueError(`${where}: expected ${groups} values for ${name} (one per parameter group), got ${value.length}`);
    return value.map((v, i) => checkNumber(where, `${name}[${i}]`, v, { min: 0 }));
  }
  return new Array<number>(groups).fill(checkNumber(where, name, value, { min: 0 }));
}

function field(group: SchedulerGroupFields, key: keyof SchedulerGroupFields): number {
  const v = group[key];
  if (v === undefined) {
    throw new ValueError(`OneCycleLR: parameter group has no ${key}; when resuming (lastEpoch > -1), load the optimizer state saved with the schedule first`);
  }
  return v;
}

/** Writes the cycled momentum: `momentum`, or β₁ of `betas` for Adam-like optimizers. */
function setMomentum(group: ParamGroup, useBeta1: boolean, value: number): void {
  if (useBeta1) {
    if ('betas' in group && Array.isArray(group.betas)) group.betas = [value, group.betas[1]];
  } else if ('momentum' in group) {
    group.momentum = value;
  }
}
