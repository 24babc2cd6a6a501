import { BackendUnavailableError, KERNELS, getBackend, listBackends, registerBackend, setBackend, tensor, withBackend, type Backend } from './index';

describe('backends', () => {
  it('js and native are registered; the default is native when its addon loaded, else js', () => {
    expect(listBackends()).toEqual(expect.arrayContaining(['js', 'native']));
    expect(['js', 'native']).toContain(getBackend().name);
  });

  it('the default backend implements every kernel', () => {
    const b = getBackend() as unknown as Record<string, unknown>;
    for (const k of KERNELS) expect(typeof b[k]).toBe('function');
  });

  it('unknown backends are a BackendUnavailableError listing the available ones', () => {
    expect(() => setBackend('nope')).toThrow(BackendUnavailableError);
    expect(() => setBackend('nope')).toThrow(/^setBackend: unknown backend 'nope'; available: .*'js'/);
  });

  it('withBackend routes ops through another backend and restores the previous one, even on errors', () => {
    const js = getBackend();
    const calls: string[] = [];
    const spy: Backend = new Proxy(js, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop === 'name') return 'spy';
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    registerBackend('spy', () => spy);
    const r = withBackend('spy', () => tensor([1, 2]).add(1).toArray());
    expect(r).toEqual([2, 3]);
    expect(calls).toContain('binary');
    expect(getBackend().name).toBe(js.name);
    expect(() =>
      withBackend('spy', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(getBackend().name).toBe(js.name);
  });
});
