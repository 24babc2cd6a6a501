import { Function, type Variable } from '@dl/autograd';
import type { Tensor } from '@dl/tensor';
import { fromResult, handleRequest, StudentCodeError } from './callee';
import { bytes, bytesOf, decodeWire, encodeWire, isBytesValue, T } from './values';

class Counter {
  n = 0;
  add(k: number): number {
    this.n += k;
    return this.n;
  }
}

class Cube extends Function {
  forward(x: Tensor): Tensor {
    return x.mul(x).mul(x);
  }
  backward(gy: Variable): Variable {
    const [x] = this.inputs;
    return gy.mul(x).mul(x).mul(3);
  }
}

const exportsOf: Record<string, unknown> = { Counter, Cube, twice: (x: Tensor) => x.mul(2), answer: 42 };
const lookup = (n: string) => exportsOf[n];

test('call passes tensors in as Tensors and returns tensor values', async () => {
  expect(await handleRequest({ op: 'call', name: 'twice', args: [T([1, 2])] }, lookup)).toEqual(T([2, 4]));
});

test('method makes a fresh instance per request; methods keeps one instance', async () => {
  expect(await handleRequest({ op: 'method', name: 'Counter', ctorArgs: [], method: 'add', args: [2] }, lookup)).toBe(2);
  expect(await handleRequest({ op: 'method', name: 'Counter', ctorArgs: [], method: 'add', args: [2] }, lookup)).toBe(2);
  const calls = [{ method: 'add', args: [2] }, { method: 'add', args: [3] }];
  expect(await handleRequest({ op: 'methods', name: 'Counter', ctorArgs: [], calls }, lookup)).toEqual([2, 5]);
});

test('function runs forward and backward with the given upstream gradient', async () => {
  const r = (await handleRequest({ op: 'function', name: 'Cube', ctorArgs: [], inputs: [T([1, 2])], gradOutput: T([1, 10]) }, lookup)) as { output: unknown; grads: unknown[] };
  expect(r.output).toEqual(T([1, 8]));
  expect(r.grads[0]).toEqual(T([3, 120]));
});

test.each<[string, Record<string, unknown>, RegExp]>([
  ['a missing export', { op: 'call', name: 'nope', args: [] }, /'nope' is not exported/],
  ['a non-function', { op: 'call', name: 'answer', args: [] }, /'answer' is a number, not a function/],
  ['a missing method', { op: 'method', name: 'Counter', ctorArgs: [], method: 'sub', args: [] }, /'Counter.sub' is not defined/],
  ['a class that is not a Function', { op: 'function', name: 'Counter', ctorArgs: [], inputs: [T([1])] }, /must extend Function/],
])('%s is a StudentCodeError with a clear message', async (_n, req, re) => {
  await expect(handleRequest(req as never, lookup)).rejects.toThrow(StudentCodeError);
  await expect(handleRequest(req as never, lookup)).rejects.toThrow(re);
});

test('results that cannot be sent are refused clearly', () => {
  expect(() => fromResult(() => 1)).toThrow(/returned a function/);
  expect(() => fromResult(new Counter())).toThrow(/instance of Counter/);
  expect(() => fromResult(10n)).toThrow(/bigint/);
  expect(() => fromResult(new Float64Array(6_000_000))).toThrow(/more than 5000000/);
  expect(fromResult(new Float32Array([1.5, 2]))).toEqual([1.5, 2]);
});

test('bytes travel both ways (a file, such as trained weights in safetensors)', async () => {
  const file = new Uint8Array([0, 1, 254, 255, 42]);
  const echo = (b: Uint8Array) => b.slice().reverse();
  const r = await handleRequest({ op: 'call', name: 'echo', args: [bytes(file)] }, (n) => (n === 'echo' ? echo : undefined));
  expect(isBytesValue(r)).toBe(true);
  expect([...bytesOf(r as never)]).toEqual([42, 255, 254, 1, 0]);
  expect(decodeWire(encodeWire(r))).toEqual(r);
});
