/**
 * @dl/optim: optimizers, gradient clipping and learning-rate schedulers over @dl/autograd.
 */
export {};
