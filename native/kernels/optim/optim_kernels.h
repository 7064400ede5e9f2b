// Per-ISA optimiser-step and sum-of-squares kernels: single-threaded, over one contiguous range
// of one parameter. The dispatcher (optim_dispatch.cc) picks the ISA per call, turns the
// hyper-parameters into the float coefficients below once, and splits the work over the pool.
#pragma once
#include <cstddef>

#include "dendrite/optim.h"

namespace dendrite {

// Everything the inner loops need, computed once per call (bias corrections included).
struct OptimCoeffs {
  float lr;
  float beta1, one_minus_beta1, beta2, one_minus_beta2, eps;
  float adam_step;          // lr / (1 − beta1^step)
  float adam_inv_sqrt_bc2;  // 1 / √(1 − beta2^step)
  float momentum, one_minus_dampening;
  float rho, one_minus_rho;
  float l2;     // added as l2·p to the gradient (0 when decoupled)
  float decay;  // p is multiplied by this first (1 − lr·weightDecay when decoupled, else 1)
  float grad_scale, clip;
  bool use_l2, has_momentum, nesterov, first_step, amsgrad, centered;
};

// s holds the rule's state slots for this range (see optim_state_slots).
#define DENDRITE_DECLARE_OPTIM_KERNELS                                                          \
  void optim_range(OptimRule rule, const OptimCoeffs& c, float* p, const float* g,              \
                   float* const* s, std::size_t n);                                             \
  double sum_squares_range(const float* x, std::size_t n);

namespace scalar { DENDRITE_DECLARE_OPTIM_KERNELS }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { DENDRITE_DECLARE_OPTIM_KERNELS }
namespace avx512 { DENDRITE_DECLARE_OPTIM_KERNELS }
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
namespace neon { DENDRITE_DECLARE_OPTIM_KERNELS }
#endif
}  // namespace dendrite

#undef DENDRITE_DECLARE_OPTIM_KERNELS
