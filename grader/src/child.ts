/**
 * The process that runs student code (started by the grader, confined by OS limits). It loads
 * the task's compiled files, answers requests on fd 3, and knows nothing of expected values.
 * Its own references to JSON and the channel are taken before any student code runs, so a
 * submission that patches globals breaks only its own answers.
 */
import { Socket } from 'node:net';
import { join } from 'node:path';
import { handleRequest, StudentCodeError } from './callee';
import type { ChildConfig, FromChild, ToChild } from './protocol';
import { pinBareImports } from './tsload';
import { encodeWire, reviveValue } from './values';

const stringify = JSON.stringify;
const parse = JSON.parse;

function main(): void {
  const config = parse(process.argv[2]) as ChildConfig;
  const channel = new Socket({ fd: 3, readable: true, writable: true });
  const write = channel.write.bind(channel);
  const send = (m: FromChild): void => {
    let line: string;
    try {
      line = 'ok' in m ? `{"id":${m.id},"ok":${encodeWire(m.ok)}}` : stringify(m);
    } catch (e) {
      const id = (m as { id?: number }).id ?? -1;
      line = stringify({ id, err: { message: `the answer cannot be sent back: ${(e as Error).message}` } });
    }
    write(`${line}\n`);
  };

  // @dl, pinned: seeds and the backend are set before student code can change them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dlTensor = require('@dl/tensor') as typeof import('@dl/tensor');
  dlTensor.manualSeed(config.seed);
  pinBareImports([config.workDir], config.trusted);

  const loaded = new Map<string, Record<string, unknown>>();
  const lookup = (name: string): unknown => {
    const seen: string[] = [];
    for (const rel of config.modules) {
      let mod = loaded.get(rel);
      if (!mod) {
        const file = join(config.workDir, rel);
        try {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          mod = require(file) as Record<string, unknown>;
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          throw new StudentCodeError(`loading ${rel.replace(/\.js$/, '.ts')} failed: ${msg}`);
        }
        loaded.set(rel, mod);
      }
      if (Object.prototype.hasOwnProperty.call(mod, name)) return mod[name];
      seen.push(...Object.keys(mod));
    }
    const files = config.modules.map((m) => m.replace(/\.js$/, '.ts')).join(', ');
    throw new StudentCodeError(`'${name}' is not exported by ${files} (exports: ${seen.join(', ') || 'none'})`);
  };

  let buffer = '';
  let queue = Promise.resolve();
  channel.setEncoding('utf8');
  channel.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const msg = parse(line) as ToChild;
      const req = reviveValue(msg.req) as unknown as ToChild['req'];
      queue = queue.then(async () => {
        try {
          send({ id: msg.id, ok: await handleRequest(req, lookup) });
        } catch (e) {
          const err = e instanceof Error ? { message: e.message, name: e.name } : { message: `threw a non-Error value: ${safeString(e)}`, name: 'NonError' };
          send({ id: msg.id, err });
        }
      });
    }
  });
  channel.on('end', () => process.exit(0));
  send({ ready: true });
}

function safeString(v: unknown): string {
  try {
    const s = typeof v === 'string' ? v : stringify(v) ?? String(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

main();
