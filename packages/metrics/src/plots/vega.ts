/**
 * Server-side rendering of Vega-Lite specs to SVG text: Vega-Lite compiles the spec to Vega, and a
 * headless Vega View (`renderer: 'none'`: no canvas, no DOM, no network; text is measured with
 * Vega's built-in estimate and drawn in the default sans-serif font) writes the SVG.
 */
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { DLError } from '@dl/tensor';

/**
 * Renders a Vega-Lite spec (inline data only) to an SVG document string.
 *
 * Vega numbers the ids it defines (`clip1`, `gradient_0`, ...) per process, so two charts inlined in
 * one HTML page could clash; every id and reference to it is prefixed with `idPrefix`.
 */
export async function renderVegaLiteSVG(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  checkIdPrefix('renderVegaLiteSVG', idPrefix);
  // Loaded on first use: together they take ~0.2 s to load, which metric-only users need not pay.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  let view: View;
  try {
    view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  } catch (err) {
    throw new DLError(`renderVegaLiteSVG: Vega-Lite could not compile the chart: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/** Prefixes `id="x"`, `url(#x)` and `href="#x"` in SVG text with `prefix`. */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
}

/** Validates an `idPrefix` option: a letter, then letters, digits, `_` or `-`. */
export function checkIdPrefix(op: string, prefix: unknown): void {
  if (typeof prefix !== 'string' || !/^[A-Za-z][\w-]*$/.test(prefix)) {
    throw new DLError(`${op}: idPrefix must start with a letter and hold only letters, digits, '_' and '-', got '${String(prefix)}'`);
  }
}
