/**
 * Grad mode: whether ops record the computational graph. On by default; `noGrad(fn)` turns it off
 * while `fn` runs (evaluation, optimizer updates), `enableGrad(fn)` turns it back on inside.
 *
 * ```ts
 * const y = noGrad(() => model.forward(x)); // y has no creator and needs no graph memory
 * ```
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with grad mode set to `mode`, restoring the previous mode afterwards (even on throw). */
export function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` without recording the graph (like `with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with graph recording on, even inside `noGrad` (like `with torch.enable_grad():`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
