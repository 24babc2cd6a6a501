/**
 * `dl predict --checkpoint PATH image.png ...`: the top classes of each image, with their softmax
 * probabilities. Images are decoded (PNG, or JPEG), converted to the model's input (gray or RGB,
 * [0, 1], inverted when dark ink on a light ground meets a light-on-dark model, and with
 * `--preprocess auto` cropped, scaled and centred as the checkpoint's dataset was made: MNIST's
 * 20-pixel box centred by mass in 28 x 28; see image.ts), and classified in one batch.
 *
 * ```text
 * $ dl predict --checkpoint runs/mnist-mlp/checkpoint.safetensors seven.png
 * seven.png: 7 (98.7%)  1 (0.6%)  9 (0.4%)
 * ```
 */
import { existsSync } from 'fs';
import { noGrad } from '@dl/autograd';
import { readImage } from '@dl/data';
import { cat } from '@dl/tensor';
import type { PredictArgs } from '../args';
import { loadCheckpoint } from '../checkpoint';
import { useBackend, type CliContext } from '../context';
import { CliError } from '../errors';
import { datasetFit, prepareImage, type DecodedImage } from '../image';
import { buildModel } from '../models';

export interface Prediction {
  file: string;
  inverted: boolean;
  /** The `top` most probable classes, most probable first. */
  top: { index: number; label: string; probability: number }[];
}

/** Decodes an image file, with a message naming the file when it cannot be read. */
export function decodeImageFile(path: string): DecodedImage {
  if (!existsSync(path)) throw new CliError(`image '${path}' does not exist`);
  try {
    return readImage(path);
  } catch (e) {
    const msg = (e as Error).message;
    throw new CliError(msg.includes(path) ? msg : `image '${path}': ${msg}`);
  }
}

/** The `k` largest entries of `p[offset .. offset + c)`, largest first (ties: lower index first). */
export function topK(p: ArrayLike<number>, offset: number, c: number, k: number): { index: number; probability: number }[] {
  const idx = Array.from({ length: c }, (_, i) => i);
  idx.sort((a, b) => p[offset + b] - p[offset + a] || a - b);
  return idx.slice(0, Math.min(k, c)).map((i) => ({ index: i, probability: p[offset + i] }));
}

export async function runPredict(a: PredictArgs, ctx: CliContext): Promise<number> {
  useBackend(a.backend);
  const ck = loadCheckpoint(a.checkpoint);
  const st = ck.state;
  const model = buildModel(st.settings.model, { inputShape: st.inputShape, numClasses: st.classes.length });
  try {
    model.loadStateDict(ck.modelState);
  } catch (e) {
    throw new CliError(`checkpoint '${a.checkpoint}' does not fit the ${st.settings.model} model: ${(e as Error).message}`);
  }
  model.eval();
  const fit = a.preprocess === 'auto' ? datasetFit(st.settings.dataset) : null;
  const prepared = a.images.map((file) => ({
    file,
    ...prepareImage(decodeImageFile(file), { shape: st.inputShape, invert: a.invert, lightOnDark: st.lightOnDark, fit }),
  }));
  const x = cat(prepared.map((p) => p.tensor), 0);
  const probs = noGrad(() => model.call(x).data.softmax(1).contiguous().toTypedArray());
  const c = st.classes.length;
  const results: Prediction[] = prepared.map((p, i) => ({
    file: p.file,
    inverted: p.inverted,
    top: topK(probs, i * c, c, a.top).map((t) => ({ ...t, label: st.classes[t.index] })),
  }));
  if (a.json) {
    ctx.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return 0;
  }
  for (const r of results) {
    const tops = r.top.map((t) => `${t.label} (${(100 * t.probability).toFixed(1)}%)`).join('  ');
    ctx.stdout.write(`${r.file}${r.inverted ? ' (inverted)' : ''}: ${tops}\n`);
  }
  return 0;
}
