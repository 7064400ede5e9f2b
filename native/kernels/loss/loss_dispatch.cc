// Entry point of the loss family: the ISA chosen per call, rows split over the pool when the
// matrix is large (a training batch of 128×10 stays on the calling thread).
#include "dendrite/loss.h"
#include "dendrite/runtime.h"
#include "loss_kernels.h"

namespace dendrite {
namespace {

// Elements below which the rows stay on the calling thread (waking the pool costs more).
constexpr std::size_t kParallelMin = std::size_t(1) << 15;

using XentFn = void (*)(const float*, std::size_t, std::size_t, const std::int32_t*,
                        const float*, float*, float*);

XentFn kernel() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512:
      return avx512::softmax_xent_rows;
    case Isa::Avx2:
      return avx2::softmax_xent_rows;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon:
      return neon::softmax_xent_rows;
#endif
    default:
      return scalar::softmax_xent_rows;
  }
}

}  // namespace

void softmax_cross_entropy(const float* logits, std::size_t rows, std::size_t cols,
                           const std::int32_t* labels, const float* target, float* loss,
                           float* grad) {
  if (rows == 0) return;
  const XentFn f = kernel();
  const std::size_t unit = cols > 0 ? cols : 1;
  if (runtime::num_threads() <= 1 || rows * unit < kParallelMin) {
    f(logits, rows, cols, labels, target, loss, grad);
    return;
  }
  // Rows per chunk so each holds at least half the threshold's elements.
  std::size_t min_rows = (kParallelMin / 2 + unit - 1) / unit;
  runtime::parallel_range(rows, min_rows, [&](std::size_t b, std::size_t e) {
    f(logits + b * cols, e - b, cols, labels ? labels + b : nullptr,
      target ? target + b * cols : nullptr, loss + b, grad ? grad + b * cols : nullptr);
  });
}

}  // namespace dendrite
