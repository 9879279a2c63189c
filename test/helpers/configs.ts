// Resolved model and loss blocks the native-path tests share: Nielsen's 784-30-10 sigmoid net with a mean MSE.
import type { RunConfig } from '../../src/config/schema';

/** A 784-30-10 sigmoid MLP with N(0, 1/fan_in) kernels and zero biases (resolved: every key filled in). */
export const SIGMOID_MLP_30: RunConfig['model'] = {
  hidden: [30],
  hiddenActivation: 'sigmoid',
  outputActivation: 'sigmoid',
  kernelInitializer: { name: 'normal-fan-in' },
  biasInitializer: { name: 'zeros' },
};

/** MSE averaged over the outputs, through autodiff. */
export const MSE_MEAN_LOSS: RunConfig['loss'] = { name: 'mse', outputs: 'mean', scale: 1, gradient: 'autodiff', labelSmoothing: 0 };
