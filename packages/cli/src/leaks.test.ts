/**
 * Long-run leak tests: 10,000 optimizer steps each of the course MLP, the course CNN and an LSTM,
 * with @dl/tensor's memory tracking on, must end with exactly the live tensors, storages and
 * bytes they had after a short warm-up (`expectNoLeaks`: the counts are taken after forced
 * garbage collections). Every step goes through the whole stack: a shuffled DataLoader batch,
 * forward, CrossEntropyLoss, backward, the optimizer's step with its state; every 1,000 steps an
 * evaluation under noGrad. A tensor kept per step (or per epoch, per evaluation) anywhere on that
 * path fails the test with the growth per dtype.
 *
 * The models keep the course architectures (cli's buildModel, as `dl train` builds them) on
 * small inputs, so that 10,000 steps take seconds rather than minutes: the MLP and the CNN on
 * 8x8 images (Linear(64, 300), ReLU, Linear(300, 10); Conv2d(1, 10, 3), ReLU, Linear(360, 300),
 * ReLU, Linear(300, 10)), batches of 2; the LSTM (4 -> 8) reads sequences of 2 steps. Leaks do
 * not depend on the sizes, only on the ops. DL_LEAK_STEPS=n runs n steps instead of 10,000.
 */
import { noGrad, type Variable } from '@dl/autograd';
import { DataLoader, TensorDataset } from '@dl/data';
import { LSTM, Linear, type Sequential } from '@dl/layers';
import { CrossEntropyLoss } from '@dl/losses';
import { Adam, SGD, type Optimizer } from '@dl/optim';
import { Generator, expectNoLeaks, memory, rand, randint, randn, setMemoryTracking, type Tensor } from '@dl/tensor';
import { buildModel } from './models';

const STEPS = Number(process.env.DL_LEAK_STEPS) || 10_000;
const WARMUP = 20;
/** Generous: 10,000 steps take seconds alone, minutes on a busy 2-core machine. */
const TIMEOUT = 600_000;

/** A training run cut into steps: `step()` runs one optimizer step and returns its loss. */
interface Run {
  step(): Variable;
  /** An evaluation pass without gradients (as validation after an epoch). */
  evaluate(): void;
  /** Tensors the run holds for good (parameters and inputs): memory() must count at least these (with tracking on while it was built). */
  minTensors: number;
}

/** Batches of `loader`, epoch after epoch, for ever. */
function* forever<B>(loader: Iterable<B>): IterableIterator<B> {
  for (;;) yield* loader;
}

function imageRun(model: 'mlp' | 'cnn', makeOptimizer: (params: ReturnType<Sequential['parameters']>) => Optimizer): Run {
  const g = new Generator(model === 'mlp' ? 1 : 2);
  const net = buildModel(model, { inputShape: [1, 8, 8], numClasses: 10 });
  const x = rand([64, 1, 8, 8], { generator: g });
  const y = randint(0, 10, [64], { generator: g });
  const batches = forever(new DataLoader(new TensorDataset(x, y), { batchSize: 2, shuffle: true, generator: g }));
  const opt = makeOptimizer(net.parameters());
  const loss = new CrossEntropyLoss();
  return {
    step() {
      const [xb, yb] = batches.next().value as Tensor[];
      opt.zeroGrad();
      const l = loss.call(net.call(xb), yb);
      l.backward();
      opt.step();
      return l;
    },
    evaluate() {
      net.eval();
      noGrad(() => net.call(x).argmax({ dim: 1 }).eq(y).float().mean().item());
      net.train();
    },
    minTensors: net.parameters().length + 2,
  };
}

