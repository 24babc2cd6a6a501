/**
 * Output sizes of sliding-window ops (convolution, pooling, im2col), shared by the Tensor layer and
 * every backend.
 *
 * conv / unfold: `out = floor((in + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1`.
 * pooling with `ceilMode` rounds up instead, but the last window must start inside the input or
 * its left padding (PyTorch's rule), so one window fewer may result.
 */
export function convOutputSize(inSize: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((inSize + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

export function poolOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = inSize + 2 * padding - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + padding) out--;
  return out;
}
