/**
 * PyTorch parity: replays fixtures/layers.json (made by fixtures/make_layer_fixtures.py with
 * PyTorch 1.13). For each case the layer is built with the same options, given the same weights
 * and buffers, run on the same inputs (several steps for BatchNorm: training steps that update the
 * running statistics, then evaluation steps), and its output, the gradients of sum(output * r)
 * with respect to the input and every parameter, the returned indices and the buffers after each
 * step are compared with PyTorch's: in float64 to 1e-10 and in float32 to 1e-4 (relative; see
 * expectClose).
 */
import { factories, loadCases, runCase } from './testing/layer-fixtures';

const cases = loadCases('layers.json');

describe('PyTorch parity of the basic layers (fixtures/layers.json)', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThan(50);
    for (const c of cases) expect(factories[c.ts.type]).toBeDefined();
  });
  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('float64, 1e-10', () => runCase(c, 'float64', 1e-10));
    it('float32, 1e-4', () => runCase(c, 'float32', 1e-4));
  });
});
