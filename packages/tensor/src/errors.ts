/**
 * Typed errors. Every message names the op, the shapes involved and, where there is one, the fix,
 * e.g. `matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)`.
 */
export class DLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the op (broadcasting, matmul, reshape, cat, ...). */
export class ShapeError extends DLError {}

/** A dtype the op does not accept. */
export class DTypeError extends DLError {}

/** A dim or an index outside its range. */
export class IndexError extends DLError {}

/** Bad argument values (negative sizes, ragged arrays, steps of 0, ...). */
export class ValueError extends DLError {}

/**
 * A storage that cannot be allocated: more elements than a JavaScript typed array holds, or more
 * memory than the machine gives (PyTorch's "not enough memory" RuntimeError).
 */
export class AllocationError extends DLError {}

/** A backend was asked for that is not available (for example `native` without its build). */
export class BackendUnavailableError extends DLError {}

/** Formats a shape the way error messages print it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
