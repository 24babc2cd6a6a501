/**
 * The Optimizer base: parameter groups, zeroGrad, skipping parameters without gradient,
 * non-contiguous parameters, closures, stateDict/loadStateDict (round trip and errors) and the
 * bad-input errors of every optimizer.
 */
import { Parameter, Variable, variable } from '@dl/autograd';
import { Tensor, tensor, zeros } from '@dl/tensor';
import { Adadelta, Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD, type OptimizerStateDict } from './index';
import { loadFixtures, makeOptimizer, makeProblem, valuesOf, type FixtureOptions, type OptimizerName, type Problem } from './testing/fixtures';

const fx = loadFixtures();

/** Runs `steps` steps of the fixture problem from `from` (a step index, for the loss of that step). */
function train(problem: Problem, opt: Optimizer, steps: number, from = 0): void {
  for (let s = from; s < from + steps; s++) {
    opt.zeroGrad();
    problem.loss(s).backward();
    opt.step();
  }
}

function snapshot(problem: Problem): number[][] {
  return problem.params.map((p) => valuesOf(p));
}

describe('parameter groups', () => {
  it('fill missing options from the defaults; each group keeps its own copy', () => {
    const a = new Parameter(zeros([2]));
    const b = new Parameter(zeros([3]));
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.01, momentum: 0.9 });
    expect(opt.paramGroups.length).toBe(2);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(opt.paramGroups[0].params).toEqual([a]);
    expect(opt.defaults.lr).toBe(0.01);
    opt.paramGroups[1].lr = 0.5;
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.defaults.lr).toBe(0.01);
    const adam = new Adam([{ params: [new Parameter(zeros([1]))] }, { params: [new Parameter(zeros([1]))] }], { betas: [0.8, 0.9] });
    adam.paramGroups[0].betas[0] = 0.5;
    expect(adam.paramGroups[1].betas).toEqual([0.8, 0.9]);
    expect(adam.defaults.betas).toEqual([0.8, 0.9]);
  });

  it('a plain parameter array makes one group; iterables work too', () => {
    const ps = [new Parameter(zeros([2])), new Parameter(zeros([1]))];
    const opt = new Adam(new Set(ps));
    expect(opt.paramGroups.length).toBe(1);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW(ps).paramGroups[0].weightDecay).toBe(1e-2);
    expect(new Adagrad(ps).paramGroups[0]).toMatchObject({ lr: 1e-2, lrDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
    expect(new Adadelta(ps).paramGroups[0]).toMatchObject({ lr: 1, rho: 0.9, eps: 1e-6 });
    expect(new RMSprop(ps).paramGroups[0]).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false });
  });

  it('a changed lr is used by the next step (what schedulers do)', () => {
    const p = new Parameter(tensor([1, 2], { dtype: 'float64' }));
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = new Variable(tensor([1, 1], { dtype: 'float64' }));
    opt.step();
    opt.paramGroups[0].lr = 1;
    opt.step();
    expect(valuesOf(p)).toEqual([1 - 0.1 - 1, 2 - 0.1 - 1]);
  });

  it('addParamGroup adds a group with its own options (fine-tuning)', () => {
    const a = new Parameter(zeros([2], { dtype: 'float64' }));
    const b = new Parameter(zeros([2], { dtype: 'float64' }));
    const opt = new SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    a.grad = new Variable(tensor([1, 1], { dtype: 'float64' }));
    b.grad = new Variable(tensor([1, 1], { dtype: 'float64' }));
    opt.step();
    expect(valuesOf(a)).toEqual([-0.1, -0.1]);
    expect(valuesOf(b)).toEqual([-0.01, -0.01]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/SGD: parameter group 2 has a parameter that is already in parameter group 0/);
  });

  it('toString lists the groups like PyTorch', () => {
    const opt = new SGD([new Parameter(zeros([1]))], { lr: 0.1 });
    expect(opt.toString()).toBe(
      ['SGD (', 'Parameter Group 0', '    dampening: 0', '    lr: 0.1', '    maximize: false', '    momentum: 0', '    nesterov: false', '    weightDecay: 0', ')'].join('\n'),
    );
  });
});

