/**
 * `Student` over the channel to a confined process: each method sends one request and waits
 * for its answer. Anything the process sends is validated; a malformed line, an answer to a
 * request never made, or the process dying fails the pending request with feedback, never the
 * grader.
 */
import type { Request } from './callee';
import { describeExit, type Sandboxed } from './sandbox';
import type { ApplyFunctionRequest, ApplyFunctionResult, MethodCall, Student } from './spec';
import { text, type Text } from './text';
import { encodeWire, reviveValue, type Value } from './values';

/** The student's code failed (threw, timed out, crashed); `feedback` says how, in both languages. */
export class StudentError extends Error {
  override name = 'StudentError';
  constructor(readonly feedback: Text) {
    super(typeof feedback === 'string' ? feedback : feedback.en);
  }
}

const MAX_ERROR_CHARS = 500;

function clip(s: string): string {
  return s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}…` : s;
}

export abstract class RequestStudent implements Student {
  protected abstract request(req: Request): Promise<Value>;

  call(name: string, ...args: Value[]): Promise<Value> {
    return this.request({ op: 'call', name, args });
  }

  callMethod(name: string, ctorArgs: readonly Value[], method: string, ...args: Value[]): Promise<Value> {
    return this.request({ op: 'method', name, ctorArgs, method, args });
  }

  async callMethods(name: string, ctorArgs: readonly Value[], calls: readonly MethodCall[]): Promise<Value[]> {
    const r = await this.request({ op: 'methods', name, ctorArgs, calls });
    if (!Array.isArray(r) || r.length !== calls.length) throw new StudentError(text('malformed answer from the process', 'プロセスから不正な応答'));
    return r as Value[];
  }

  async applyFunction(name: string, req: ApplyFunctionRequest): Promise<ApplyFunctionResult> {
    const r = await this.request({
      op: 'function',
      name,
      ctorArgs: req.ctorArgs ?? [],
      inputs: req.inputs,
      gradOutput: req.gradOutput,
      forwardOnly: req.forwardOnly,
    });
    if (typeof r !== 'object' || r === null || !('output' in r) || !Array.isArray((r as { grads?: unknown }).grads)) {
      throw new StudentError(text('malformed answer from the process', 'プロセスから不正な応答'));
    }
    return r as unknown as ApplyFunctionResult;
  }
}

export class RemoteStudent extends RequestStudent {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: Value) => void; reject: (e: Error) => void }>();
  private ready: Promise<void>;

  constructor(private readonly box: Sandboxed) {
    super();
    let markReady: () => void = () => undefined;
    let failReady: (e: Error) => void = () => undefined;
    this.ready = new Promise((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    this.ready.catch(() => undefined);
    box.onLine((line) => {
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        return; // not ours: ignore (a submission may write to fd 3 itself)
      }
      if (typeof msg !== 'object' || msg === null) return;
      const m = msg as { ready?: unknown; id?: unknown; ok?: unknown; err?: unknown };
      if (m.ready === true) {
        markReady();
        return;
      }
      if (typeof m.id !== 'number') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('ok' in m) {
        try {
          p.resolve(reviveValue(m.ok));
        } catch (e) {
          p.reject(new StudentError(text(`the answer could not be read: ${(e as Error).message}`, `回答を読み取れません: ${(e as Error).message}`)));
        }
      } else {
        const err = (m.err ?? {}) as { message?: unknown; name?: unknown };
        const name = typeof err.name === 'string' ? err.name : 'Error';
        const message = clip(typeof err.message === 'string' ? err.message : String(err.message));
        p.reject(
          new StudentError(
            name === 'StudentCodeError'
              ? message
              : text(`your code threw ${name}: ${message}`, `あなたのコードで例外が発生しました (${name}): ${message}`),
          ),
        );
      }
    });
    box.onExit((reason) => {
      const e = new StudentError(describeExit(reason));
      failReady(e);
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  /** Sends one request (for the grader's own wrappers, such as the reference's). */
  ask(req: Request): Promise<Value> {
    return this.request(req);
  }

  protected async request(req: Request): Promise<Value> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<Value>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.box.send(`{"id":${id},"req":${encodeWire(req)}}`);
      } catch (e) {
        this.pending.delete(id);
        reject(e);
      }
      if (this.box.exitReason.kind !== 'running') {
        this.pending.delete(id);
        reject(new StudentError(describeExit(this.box.exitReason)));
      }
    });
  }
}
