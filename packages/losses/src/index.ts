/**
 * @dl/losses: loss functions over @dl/autograd, as modules and as functions.
 */
export {};
