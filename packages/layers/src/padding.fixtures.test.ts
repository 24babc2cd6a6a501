/**
 * PyTorch parity of Conv2d's paddingMode ('reflect', 'replicate', 'circular') and AvgPool2d's
 * divisorOverride: replays fixtures/padding.json (made by fixtures/make_padding_fixtures.py with
 * PyTorch 1.13): output and the gradients of sum(output * r) w.r.t. the input, the weight and the
 * bias, in float64 to 1e-10 and in float32 to 1e-4 (relative; see expectClose).
 */
import { factories, loadCases, runCase } from './testing/layer-fixtures';

const cases = loadCases('padding.json');

describe('PyTorch parity of paddingMode and divisorOverride (fixtures/padding.json)', () => {
  it('has the cases: every padding mode and divisorOverride', () => {
    expect(cases.length).toBeGreaterThan(25);
    for (const c of cases) expect(factories[c.ts.type]).toBeDefined();
    const modes = new Set(cases.map((c) => c.ts.opts.paddingMode).filter((m) => m !== undefined));
    expect([...modes].sort()).toEqual(['circular', 'reflect', 'replicate', 'zeros']);
    expect(cases.some((c) => c.ts.opts.divisorOverride !== undefined)).toBe(true);
  });
  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('float64, 1e-10', () => runCase(c, 'float64', 1e-10));
    it('float32, 1e-4', () => runCase(c, 'float32', 1e-4));
  });
});
