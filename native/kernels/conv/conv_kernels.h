// The per-ISA building blocks of the conv family, single-threaded: im2col / col2im over a run of
// output pixels, column sums (bias gradients) and the pooling loops. The dispatcher
// (conv_dispatch.cc) chunks the work, runs the GEMMs and spreads everything over the pool; each
// ISA namespace defines these from conv_impl.inc. Plain declarations: no intrinsics here.
#pragma once
#include <cstddef>
#include <cstdint>

#include "dendrite/conv.h"

// im2col: col[r·K + (i·k_w + j)·in_c + c] = x at output pixel p0 + r (flat over batch, out_h,
//   out_w), kernel tap (i, j), channel c, or 0 outside the input; K = k_h·k_w·in_c.
// col2im: the adjoint, dx += that scatter (dx is the whole input tensor).
// column_sums: acc[c] += Σ_r a[r·cols + c].
// max_pool_rows / avg_pool_rows: output rows [r0, r1) of y, a row being (n, oh) flat.
// max_pool_backward / avg_pool_backward: images [n0, n1) of dx, overwritten.
#define DENDRITE_DECLARE_CONV_KERNELS                                                             \
  void im2col(const Conv2dGeometry& g, const float* x, std::size_t p0, std::size_t rows,          \
              float* col);                                                                        \
  void col2im(const Conv2dGeometry& g, const float* col, std::size_t p0, std::size_t rows,        \
              float* dx);                                                                         \
  void column_sums(const float* a, std::size_t rows, std::size_t cols, float* acc);               \
  void max_pool_rows(const Pool2dGeometry& g, const float* x, float* y, std::int32_t* argmax,      \
                     std::size_t r0, std::size_t r1);                                             \
  void avg_pool_rows(const Pool2dGeometry& g, const float* x, float* y, std::size_t r0,           \
                     std::size_t r1);                                                             \
  void max_pool_backward(const Pool2dGeometry& g, const float* dy, const std::int32_t* argmax,    \
                         float* dx, std::size_t n0, std::size_t n1);                              \
  void avg_pool_backward(const Pool2dGeometry& g, const float* dy, float* dx, std::size_t n0,     \
                         std::size_t n1);

namespace dendrite {
namespace scalar { DENDRITE_DECLARE_CONV_KERNELS }
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 { DENDRITE_DECLARE_CONV_KERNELS }
namespace avx512 { DENDRITE_DECLARE_CONV_KERNELS }
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
namespace neon { DENDRITE_DECLARE_CONV_KERNELS }
#endif
}  // namespace dendrite

#undef DENDRITE_DECLARE_CONV_KERNELS
