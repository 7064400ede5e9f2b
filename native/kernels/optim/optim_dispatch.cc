// Entry points of the optimiser family: coefficients computed once per call, the ISA chosen per
// call (tests switch it at run time), and the elements of all parameters together split over
// the thread pool.
#include <algorithm>
#include <cmath>
#include <vector>

#include "dendrite/optim.h"
#include "dendrite/runtime.h"
#include "optim_kernels.h"

namespace dendrite {
namespace {

// Elements (over all parameters) below which a step stays on the calling thread: Adam moves 28
// bytes per element, so this is about 1 MB of traffic, tens of microseconds.
constexpr std::size_t kParallelMin = std::size_t(1) << 15;
// Tasks start on multiples of this many elements (256 bytes into the concatenation), and the
// work is cut into up to kTasksPerThread tasks per thread of at least kTaskMin elements: the pool
// hands tasks out one by one, so a thread that starts late takes fewer of them (see
// activation_dispatch.cc for the measurement behind this).
constexpr std::size_t kBlock = 64;
constexpr std::size_t kTasksPerThread = 4;
constexpr std::size_t kTaskMin = std::size_t(1) << 14;
// sum_of_squares adds fixed chunks of this many elements in order, so its result does not
// depend on the thread count.
constexpr std::size_t kSumChunk = std::size_t(1) << 16;

using RangeFn = void (*)(OptimRule, const OptimCoeffs&, float*, const float*, float* const*,
                         std::size_t);
using SumFn = double (*)(const float*, std::size_t);

struct Kernels {
  RangeFn step;
  SumFn sum_squares;
};

Kernels kernels() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512:
      return {avx512::optim_range, avx512::sum_squares_range};
    case Isa::Avx2:
      return {avx2::optim_range, avx2::sum_squares_range};
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon:
      return {neon::optim_range, neon::sum_squares_range};
#endif
    default:
      return {scalar::optim_range, scalar::sum_squares_range};
  }
}

OptimCoeffs coefficients(OptimRule rule, const OptimHyper& h) {
  OptimCoeffs c{};
  c.lr = static_cast<float>(h.lr);
  c.beta1 = static_cast<float>(h.beta1);
  c.one_minus_beta1 = static_cast<float>(1.0 - h.beta1);
  c.beta2 = static_cast<float>(h.beta2);
  c.one_minus_beta2 = static_cast<float>(1.0 - h.beta2);
  c.eps = static_cast<float>(h.eps);
  if (rule == OptimRule::Adam) {
    // Bias corrections once per call, in double (beta^step for large steps underflows to 0,
    // which is the right limit).
    const double bc1 = 1.0 - std::pow(h.beta1, h.step);
    const double bc2 = 1.0 - std::pow(h.beta2, h.step);
    c.adam_step = static_cast<float>(h.lr / bc1);
    c.adam_inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  }
  c.momentum = static_cast<float>(h.momentum);
  c.one_minus_dampening = static_cast<float>(1.0 - h.dampening);
  c.rho = static_cast<float>(h.rho);
  c.one_minus_rho = static_cast<float>(1.0 - h.rho);
  c.use_l2 = !h.decoupled && h.weight_decay != 0.0;
  c.l2 = c.use_l2 ? static_cast<float>(h.weight_decay) : 0.0f;
  c.decay = h.decoupled ? static_cast<float>(1.0 - h.lr * h.weight_decay) : 1.0f;
  c.grad_scale = static_cast<float>(h.grad_scale);
  c.clip = static_cast<float>(h.clip_value);  // +Inf (or a huge double) clips nothing
  c.has_momentum = h.momentum != 0.0;
  c.nesterov = h.nesterov;
  c.first_step = h.step == 1.0;
  c.amsgrad = h.amsgrad;
  c.centered = h.centered;
  return c;
}

