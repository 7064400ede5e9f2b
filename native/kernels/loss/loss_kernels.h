// Per-ISA fused loss kernels: single-threaded over a range of rows. The dispatcher
// (loss_dispatch.cc) picks the ISA per call and splits rows over the pool.
#pragma once
#include <cstddef>
#include <cstdint>

#include "dendrite/loss.h"

#define DENDRITE_DECLARE_LOSS_KERNELS                                                           \
  void softmax_xent_rows(const float* logits, std::size_t rows, std::size_t cols,               \
                         const std::int32_t* labels, const float* target, float* loss,          \
                         float* grad);

namespace dendrite {
namespace scalar { DENDRITE_DECLARE_LOSS_KERNELS }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { DENDRITE_DECLARE_LOSS_KERNELS }
namespace avx512 { DENDRITE_DECLARE_LOSS_KERNELS }
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
namespace neon { DENDRITE_DECLARE_LOSS_KERNELS }
#endif
}  // namespace dendrite

#undef DENDRITE_DECLARE_LOSS_KERNELS