function lstmRun(): Run {
  const g = new Generator(3);
  const lstm = new LSTM(4, 8, { batchFirst: true, generator: g });
  const head = new Linear(8, 3);
  const x = randn([32, 2, 4], { generator: g });
  const y = randint(0, 3, [32], { generator: g });
  const batches = forever(new DataLoader(new TensorDataset(x, y), { batchSize: 2, shuffle: true, generator: g }));
  const params = [...lstm.parameters(), ...head.parameters()];
  const opt = new Adam(params, { lr: 0.01 });
  const loss = new CrossEntropyLoss();
  const logits = (xb: Tensor): Variable => head.call(lstm.call(xb).output.select(1, -1)); // last time step
  return {
    step() {
      const [xb, yb] = batches.next().value as Tensor[];
      opt.zeroGrad();
      const l = loss.call(logits(xb), yb);
      l.backward();
      opt.step();
      return l;
    },
    evaluate() {
      noGrad(() => logits(x).argmax({ dim: 1 }).eq(y).float().mean().item());
    },
    minTensors: params.length + 2,
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `steps` steps of `run` (an evaluation every 1,000), yielding to the event loop every 100 steps
 * so that the finalizers of collected tensors run (as `dl train` yields after every batch).
 * `keep` sees every step's loss (a planted leak keeps them).
 */
async function train(run: Run, steps: number, keep: (loss: Variable) => void = () => {}): Promise<number> {
  let last = NaN;
  for (let i = 1; i <= steps; i++) {
    const l = run.step();
    keep(l);
    if (i % 100 === 0) {
      last = l.item();
      await yieldToEventLoop();
    }
    if (i % 1000 === 0) run.evaluate();
  }
  return last;
}

/**
 * With tracking on from the start (so that the model's weights and inputs count too): builds the
 * run, warms it up (optimizer state, the first batches), then STEPS steps under expectNoLeaks.
 */
async function expectTrainingWithoutLeaks(label: string, makeRun: () => Run): Promise<void> {
  const was = setMemoryTracking(true);
  try {
    const run = makeRun();
    await train(run, WARMUP);
    run.evaluate();
    let lastLoss = NaN;
    await expectNoLeaks(
      async () => {
        lastLoss = await train(run, STEPS);
      },
      { label },
    );
    expect(Number.isFinite(lastLoss)).toBe(true);
    // the counts did include the model: a pass with nothing tracked would prove nothing
    expect(memory().tensors).toBeGreaterThanOrEqual(run.minTensors);
    expect(memory().byDtype.float32.bytes).toBeGreaterThan(0);
  } finally {
    setMemoryTracking(was);
  }
}

describe(`${STEPS.toLocaleString('en-US')} training steps leave no tensors behind`, () => {
  test(
    'the course MLP (Linear(64, 300), ReLU, Linear(300, 10)) with SGD and momentum',
    () => expectTrainingWithoutLeaks('mlp', () => imageRun('mlp', (p) => new SGD(p, { lr: 0.01, momentum: 0.9 }))),
    TIMEOUT,
  );

  test(
    'the course CNN (Conv2d(1, 10, 3), ReLU, Linear(360, 300), ReLU, Linear(300, 10)) with Adam',
    () => expectTrainingWithoutLeaks('cnn', () => imageRun('cnn', (p) => new Adam(p, { lr: 0.001 }))),
    TIMEOUT,
  );

  test('an LSTM (4 -> 8, sequences of 2) with a Linear head and Adam', () => expectTrainingWithoutLeaks('lstm', lstmRun), TIMEOUT);

  test(
    'a planted leak (every step loss kept, as `losses.push(loss)`) fails with the growth per dtype',
    async () => {
      const run = imageRun('mlp', (p) => new SGD(p, { lr: 0.01, momentum: 0.9 }));
      const losses: Variable[] = [];
      const was = setMemoryTracking(true);
      try {
        await train(run, WARMUP);
        const err = await expectNoLeaks(() => train(run, 200, (l) => losses.push(l)), { label: 'planted' }).catch(
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        // each kept loss keeps its graph (activations, ReLU masks, targets): at least the 200 losses
        const msg = (err as Error).message;
        const total = /^expectNoLeaks \(planted\): ([\d,]+) tensors \(\+([\d,]+) bytes\) still live after the block:/.exec(msg);
        const float32 = /\n {2}float32: \+([\d,]+) tensors, \+([\d,]+) storages, \+([\d,]+) bytes/.exec(msg);
        if (total === null || float32 === null) throw err;
        const num = (s: string): number => Number(s.replace(/,/g, ''));
        expect(num(total[1])).toBeGreaterThanOrEqual(200);
        expect(num(total[2])).toBeGreaterThan(0);
        expect(num(float32[1])).toBeGreaterThanOrEqual(200);
        expect(losses.length).toBe(200);
        losses.length = 0; // (the kept graphs hold views of batches the loader still holds)
        // keeping the numbers instead is fine
        const values: number[] = [];
        await expectNoLeaks(() => train(run, 200, (l) => values.push(l.item())), { label: 'numbers' });
        expect(values.length).toBe(200);
      } finally {
        setMemoryTracking(was);
      }
    },
    TIMEOUT,
  );
});