// Runs one parameter's sub-range [b, e).
inline void run_param(RangeFn f, OptimRule rule, const OptimCoeffs& c, const OptimParam& q,
                      int slots, std::size_t b, std::size_t e) {
  float* s[kOptimMaxSlots] = {};
  for (int k = 0; k < slots; ++k) s[k] = q.state[k] + b;
  f(rule, c, q.param + b, q.grad + b, s, e - b);
}

}  // namespace

int optim_state_slots(OptimRule rule, const OptimHyper& h) {
  switch (rule) {
    case OptimRule::Sgd:
      return h.momentum != 0.0 ? 1 : 0;
    case OptimRule::Adam:
      return h.amsgrad ? 3 : 2;
    case OptimRule::Rmsprop:
      return 1 + (h.momentum != 0.0 ? 1 : 0) + (h.centered ? 1 : 0);
    case OptimRule::Adagrad:
      return 1;
  }
  return 0;
}

void optimizer_step(OptimRule rule, const OptimHyper& h, const OptimParam* params,
                    std::size_t count) {
  const OptimCoeffs c = coefficients(rule, h);
  const int slots = optim_state_slots(rule, h);
  const RangeFn f = kernels().step;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) total += params[i].length;
  const std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  std::size_t tasks = std::min(total / kTaskMin, threads * kTasksPerThread);
  if (threads <= 1 || total < kParallelMin || tasks < 2) {
    for (std::size_t i = 0; i < count; ++i) {
      run_param(f, rule, c, params[i], slots, 0, params[i].length);
    }
    return;
  }
  // The parameters laid end to end: start[i] is parameter i's first element in the
  // concatenation. Each task maps its range back to (parameter, offset) pieces.
  std::vector<std::size_t> start(count + 1);
  for (std::size_t i = 0; i < count; ++i) start[i + 1] = start[i] + params[i].length;
  const std::size_t blocks = (total + kBlock - 1) / kBlock;
  tasks = std::min(tasks, blocks);
  const std::size_t per = (blocks + tasks - 1) / tasks * kBlock;
  runtime::parallel_for(tasks, [&](std::size_t t) {
    std::size_t b = t * per;
    const std::size_t e = std::min(b + per, total);
    if (b >= e) return;
    // The last parameter starting at or before b (zero-length ones are skipped below).
    std::size_t i = static_cast<std::size_t>(
        std::upper_bound(start.begin(), start.end(), b) - start.begin() - 1);
    while (b < e && i < count) {
      const std::size_t end = std::min(e, start[i + 1]);
      if (b < end) {
        run_param(f, rule, c, params[i], slots, b - start[i], end - start[i]);
        b = end;
      }
      ++i;
    }
  });
}

double sum_of_squares(const float* const* arrays, const std::size_t* lengths, std::size_t count) {
  const SumFn f = kernels().sum_squares;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) total += lengths[i];
  if (total == 0) return 0.0;
  std::vector<std::size_t> start(count + 1);
  for (std::size_t i = 0; i < count; ++i) start[i + 1] = start[i] + lengths[i];
  const std::size_t chunks = (total + kSumChunk - 1) / kSumChunk;
  std::vector<double> partial(chunks, 0.0);
  auto chunk = [&](std::size_t t) {
    std::size_t b = t * kSumChunk;
    const std::size_t e = std::min(b + kSumChunk, total);
    std::size_t i = static_cast<std::size_t>(
        std::upper_bound(start.begin(), start.end(), b) - start.begin() - 1);
    double s = 0.0;
    while (b < e && i < count) {
      const std::size_t end = std::min(e, start[i + 1]);
      if (b < end) {
        s += f(arrays[i] + (b - start[i]), end - b);
        b = end;
      }
      ++i;
    }
    partial[t] = s;
  };
  if (runtime::num_threads() > 1 && total >= kParallelMin) {
    runtime::parallel_for(chunks, chunk);
  } else {
    for (std::size_t t = 0; t < chunks; ++t) chunk(t);
  }
  double sum = 0.0;
  for (double p : partial) sum += p;
  return sum;
}

}  // namespace dendrite
