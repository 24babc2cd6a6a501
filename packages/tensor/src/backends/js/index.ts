/**
 * The `js` reference backend: every kernel of {@link Backend} in plain TypeScript. It is the code
 * to read to learn how an op works, and the ground truth other backends are tested against.
 */
import type { Backend } from '../../backend';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
import { assign, binary, cast, unary, where } from './elementwise';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing';
import { matmul } from './matmul';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool';
import { argReduce, cumsum, logSoftmax, reduce, softmax } from './reduce';
import { col2im, im2col } from './unfold';

export const jsBackend: Backend = {
  name: 'js',
  cast,
  assign,
  unary,
  binary,
  where,
  reduce,
  argReduce,
  cumsum,
  softmax,
  logSoftmax,
  matmul,
  gather,
  scatterAdd,
  indexSelect,
  indexAdd,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  im2col,
  col2im,
};
