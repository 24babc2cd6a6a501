/**
 * The functional forms of the layers, PyTorch's `torch.nn.functional`:
 *
 * ```ts
 * import { functional as F } from '@dl/layers';
 * const h = F.gelu(x);                 // or F.relu, F.leakyRelu(x, 0.2), F.sigmoid, F.tanh, F.step
 * const p = F.softmax(logits, -1);     // F.logSoftmax(logits, -1)
 * const d = F.dropout(h, 0.1, model.training);
 * const n = F.layerNorm(h, [64], w, b);
 * const p = F.pad(x, [1, 1, 1, 1], { mode: 'reflect' }); // also 'replicate', 'circular', 'constant'
 * ```
 */
export { erf, gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, step, tanh, type GeluApproximate } from './activation';
export { dropout } from './dropout';
export { layerNorm } from './normalization';
export { scaledDotProductAttention } from './attention';
export { pad, type PadMode, type PadOptions } from '@dl/autograd';
