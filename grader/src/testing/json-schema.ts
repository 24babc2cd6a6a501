/**
 * A small JSON Schema (draft-07) validator for tests, covering the subset the grader's schemas use:
 * `type` (one name or a list), `required`, `properties`, `additionalProperties` (boolean),
 * `enum`, `items` (one schema), `minimum`, and `$ref` to `#/definitions/<name>`. Any other keyword
 * is an error, so a schema that outgrows this subset fails loudly instead of passing silently.
 * (No JSON Schema validator is installed in the workspace; this stays out of the build.)
 *
 * ```ts
 * validate(schema, { score: -1 }); // ['$.score: -1 is less than the minimum 0']
 * ```
 */
export type Schema = { readonly [k: string]: unknown };

const KNOWN = new Set([
  '$schema', '$id', 'title', 'description', 'definitions', '$ref',
  'type', 'required', 'properties', 'additionalProperties', 'enum', 'items', 'minimum',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  if (t === 'number') return actual === 'number' || actual === 'integer';
  return actual === t;
}

/** Every violation, as "<path>: <problem>"; empty when the value is valid. */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const walk = (schema: Schema, v: unknown, path: string): void => {
    for (const k of Object.keys(schema)) {
      if (!KNOWN.has(k)) throw new Error(`schema keyword '${k}' at ${path} is outside the supported subset`);
    }
    if (typeof schema.$ref === 'string') {
      const m = /^#\/definitions\/([^/]+)$/.exec(schema.$ref);
      const defs = root.definitions as Record<string, Schema> | undefined;
      if (!m || !defs || !defs[m[1]]) throw new Error(`unresolvable $ref '${schema.$ref}' at ${path}`);
      walk(defs[m[1]], v, path);
      return;
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => hasType(v, t))) {
        errors.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(v)}`);
        return;
      }
    }
    if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => e === v)) {
      errors.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (schema.minimum !== undefined && typeof v === 'number' && v < (schema.minimum as number)) {
      errors.push(`${path}: ${v} is less than the minimum ${String(schema.minimum)}`);
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of (schema.required as string[] | undefined) ?? []) {
        if (!(k in o)) errors.push(`${path}: missing required property '${k}'`);
      }
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, sub] of Object.entries(o)) {
        if (props[k]) walk(props[k], sub, `${path}.${k}`);
        else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property '${k}'`);
      }
    }
    if (Array.isArray(v) && schema.items !== undefined) {
      v.forEach((item, i) => walk(schema.items as Schema, item, `${path}[${i}]`));
    }
  };
  walk(root, value, '$');
  return errors;
}
