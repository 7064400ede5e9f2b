// Optimiser steps over many parameters in one call, and the sum of squares that global-norm
// gradient clipping needs. The rules are those of OptimizerHyper in src/backend/backend.ts.
#pragma once
#include <cstddef>

namespace dendrite {

// The numbering is shared with TypeScript (src/backend/backend.ts, OPTIMIZER_RULES).
enum class OptimRule : int { Sgd = 0, Adam = 1, Rmsprop = 2, Adagrad = 3 };
constexpr int kOptimRuleCount = 4;

// Positions in the addon's hyper-parameter Float64Array (optimizerStep's last argument).
// Booleans are 0 or 1; every value is finite except clip_value, which may be +Infinity.
enum OptimHyperIndex : int {
  kHyperLr = 0,
  kHyperBeta1 = 1,
  kHyperBeta2 = 2,
  kHyperEps = 3,
  kHyperMomentum = 4,
  kHyperDampening = 5,
  kHyperRho = 6,
  kHyperWeightDecay = 7,
  kHyperDecoupled = 8,
  kHyperNesterov = 9,
  kHyperAmsgrad = 10,
  kHyperCentered = 11,
  kHyperStep = 12,
  kHyperGradScale = 13,
  kHyperClipValue = 14,
  kHyperCount = 15,
};

struct OptimHyper {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, momentum = 0, dampening = 0, rho = 0;
  double weight_decay = 0;
  bool decoupled = false, nesterov = false, amsgrad = false, centered = false;
  double step = 1;  // 1-based
  double grad_scale = 1, clip_value = 0;
};

constexpr int kOptimMaxSlots = 3;

// State slots the rule uses with these options, in order:
//   sgd: [buf] when momentum ≠ 0, else none;  adam: [m, v] (+ [vMax] with amsgrad);
//   rmsprop: [sq] (+ [mom] when momentum ≠ 0) (+ [avg] when centered);  adagrad: [sum].
int optim_state_slots(OptimRule rule, const OptimHyper& h);

// One parameter: `length` elements of param, grad and each used state slot.
struct OptimParam {
  float* param;
  const float* grad;
  float* state[kOptimMaxSlots];
  std::size_t length;
};

// Updates every parameter in place. Arrays must not overlap, except that grads may share memory
// with each other (they are only read). The work over all parameters together is split over the
// thread pool, so many small tensors and a few large ones both use every thread.
void optimizer_step(OptimRule rule, const OptimHyper& h, const OptimParam* params,
                    std::size_t count);

// Σ x² over every array, accumulated in double. The grouping of the sum depends only on the
// arrays (fixed-size chunks added in order), not on the number of threads.
double sum_of_squares(const float* const* arrays, const std::size_t* lengths, std::size_t count);

}  // namespace dendrite