describe('zeroGrad and step', () => {
  it('zeroGrad sets every gradient to null, or to zeros with setToNone: false', () => {
    const p = new Parameter(zeros([2]));
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = new Variable(tensor([1, 2]));
    const grad = p.grad;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(grad); // in place
    expect(valuesOf(p.grad)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('skips parameters without a gradient and leaves their state alone', () => {
    const a = new Parameter(tensor([1, 2], { dtype: 'float64' }));
    const b = new Parameter(tensor([3], { dtype: 'float64' }));
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = new Variable(tensor([1, -1], { dtype: 'float64' }));
    opt.step();
    expect(valuesOf(b)).toEqual([3]);
    expect(opt.state.get(a)?.step).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    // Adam's first step moves every weight by lr (m̂ / √v̂ = ±1)
    expect(valuesOf(a).map((v) => Number(v.toFixed(6)))).toEqual([0.9, 2.1]);
  });

  it('updates p.data in place: views of the parameter see the change', () => {
    const p = new Parameter(tensor([1, 2, 3, 4], { dtype: 'float64' }));
    const view = p.data.reshape(2, 2);
    const opt = new SGD([p], { lr: 1 });
    p.grad = new Variable(tensor([1, 1, 1, 1], { dtype: 'float64' }));
    opt.step();
    expect(view.toArray()).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('a non-contiguous parameter follows the same trajectory as a contiguous one', () => {
    const base = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]], { dtype: 'float64' });
    const contiguous = new Parameter(base.transpose(0, 1).contiguous());
    const strided = new Parameter(base.transpose(0, 1));
    expect(strided.data.isContiguous()).toBe(false);
    const optA = new Adam([contiguous], { lr: 0.1, amsgrad: true });
    const optB = new Adam([strided], { lr: 0.1, amsgrad: true });
    for (let i = 0; i < 5; i++) {
      for (const [p, o] of [[contiguous, optA], [strided, optB]] as const) {
        o.zeroGrad();
        p.mul(p).sum().add(p.sum()).backward();
        o.step();
      }
    }
    expect(strided.toArray()).toEqual(contiguous.toArray());
    expect(base.toArray()).toEqual(strided.data.transpose(0, 1).toArray()); // written back into the shared storage
  });

  it('keeps the state in the parameter dtype', () => {
    const p32 = new Parameter(tensor([1, 2]));
    const p64 = new Parameter(tensor([1, 2], { dtype: 'float64' }));
    const opt = new Adam([p32, p64]);
    p32.grad = new Variable(tensor([1, 1]));
    p64.grad = new Variable(tensor([1, 1], { dtype: 'float64' }));
    opt.step();
    expect(opt.state.get(p32)?.buffers.expAvg).toBeInstanceOf(Float32Array);
    expect(opt.state.get(p64)?.buffers.expAvg).toBeInstanceOf(Float64Array);
    expect(p32.dtype).toBe('float32');
  });

  it('step(closure) evaluates the closure with grad mode on and returns its loss', () => {
    const problem = makeProblem(fx, 'float64');
    const opt = new SGD(problem.params, { lr: 0.1 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = problem.loss(0);
      l.backward();
      return l.item();
    });
    expect(loss).toBeCloseTo(fx.optimizers[0].losses[0], 12);
    expect(opt.step()).toBeUndefined();
  });

  it('throws when a gradient does not have its parameter\'s shape', () => {
    const p = new Parameter(zeros([2, 3]));
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = new Variable(zeros([3, 2]));
    expect(() => opt.step()).toThrow("SGD.step: the gradient of a parameter of shape [2, 3] has shape [3, 2]; a gradient must have its parameter's shape");
  });

  it('checks options written into a group before using them', () => {
    const p = new Parameter(zeros([2]));
    const opt = new Adam([p]);
    p.grad = new Variable(zeros([2]));
    opt.paramGroups[0].lr = -1;
    expect(() => opt.step()).toThrow(/Adam: parameter group 0: invalid lr \(the learning rate\) -1; it must be >= 0/);
  });
});

describe('stateDict / loadStateDict', () => {
  const cases: [string, OptimizerName, FixtureOptions][] = [
    ['SGD momentum nesterov', 'SGD', { lr: 0.2, momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
    ['Adam amsgrad', 'Adam', { lr: 0.05, amsgrad: true, weightDecay: 0.1 }],
    ['AdamW', 'AdamW', { lr: 0.05 }],
    ['RMSprop centered momentum', 'RMSprop', { lr: 0.01, momentum: 0.5, centered: true }],
    ['Adagrad', 'Adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }],
    ['Adadelta', 'Adadelta', { lr: 1.5 }],
  ];

  it.each(cases)('%s: save after 10 steps, load into a fresh optimizer, continue = uninterrupted run', (_n, name, options) => {
    const groups = [{ lr: options.lr as number }, { lr: (options.lr as number) / 2 }];
    // uninterrupted
    const full = makeProblem(fx, 'float64');
    const optFull = makeOptimizer(name, full.params, options, groups);
    train(full, optFull, 20);
    // interrupted: 10 steps, save, new parameters with the saved values, new optimizer, load, 10 more
    const first = makeProblem(fx, 'float64');
    const optFirst = makeOptimizer(name, first.params, options, groups);
    train(first, optFirst, 10);
    const saved = optFirst.stateDict();
    const weights = snapshot(first);
    train(first, optFirst, 3, 10); // the saved dict is a snapshot: later steps do not change it
    const second = makeProblem(fx, 'float64');
    second.params.forEach((p, i) => p.data.copy_(tensor(weights[i], { dtype: 'float64' }).reshape(p.shape)));
    const optSecond = makeOptimizer(name, second.params, options, [{ lr: 1 }, { lr: 1 }]);
    optSecond.loadStateDict(saved);
    expect(optSecond.paramGroups.map((g) => g.lr)).toEqual(groups.map((g) => g.lr));
    train(second, optSecond, 10, 10);
    expect(snapshot(second)).toEqual(snapshot(full));
  });

  it('has PyTorch\'s structure: state by parameter index, groups with their options and parameter indices', () => {
    const problem = makeProblem(fx, 'float64');
    const opt = new Adam([{ params: [problem.W] }, { params: [problem.b], lr: 0.5 }], { lr: 0.1, betas: [0.8, 0.9] });
    expect(opt.stateDict()).toEqual({ state: {}, paramGroups: [
      { params: [0], lr: 0.1, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
      { params: [1], lr: 0.5, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    ] });
    train(problem, opt, 2);
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    expect(sd.state[1].step).toBe(2);
    const expAvg = sd.state[0].expAvg;
    expect(expAvg).toBeInstanceOf(Tensor);
    expect((expAvg as Tensor).shape).toEqual([3, 4]);
    expect(Object.keys(sd.state[0]).sort()).toEqual(['expAvg', 'expAvgSq', 'step']);
  });

  it('Adagrad has its state from the start, as PyTorch', () => {
    const p = new Parameter(zeros([2], { dtype: 'float64' }));
    const sd = new Adagrad([p], { initialAccumulatorValue: 0.5 }).stateDict();
    expect(sd.state[0].step).toBe(0);
    expect(valuesOf(sd.state[0].sum as Tensor)).toEqual([0.5, 0.5]);
  });

  it('converts loaded buffers to the parameter dtype', () => {
    const p64 = new Parameter(tensor([1, 2], { dtype: 'float64' }));
    const opt64 = new SGD([p64], { lr: 0.1, momentum: 0.9 });
    p64.grad = new Variable(tensor([0.5, 0.25], { dtype: 'float64' }));
    opt64.step();
    const p32 = new Parameter(tensor([1, 2]));
    const opt32 = new SGD([p32], { lr: 0.1, momentum: 0.9 });
    opt32.loadStateDict(opt64.stateDict());
    expect(opt32.state.get(p32)?.buffers.momentumBuffer).toEqual(new Float32Array([0.5, 0.25]));
  });

  describe('errors on mismatch', () => {
    function trained(): { problem: Problem; opt: Adam; sd: OptimizerStateDict } {
      const problem = makeProblem(fx, 'float64');
      const opt = new Adam(problem.params, { lr: 0.1 });
      train(problem, opt, 2);
      return { problem, opt, sd: opt.stateDict() };
    }

    it('not a state dict', () => {
      const { opt } = trained();
      expect(() => opt.loadStateDict({} as OptimizerStateDict)).toThrow(
        'Adam.loadStateDict: expected { state, paramGroups } as returned by stateDict(), got an object with keys []',
      );
    });

    it('another number of groups', () => {
      const { problem, sd } = trained();
      const opt = new Adam([{ params: [problem.W] }, { params: [problem.b] }]);
      expect(() => opt.loadStateDict(sd)).toThrow(
        'Adam.loadStateDict: the saved state has 1 parameter group(s) but this optimizer has 2; build the optimizer with the same groups before loading',
      );
    });

    it('another number of parameters in a group', () => {
      const { problem, sd } = trained();
      const opt = new Adam([problem.W]);
      expect(() => opt.loadStateDict(sd)).toThrow(
        'Adam.loadStateDict: parameter group 0 has 2 parameter(s) in the saved state but 1 here; the groups must hold the same parameters',
      );
    });

    it('a buffer of another shape', () => {
      const { sd } = trained();
      const opt = new Adam([new Parameter(zeros([4, 3], { dtype: 'float64' })), new Parameter(zeros([3], { dtype: 'float64' }))]);
      expect(() => opt.loadStateDict(sd)).toThrow(
        /Adam.loadStateDict: parameter 0: the saved buffer 'expAvg' has shape \[3, 4\] but the parameter has shape \[4, 3\]; load the state of an optimizer over the same model/,
      );
    });

    it('the state of another kind of optimizer', () => {
      const { problem, sd } = trained();
      const sgd = new SGD(problem.params, { lr: 0.1, momentum: 0.9 });
      expect(() => sgd.loadStateDict(sd)).toThrow(
        "SGD.loadStateDict: parameter group 0: the saved group has no 'momentum' option; was it saved from another kind of optimizer than SGD?",
      );
      const rms = new RMSprop(problem.params);
      const sgdState = sgd.stateDict();
      expect(() => rms.loadStateDict(sgdState)).toThrow(/RMSprop.loadStateDict: parameter group 0: the saved group has no 'alpha' option/);
    });

    it('a buffer the options do not use, or a missing one', () => {
      const { problem, sd } = trained();
      const ams = new Adam(problem.params, { amsgrad: true });
      const withAms = { ...sd, paramGroups: sd.paramGroups.map((g) => ({ ...g, amsgrad: true })) };
      expect(() => ams.loadStateDict(withAms)).toThrow(
        "Adam.loadStateDict: parameter 0: the saved state has no 'maxExpAvgSq' buffer, which Adam needs with these options",
      );
      const extra = { ...sd, state: { ...sd.state, 1: { ...sd.state[1], momentumBuffer: zeros([3], { dtype: 'float64' }) } } };
      expect(() => new Adam(problem.params).loadStateDict(extra)).toThrow(
        /Adam.loadStateDict: parameter 1: the saved state has a buffer 'momentumBuffer' that Adam does not use/,
      );
    });

    it('a state entry for a parameter that does not exist, or a bad step', () => {
      const { opt, sd } = trained();
      expect(() => opt.loadStateDict({ ...sd, state: { ...sd.state, 5: sd.state[0] } })).toThrow(
        'Adam.loadStateDict: the saved state has an entry for parameter 5 but there are 2 parameters (0..1)',
      );
      expect(() => opt.loadStateDict({ ...sd, state: { 0: { ...sd.state[0], step: -1 } } })).toThrow(
        "Adam.loadStateDict: parameter 0: the saved state's step must be an integer >= 0, got -1",
      );
    });

    it('invalid loaded options', () => {
      const { opt, sd } = trained();
      const bad = { ...sd, paramGroups: [{ ...sd.paramGroups[0], lr: -0.1 }] };
      expect(() => opt.loadStateDict(bad)).toThrow(/Adam.loadStateDict: parameter group 0: invalid lr \(the learning rate\) -0.1/);
      // nothing was changed by the failed loads
      expect(opt.paramGroups[0].lr).toBe(0.1);
      expect(opt.state.size).toBe(2);
    });
  });
});

describe('bad input', () => {
  const p = (): Parameter => new Parameter(zeros([2]));

  it('negative or non-numeric learning rates', () => {
    expect(() => new Adam([p()], { lr: -1e-3 })).toThrow('Adam: parameter group 0: invalid lr (the learning rate) -0.001; it must be >= 0');
    expect(() => new SGD([p()], { lr: NaN })).toThrow('SGD: parameter group 0: lr (the learning rate) must be a finite number, got NaN');
    expect(() => new RMSprop([{ params: [p()], lr: -1 }])).toThrow(/RMSprop: parameter group 0: invalid lr/);
    expect(() => new Adagrad([p()], { lr: '0.1' as unknown as number })).toThrow("Adagrad: parameter group 0: lr (the learning rate) must be a finite number, got '0.1'");
  });

  it('SGD without a learning rate', () => {
    expect(() => new SGD([p()])).toThrow(
      'SGD: parameter group 0 has no learning rate: SGD has no default lr, so pass { lr } in the options (new SGD(params, { lr: 0.01 })) or in every group',
    );
    expect(() => new SGD([{ params: [p()], lr: 0.1 }, { params: [p()] }])).toThrow(/SGD: parameter group 1 has no learning rate/);
    expect(new SGD([{ params: [p()], lr: 0.1 }]).paramGroups[0].lr).toBe(0.1);
  });

  it('betas outside [0, 1)', () => {
    expect(() => new Adam([p()], { betas: [1, 0.999] })).toThrow('Adam: parameter group 0: invalid betas[0] 1; it must be >= 0 and < 1');
    expect(() => new AdamW([p()], { betas: [0.9, -0.1] })).toThrow('AdamW: parameter group 0: invalid betas[1] -0.1; it must be >= 0 and < 1');
    expect(() => new Adam([p()], { betas: 0.9 as unknown as [number, number] })).toThrow(
      'Adam: parameter group 0: betas must be a pair [beta1, beta2] such as [0.9, 0.999], got 0.9',
    );
  });

  it('nesterov without momentum, or with dampening', () => {
    expect(() => new SGD([p()], { lr: 0.1, nesterov: true })).toThrow(
      'SGD: parameter group 0: Nesterov momentum needs momentum > 0 and dampening 0, got momentum 0 and dampening 0; set { momentum: 0.9 } (and no dampening) or nesterov: false',
    );
    expect(() => new SGD([p()], { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(/Nesterov momentum needs/);
  });

  it('other out-of-range options', () => {
    expect(() => new SGD([p()], { lr: 0.1, momentum: -0.5 })).toThrow('SGD: parameter group 0: invalid momentum -0.5; it must be >= 0');
    expect(() => new Adam([p()], { weightDecay: -1 })).toThrow('Adam: parameter group 0: invalid weightDecay -1; it must be >= 0');
    expect(() => new Adam([p()], { eps: -1 })).toThrow(/invalid eps -1/);
    expect(() => new Adadelta([p()], { rho: 1.5 })).toThrow('Adadelta: parameter group 0: invalid rho 1.5; it must be >= 0 and <= 1');
    expect(() => new Adagrad([p()], { lrDecay: -1 })).toThrow(/invalid lrDecay -1/);
    expect(() => new Adagrad([p()], { initialAccumulatorValue: -1 })).toThrow(/invalid initialAccumulatorValue -1/);
    expect(() => new RMSprop([p()], { alpha: -0.1 })).toThrow(/invalid alpha -0.1/);
    expect(() => new RMSprop([p()], { centered: 1 as unknown as boolean })).toThrow('RMSprop: parameter group 0: centered must be true or false, got 1');
  });

  it('unknown options, with a hint for PyTorch spellings', () => {
    expect(() => new Adam([p()], { weight_decay: 0.1 } as object)).toThrow(
      "Adam: unknown option 'weight_decay' (did you mean 'weightDecay'?); the options are lr, betas, eps, weightDecay, amsgrad, maximize",
    );
    expect(() => new SGD([{ params: [p()], learningRate: 0.1 } as { params: Parameter[] }], { lr: 0.1 })).toThrow(
      /SGD: parameter group 0: unknown option 'learningRate'; SGD's options are lr, momentum, dampening, weightDecay, nesterov, maximize/,
    );
  });

  it('unknown options, with a hint for typos (the shared @dl/tensor checkOptions)', () => {
    expect(() => new SGD([p()], { lr: 0.1, momentun: 0.9 } as object)).toThrow(
      "SGD: unknown option 'momentun' (did you mean 'momentum'?); the options are lr, momentum, dampening, weightDecay, nesterov, maximize",
    );
    expect(() => new SGD([{ params: [p()], nesterv: true } as { params: Parameter[] }], { lr: 0.1 })).toThrow(
      /SGD: parameter group 0: unknown option 'nesterv' \(did you mean 'nesterov'\?\); SGD's options are/,
    );
  });

  it('a parameter that does not require grad', () => {
    const frozen = new Parameter(zeros([2]), { requiresGrad: false });
    expect(() => new Adam([p(), frozen])).toThrow(
      'Adam: parameter group 0, parameter 1 does not require grad (a frozen weight?); pass only trainable parameters, e.g. model.parameters().filter((p) => p.requiresGrad)',
    );
  });

  it('a non-leaf Variable, a Tensor, a single parameter', () => {
    const leaf = p();
    expect(() => new SGD([leaf.mul(2)], { lr: 0.1 })).toThrow(
      'SGD: parameter group 0, parameter 0 is not a leaf (it was computed by Mul); optimize the leaf Parameters it was computed from',
    );
    expect(() => new SGD([leaf, zeros([2]) as unknown as Parameter], { lr: 0.1 })).toThrow(
      /SGD: parameter group 0, parameter 1 is a Tensor; optimizers update Parameters/,
    );
    expect(() => new SGD(leaf as unknown as Parameter[], { lr: 0.1 })).toThrow(
      'SGD: params must be an array of parameters or of parameter groups, got a single Variable; wrap it: new SGD([p], ...)',
    );
    expect(() => new SGD([{ params: 3 } as unknown as { params: Parameter[] }], { lr: 0.1 })).toThrow(
      'SGD: parameter group 0: params must be an array of parameters, got 3',
    );
  });

  it('an empty parameter list', () => {
    expect(() => new Adam([])).toThrow(
      'Adam: got an empty parameter list; pass the parameters to train (e.g. model.parameters(); does the model have any?)',
    );
  });

  it('a parameter listed twice, or in two groups', () => {
    const a = p();
    expect(() => new SGD([a, a], { lr: 0.1 })).toThrow('SGD: parameter group 0 lists parameter 1 twice; list each parameter once');
    expect(() => new SGD([{ params: [a] }, { params: [p(), a] }], { lr: 0.1 })).toThrow(
      'SGD: parameter group 1 has a parameter that is already in parameter group 0; a parameter can be in one group only',
    );
  });

  it('an integer Variable', () => {
    const v = variable([1, 2], { dtype: 'int32' });
    v.requiresGrad = true;
    expect(() => new SGD([v], { lr: 0.1 })).toThrow('SGD: parameter group 0, parameter 0 has dtype int32; only float32 and float64 parameters can be optimized');
  });
});
