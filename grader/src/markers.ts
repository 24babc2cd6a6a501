/**
 * Solution markers. The reference solution is the one source: what students write sits between
 *
 * ```ts
 *   // BEGIN SOLUTION and
 *   return x1 * 1 + x2 * 1 - 1.5 > 0 ? 1 : 0;
 *   // END SOLUTION
 * ```
 *
 * and the student copy gets, in its place, `throw new Error('not implemented yet: task and ...')`
 * (same indentation), or the code of a `// STUB: <code>` line written inside the block.
 */
export class MarkerError extends Error {
  override name = 'MarkerError';
}

export interface StripResult {
  /** The student copy. */
  readonly text: string;
  /** Task ids whose solution blocks this file holds, in order of first appearance. */
  readonly tasks: readonly string[];
}

const BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\b\s*(.*)$/;
const END = /^\s*\/\/\s*END SOLUTION\b/;
const STUB = /^\s*\/\/\s*STUB:\s?(.*)$/;

/** Default stub: a clear error in both languages naming the task. */
export function defaultStub(task: string): string {
  return `throw new Error('not implemented yet: task ${task} (未実装: 課題 ${task})');`;
}

/**
 * Replaces each solution block. `file` names the file in errors; `knownTasks` (when given) makes
 * an unknown task id an error.
 */
export function stripSolutions(source: string, file: string, knownTasks?: ReadonlySet<string>): StripResult {
  const lines = source.split('\n');
  const out: string[] = [];
  const tasks: string[] = [];
  let open: { task: string; indent: string; line: number; stub: string | null } | null = null;
  lines.forEach((line, i) => {
    const n = i + 1;
    const b = BEGIN.exec(line);
    if (b) {
      if (open) throw new MarkerError(`${file}:${n}: BEGIN SOLUTION inside the block opened at line ${open.line}; close it first with // END SOLUTION`);
      const task = b[2].trim();
      if (!/^[a-z0-9][a-z0-9-]*$/.test(task)) {
        throw new MarkerError(`${file}:${n}: BEGIN SOLUTION needs a task id, like '// BEGIN SOLUTION and'`);
      }
      if (knownTasks && !knownTasks.has(task)) {
        throw new MarkerError(`${file}:${n}: task '${task}' is not in assignment.json (tasks: ${[...knownTasks].join(', ')})`);
      }
      if (!tasks.includes(task)) tasks.push(task);
      open = { task, indent: b[1], line: n, stub: null };
      return;
    }
    if (END.test(line)) {
      if (!open) throw new MarkerError(`${file}:${n}: END SOLUTION without a BEGIN SOLUTION`);
      out.push(open.indent + (open.stub ?? defaultStub(open.task)));
      open = null;
      return;
    }
    if (open) {
      const s = STUB.exec(line);
      if (s) {
        if (open.stub !== null) throw new MarkerError(`${file}:${n}: a second // STUB: line in the block opened at line ${open.line}`);
        open.stub = s[1];
      }
      return;
    }
    if (STUB.test(line)) throw new MarkerError(`${file}:${n}: // STUB: outside a solution block`);
    out.push(line);
  });
  if (open) throw new MarkerError(`${file}: BEGIN SOLUTION at line ${(open as { line: number }).line} is never closed with // END SOLUTION`);
  return { text: out.join('\n'), tasks };
}

/** The reference as it runs: markers and STUB lines removed, solution code kept. */
export function keepSolutions(source: string): string {
  return source
    .split('\n')
    .filter((l) => !BEGIN.test(l) && !END.test(l) && !STUB.test(l))
    .join('\n');
}
