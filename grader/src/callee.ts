/**
 * The side that runs code: it answers requests (`call`, `method`, `function`) by calling the
 * exports of loaded modules, turning tensor values into @dl Tensors on the way in and Tensors,
 * Variables and typed arrays into plain values on the way out. The grader's child process runs
 * this over student code; `dl-grade test` runs it in-process over the student's own files.
 *
 * ```ts
 * const answer = await handleRequest({ op: 'call', name: 'AND', args: [1, 1] }, (n) => mod[n]);
 * ```
 */
import { Tensor, onesLike, tensor } from '@dl/tensor';
import { Variable, variable, Function as DLFunction } from '@dl/autograd';
import { bytes, bytesOf, isBytesValue, isTensorValue, type TensorValue, type Value } from './values';

export type Request =
  | { readonly op: 'call'; readonly name: string; readonly args: readonly Value[] }
  | { readonly op: 'method'; readonly name: string; readonly ctorArgs: readonly Value[]; readonly method: string; readonly args: readonly Value[] }
  | { readonly op: 'methods'; readonly name: string; readonly ctorArgs: readonly Value[]; readonly calls: readonly { readonly method: string; readonly args: readonly Value[] }[] }
  | {
      readonly op: 'function';
      readonly name: string;
      readonly ctorArgs: readonly Value[];
      readonly inputs: readonly TensorValue[];
      readonly gradOutput?: TensorValue;
      readonly forwardOnly?: boolean;
    };

/** An error the student's code caused (its message goes back as feedback). */
export class StudentCodeError extends Error {
  override name = 'StudentCodeError';
}

/** Looks an export up by name; throws StudentCodeError with a helpful message when missing. */
export type ExportLookup = (name: string) => unknown;

const MAX_ELEMENTS = 5_000_000;

export function toTensor(v: TensorValue): Tensor {
  return tensor(v.data as number[], { shape: [...v.shape], dtype: v.dtype });
}

/** Converts arguments: tensor values become Tensors, everything else stays as it is. */
export function toArg(v: Value): unknown {
  if (isTensorValue(v)) return toTensor(v);
  if (isBytesValue(v)) return bytesOf(v);
  if (Array.isArray(v)) return v.map(toArg);
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toArg(x as Value);
    return o;
  }
  return v;
}

/** Converts what student code returned into a Value; throws StudentCodeError on what cannot be sent. */
export function fromResult(x: unknown, budget = { left: MAX_ELEMENTS }, depth = 0): Value {
  if (depth > 32) throw new StudentCodeError('the returned value is nested more than 32 levels deep');
  if (x === null || x === undefined || typeof x === 'number' || typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'bigint') throw new StudentCodeError('returned a bigint; return a number');
  if (typeof x === 'function') throw new StudentCodeError('returned a function; return its result (did you forget to call it?)');
  if (typeof x !== 'object') throw new StudentCodeError(`returned a ${typeof x}`);
  if (x instanceof Variable) return fromResult(x.data, budget, depth + 1);
  if (x instanceof Tensor) {
    budget.left -= x.numel();
    if (budget.left < 0) throw new StudentCodeError(`returned more than ${MAX_ELEMENTS} numbers`);
    return { $tensor: true, dtype: x.dtype, shape: [...x.shape], data: Array.from(x.toTypedArray() as ArrayLike<number>, Number) };
  }
  if (x instanceof Uint8Array) {
    budget.left -= x.length / 8;
    if (budget.left < 0) throw new StudentCodeError(`returned more than ${MAX_ELEMENTS * 8} bytes`);
    return bytes(x);
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number | bigint>;
    budget.left -= arr.length;
    if (budget.left < 0) throw new StudentCodeError(`returned more than ${MAX_ELEMENTS} numbers`);
    return Array.from(arr, Number);
  }
  if (Array.isArray(x)) {
    budget.left -= x.length;
    if (budget.left < 0) throw new StudentCodeError(`returned more than ${MAX_ELEMENTS} values`);
    return x.map((e) => fromResult(e, budget, depth + 1));
  }
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) {
    const name = (x as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new StudentCodeError(`returned an instance of ${name}; return numbers, arrays or tensors`);
  }
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(x)) {
    budget.left -= 1;
    out[k] = fromResult(v, budget, depth + 1);
  }
  return out;
}

function need<T>(v: unknown, kind: 'function' | 'class', name: string): T {
  if (typeof v !== 'function') {
    const got = v === undefined ? (name.includes('.') ? 'is not defined' : 'is not exported') : `is a ${typeof v}, not a ${kind}`;
    throw new StudentCodeError(`'${name}' ${got}`);
  }
  return v as T;
}

/** Runs one request against the exports. Errors thrown by student code propagate as they are. */
export async function handleRequest(req: Request, lookup: ExportLookup): Promise<Value> {
  switch (req.op) {
    case 'call': {
      const f = need<(...a: unknown[]) => unknown>(lookup(req.name), 'function', req.name);
      return fromResult(await f(...req.args.map(toArg)));
    }
    case 'method': {
      const C = need<new (...a: unknown[]) => Record<string, unknown>>(lookup(req.name), 'class', req.name);
      const obj = new C(...req.ctorArgs.map(toArg));
      const m = need<(...a: unknown[]) => unknown>(obj[req.method], 'function', `${req.name}.${req.method}`);
      return fromResult(await m.apply(obj, req.args.map(toArg)));
    }
    case 'methods': {
      const C = need<new (...a: unknown[]) => Record<string, unknown>>(lookup(req.name), 'class', req.name);
      const obj = new C(...req.ctorArgs.map(toArg));
      const out: Value[] = [];
      for (const c of req.calls) {
        const m = need<(...a: unknown[]) => unknown>(obj[c.method], 'function', `${req.name}.${c.method}`);
        out.push(fromResult(await m.apply(obj, c.args.map(toArg))));
      }
      return out;
    }
    case 'function': {
      const C = need<new (...a: unknown[]) => DLFunction>(lookup(req.name), 'class', req.name);
      const fn = new C(...req.ctorArgs.map(toArg));
      if (!(fn instanceof DLFunction)) throw new StudentCodeError(`${req.name} must extend Function from @dl/autograd`);
      const inputs = req.inputs.map((v) => variable(toTensor(v), { requiresGrad: true }));
      const out = fn.apply(...inputs);
      if (!(out instanceof Variable)) throw new StudentCodeError(`${req.name}.apply did not return a Variable`);
      if (!req.forwardOnly) {
        out.backward({ gradient: req.gradOutput ? toTensor(req.gradOutput) : onesLike(out.data) });
      }
      return {
        output: fromResult(out),
        grads: req.forwardOnly ? [] : inputs.map((v) => (v.grad ? fromResult(v.grad) : null)),
      };
    }
    default:
      throw new Error(`unknown request ${(req as { op: string }).op}`);
  }
}
