/**
 * The messages between the grader and the process running student code, one JSON text per line
 * on file descriptor 3 (a socket pair; stdout and stderr stay the student's own).
 *
 * grader -> child: `{ "id": 1, "req": { "op": "call", "name": "AND", "args": [1, 0] } }`
 * child -> grader: `{ "id": 1, "ok": 0 }` or `{ "id": 1, "err": { "message": "..." } }`;
 * first of all `{ "ready": true }` once the runtime is set up (before student code loads).
 */
import type { Request } from './callee';
import type { Value } from './values';

export interface ChildConfig {
  /** Folder with the compiled student files (the child's working directory). */
  readonly workDir: string;
  /** Files of the current task, relative to workDir, compiled to .js. */
  readonly modules: readonly string[];
  /** Where bare imports resolve from (the grader's own install). */
  readonly trusted: readonly string[];
  readonly seed: number;
}

export interface ToChild {
  readonly id: number;
  readonly req: Request;
}

export type FromChild =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: Value }
  | { readonly id: number; readonly err: { readonly message: string; readonly name?: string } };

/** Largest message the grader accepts from the child, and the total per task (bytes). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
