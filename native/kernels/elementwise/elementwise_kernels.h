// The per-ISA building blocks of the elementwise family. The dispatcher
// (elementwise_dispatch.cc) collapses shapes, splits work over threads and calls these on
// contiguous runs; each ISA namespace (scalar, avx2, avx512, neon) defines the same set.
// Plain declarations: no intrinsics here, so any file may include this header.
#pragma once
#include <cstddef>
#include <cstdint>

#include "dendrite/elementwise.h"

namespace dendrite {
namespace elementwise {

// Widest column tile reduce_cols / arg_reduce_cols accept (their accumulators live on the stack).
constexpr std::size_t kMaxTile = 1024;

struct Kernels {
  // out[i] = a[i·sa] op b[i·sb] for i < n, with sa, sb in {0, 1}. out may equal a or b.
  void (*binary_row)(BinaryOp op, const float* a, std::size_t sa, const float* b,
                     std::size_t sb, float* out, std::size_t n);
  // y = op(x) over n elements; x and y may be the same array.
  void (*unary)(UnaryOp op, const float* x, float* y, std::size_t n, float p0, float p1);
  // Σ x over a contiguous run, blocked (float vector partials flushed to double).
  double (*sum_run)(const float* x, std::size_t n);
  // Σ (x − mean)² over a contiguous run, blocked likewise.
  double (*sqdev_run)(const float* x, std::size_t n, float mean);
  // Max (is_max) or min of a run, NaN-propagating; n == 0 gives −Inf / +Inf.
  float (*extreme_run)(bool is_max, const float* x, std::size_t n);
  // First i < n with x[i] == v or x[i] NaN; n when there is none.
  std::size_t (*find_run)(const float* x, std::size_t n, float v);
  // Reduces `len` rows of `cols` (<= kMaxTile) contiguous floats, row r at x + r·stride, into
  // out[0..cols). Sum/variance accumulate in float blocks flushed to double.
  void (*reduce_cols)(ReduceOp op, const float* x, std::size_t len, std::size_t stride,
                      std::size_t cols, float* out, float correction);
  // Same layout; out[c] = first row index of the max (min) of column c (len >= 1).
  void (*arg_reduce_cols)(bool is_max, const float* x, std::size_t len, std::size_t stride,
                          std::size_t cols, std::int32_t* out);
};

}  // namespace elementwise

#define DENDRITE_ELEMENTWISE_DECLARE(ns)                                                      \
  namespace ns {                                                                              \
  void elem_binary_row(BinaryOp op, const float* a, std::size_t sa, const float* b,           \
                       std::size_t sb, float* out, std::size_t n);                            \
  void elem_unary(UnaryOp op, const float* x, float* y, std::size_t n, float p0, float p1);   \
  double elem_sum_run(const float* x, std::size_t n);                                         \
  double elem_sqdev_run(const float* x, std::size_t n, float mean);                           \
  float elem_extreme_run(bool is_max, const float* x, std::size_t n);                         \
  std::size_t elem_find_run(const float* x, std::size_t n, float v);                          \
  void elem_reduce_cols(ReduceOp op, const float* x, std::size_t len, std::size_t stride,     \
                        std::size_t cols, float* out, float correction);                      \
  void elem_arg_reduce_cols(bool is_max, const float* x, std::size_t len, std::size_t stride, \
                            std::size_t cols, std::int32_t* out);                             \
  }

DENDRITE_ELEMENTWISE_DECLARE(scalar)
#if defined(__x86_64__) || defined(_M_X64)
DENDRITE_ELEMENTWISE_DECLARE(avx2)
DENDRITE_ELEMENTWISE_DECLARE(avx512)
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
DENDRITE_ELEMENTWISE_DECLARE(neon)
#endif

// Defines the functions above in the current ISA namespace from the templates of
// elementwise_simd.h instantiated with the SIMD traits S.
#define DENDRITE_ELEMENTWISE_DEFINE(S)                                                        \
  void elem_binary_row(BinaryOp op, const float* a, std::size_t sa, const float* b,           \
                       std::size_t sb, float* out, std::size_t n) {                           \
    elementwise_simd::binary_row<S>(op, a, sa, b, sb, out, n);                                \
  }                                                                                           \
  void elem_unary(UnaryOp op, const float* x, float* y, std::size_t n, float p0, float p1) {  \
    elementwise_simd::unary<S>(op, x, y, n, p0, p1);                                          \
  }                                                                                           \
  double elem_sum_run(const float* x, std::size_t n) {                                        \
    return elementwise_simd::sum_run<S>(x, n);                                                \
  }                                                                                           \
  double elem_sqdev_run(const float* x, std::size_t n, float mean) {                          \
    return elementwise_simd::sqdev_run<S>(x, n, mean);                                        \
  }                                                                                           \
  float elem_extreme_run(bool is_max, const float* x, std::size_t n) {                        \
    return is_max ? elementwise_simd::extreme_run<S, true>(x, n)                              \
                  : elementwise_simd::extreme_run<S, false>(x, n);                            \
  }                                                                                           \
  std::size_t elem_find_run(const float* x, std::size_t n, float v) {                         \
    return elementwise_simd::find_run<S>(x, n, v);                                            \
  }                                                                                           \
  void elem_reduce_cols(ReduceOp op, const float* x, std::size_t len, std::size_t stride,     \
                        std::size_t cols, float* out, float correction) {                     \
    elementwise_simd::reduce_cols<S>(op, x, len, stride, cols, out, correction);              \
  }                                                                                           \
  void elem_arg_reduce_cols(bool is_max, const float* x, std::size_t len, std::size_t stride, \
                            std::size_t cols, std::int32_t* out) {                            \
    elementwise_simd::arg_reduce_cols<S>(is_max, x, len, stride, cols, out);                  \
  }

}  // namespace dendrite
