// Per-ISA activation and softmax kernels: single-threaded, over one contiguous range. The
// dispatcher (activation_dispatch.cc) picks the ISA per call and splits work over the pool.
#pragma once
#include <cstddef>

#include "dendrite/activation.h"

// `stream`: write the output with non-temporal stores where the path has them (outputs much
// larger than the cache; the output must not alias an input).
#define DENDRITE_DECLARE_ACTIVATION_KERNELS                                                      \
  void activation_forward(Activation act, const float* x, float* y, std::size_t n, float alpha,  \
                          bool stream);                                                          \
  void activation_backward(Activation act, const float* x, const float* y, const float* dy,      \
                           float* dx, std::size_t n, float alpha, bool stream);                  \
  void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols, bool log,      \
                    bool stream);                                                                \
  void softmax_rows_backward(const float* y, const float* dy, float* dx, std::size_t rows,       \
                             std::size_t cols, bool log, bool stream);

namespace dendrite {
namespace scalar { DENDRITE_DECLARE_ACTIVATION_KERNELS }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { DENDRITE_DECLARE_ACTIVATION_KERNELS }
namespace avx512 { DENDRITE_DECLARE_ACTIVATION_KERNELS }
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
namespace neon { DENDRITE_DECLARE_ACTIVATION_KERNELS }
#endif
}  // namespace dendrite

#undef DENDRITE_DECLARE_ACTIVATION_KERNELS
