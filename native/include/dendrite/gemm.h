// Single-precision matrix products.
#pragma once
#include <cstddef>

#include "dendrite/activation.h"

namespace dendrite {

// C = alpha·op(A)·op(B) + beta·C, row-major. op(A) is m×k, op(B) is k×n, C is m×n.
// A is stored m×k (k×m if trans_a) with row stride lda; likewise B (k×n, or n×k if trans_b) and C.
// beta == 0 means C is write-only (NaN in C does not propagate). Any of m, n, k may be 0.
// Multi-threaded over the pool for large products.
void sgemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc);

// `batch` independent products of the same shape; matrix i starts at a + i·stride_a (likewise
// b, c), dense within. A stride of 0 broadcasts one operand across the batch (stride_c never 0
// unless batch <= 1).
void sgemm_batched(std::size_t batch, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                   std::size_t k, float alpha, const float* a, std::size_t stride_a, const float* b,
                   std::size_t stride_b, float beta, float* c, std::size_t stride_c);

// C = act(op(A)·op(B) + bias) with dense row-major operands; bias has n elements or is null.
// The epilogue runs on each tile while it is in cache (the dense layer's forward pass).
void sgemm_bias_act(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                    const float* a, const float* b, const float* bias, Activation act,
                    float act_alpha, float* c);

// The register tile and cache blocking of the active path's blocked product: an mr×nr tile,
// k in blocks of kc, B in panels of nc columns, and packed A (when A is packed) in blocks of
// mc×kc floats, all sized from the CPU's caches.
struct GemmBlocking {
  std::size_t mr, nr, kc, nc, mc;
};
GemmBlocking gemm_blocking();

}  // namespace dendrite
