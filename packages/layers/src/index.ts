/**
 * @dl/layers: neural-network modules over @dl/autograd, with PyTorch's names, defaults, shapes and
 * initialisation.
 *
 * ```ts
 * import { Sequential, Linear, ReLU, functional as F } from '@dl/layers';
 * const model = new Sequential(new Linear(784, 300), new ReLU(), new Linear(300, 10));
 * const logits = model.call(x); // x: [N, 784] -> [N, 10]
 * const p = F.softmax(logits, -1);
 * ```
 */
export {
  Module,
  asVariable,
  type ForwardHook,
  type ForwardPreHook,
  type HookHandle,
  type Input,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type StateDict,
} from './module';
export { ModuleDict, ModuleList, Sequential } from './containers';
export * as init from './init';

// basic layers
export { Flatten, Identity, Linear, Unflatten, type LinearOptions } from './linear';
export { Conv2d, type Conv2dOptions, type Pair, type PaddingMode } from './conv';
export {
  AdaptiveAvgPool2d,
  AvgPool2d,
  MaxPool2d,
  type AdaptiveSize,
  type AvgPool2dOptions,
  type MaxPool2dOptions,
  type MaxPool2dOutput,
} from './pooling';
export { Dropout, type DropoutOptions } from './dropout';
export {
  BatchNorm1d,
  BatchNorm2d,
  BatchNormBase,
  LayerNorm,
  BatchNormTrain,
  NormalizeAffine,
  type BatchNormOptions,
  type LayerNormOptions,
} from './normalization';
export { Embedding, type EmbeddingOptions } from './embedding';
export { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh, type GeluApproximate } from './activation';
export * as functional from './functional';
export { summary, type SummaryOptions } from './summary';

// recurrent and attention layers
export { GRUCell, LSTMCell, RNNCell, RNNCellBase, type LSTMState, type RNNCellOptions, type RNNNonlinearity, type RecurrentBaseOptions } from './rnn-cells';
export { GRU, LSTM, RNN, RNNBase, type LSTMOptions, type LSTMOutput, type RNNOptions, type RNNOutput, type RecurrentOptions } from './recurrent';
export {
  MultiheadAttention, causalMask, generateSquareSubsequentMask, scaledDotProductAttention,
  type AttentionResult, type MultiheadAttentionForwardOptions, type MultiheadAttentionOptions,
  type MultiheadAttentionOutput, type ScaledDotProductAttentionOptions,
} from './attention';
export {
  TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, cloneModule,
  type DecoderLayerModule, type EncoderLayerModule, type TransformerActivation, type TransformerDecoderForwardOptions,
  type TransformerDecoderLayerForwardOptions, type TransformerEncoderForwardOptions,
  type TransformerEncoderLayerForwardOptions, type TransformerLayerOptions, type TransformerStackOptions,
} from './transformer';
export {
  LearnedPositionalEncoding, RotaryPositionalEmbedding, SinusoidalPositionalEncoding, sinusoidalTable,
  type AddedPositionalOptions, type PositionOffset, type RotaryOptions,
} from './positional';

// saving and loading
export {
  CHECKSUM_KEY,
  SAFETENSORS_DTYPES,
  SafetensorsChecksumError,
  SafetensorsError,
  deserialize,
  deserializeWithMetadata,
  load,
  loadWithMetadata,
  save,
  serialize,
  type LoadedSafetensors,
  type SaveOptions,
  type SaveableStateDict,
} from './serialization';
export { nodeAtomicFs, processAlive, removeStaleTemps, syncDirectory, tempPrefix, writeFileAtomic, type AtomicFs } from './atomic';
