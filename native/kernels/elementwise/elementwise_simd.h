// The elementwise loops, written once over a SIMD traits type S and instantiated by each ISA
// file (elementwise_scalar.cc, _avx2.cc, _avx512.cc, _neon.cc) with its own S. No intrinsics
// here. Everything sits in an unnamed namespace so that each ISA's translation unit keeps its own
// copy: code compiled with AVX-512 flags can never be merged into the baseline path.
//
// S provides: V, W (lanes), load, store, load_tail(p, n, fill) / store_tail(p, v, n) for
// n < W lanes, set1, add, sub, mul, div, fmadd(a, b, c) = a·b + c, sqrt, abs, neg,
// max_np / min_np (numpy.maximum / minimum: NaN-propagating, `a` on ties), clamp (NaN stays),
// exp, log, and match_mask(x, v): bit i set when lane i of x equals v or is NaN.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "elementwise_kernels.h"

namespace dendrite {
namespace {
namespace elementwise_simd {

using elementwise::kMaxTile;

constexpr float kInf = std::numeric_limits<float>::infinity();

// Lane by lane through memory: for the ops with no vector form here (pow).
template <class S, class F>
inline typename S::V lanewise2(typename S::V a, typename S::V b, F f) {
  float x[S::W], y[S::W];
  S::store(x, a);
  S::store(y, b);
  for (std::size_t i = 0; i < S::W; ++i) x[i] = f(x[i], y[i]);
  return S::load(x);
}

// ---- binary ------------------------------------------------------------------------------

template <class S>
struct AddOp { static typename S::V f(typename S::V a, typename S::V b) { return S::add(a, b); } };
template <class S>
struct SubOp { static typename S::V f(typename S::V a, typename S::V b) { return S::sub(a, b); } };
template <class S>
struct MulOp { static typename S::V f(typename S::V a, typename S::V b) { return S::mul(a, b); } };
template <class S>
struct DivOp { static typename S::V f(typename S::V a, typename S::V b) { return S::div(a, b); } };
template <class S>
struct MaxOp { static typename S::V f(typename S::V a, typename S::V b) { return S::max_np(a, b); } };
template <class S>
struct MinOp { static typename S::V f(typename S::V a, typename S::V b) { return S::min_np(a, b); } };
template <class S>
struct PowOp {
  static typename S::V f(typename S::V a, typename S::V b) {
    return lanewise2<S>(a, b, [](float x, float y) { return std::pow(x, y); });
  }
};

// sa, sb in {0, 1}: 0 repeats the operand's first element over the run.
template <class S, class Op>
void binary_loop(const float* a, std::size_t sa, const float* b, std::size_t sb, float* out,
                 std::size_t n) {
  using V = typename S::V;
  constexpr std::size_t W = S::W;
  std::size_t i = 0;
  if (sa && sb) {
    for (; i + 2 * W <= n; i += 2 * W) {
      V r0 = Op::f(S::load(a + i), S::load(b + i));
      V r1 = Op::f(S::load(a + i + W), S::load(b + i + W));
      S::store(out + i, r0);
      S::store(out + i + W, r1);
    }
    for (; i + W <= n; i += W) S::store(out + i, Op::f(S::load(a + i), S::load(b + i)));
    if (i < n) {
      std::size_t r = n - i;
      S::store_tail(out + i, Op::f(S::load_tail(a + i, r, 1.0f), S::load_tail(b + i, r, 1.0f)), r);
    }
  } else if (sa) {
    const V vb = S::set1(b[0]);
    for (; i + 2 * W <= n; i += 2 * W) {
      V r0 = Op::f(S::load(a + i), vb);
      V r1 = Op::f(S::load(a + i + W), vb);
      S::store(out + i, r0);
      S::store(out + i + W, r1);
    }
    for (; i + W <= n; i += W) S::store(out + i, Op::f(S::load(a + i), vb));
    if (i < n) {
      std::size_t r = n - i;
      S::store_tail(out + i, Op::f(S::load_tail(a + i, r, 1.0f), vb), r);
    }
  } else if (sb) {
    const V va = S::set1(a[0]);
    for (; i + 2 * W <= n; i += 2 * W) {
      V r0 = Op::f(va, S::load(b + i));
      V r1 = Op::f(va, S::load(b + i + W));
      S::store(out + i, r0);
      S::store(out + i + W, r1);
    }
    for (; i + W <= n; i += W) S::store(out + i, Op::f(va, S::load(b + i)));
    if (i < n) {
      std::size_t r = n - i;
      S::store_tail(out + i, Op::f(va, S::load_tail(b + i, r, 1.0f)), r);
    }
  } else {
    const V v = Op::f(S::set1(a[0]), S::set1(b[0]));
    for (; i + W <= n; i += W) S::store(out + i, v);
    if (i < n) S::store_tail(out + i, v, n - i);
  }
}

template <class S>
void binary_row(BinaryOp op, const float* a, std::size_t sa, const float* b, std::size_t sb,
                float* out, std::size_t n) {
  switch (op) {
    case BinaryOp::Add: return binary_loop<S, AddOp<S>>(a, sa, b, sb, out, n);
    case BinaryOp::Sub: return binary_loop<S, SubOp<S>>(a, sa, b, sb, out, n);
    case BinaryOp::Mul: return binary_loop<S, MulOp<S>>(a, sa, b, sb, out, n);
    case BinaryOp::Div: return binary_loop<S, DivOp<S>>(a, sa, b, sb, out, n);
    case BinaryOp::Pow: return binary_loop<S, PowOp<S>>(a, sa, b, sb, out, n);
    case BinaryOp::Maximum: return binary_loop<S, MaxOp<S>>(a, sa, b, sb, out, n);
    case BinaryOp::Minimum: return binary_loop<S, MinOp<S>>(a, sa, b, sb, out, n);
  }
}

// ---- unary -------------------------------------------------------------------------------

template <class S, class F>
void unary_loop(const float* x, float* y, std::size_t n, F f) {
  constexpr std::size_t W = S::W;
  std::size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    typename S::V r0 = f(S::load(x + i));
    typename S::V r1 = f(S::load(x + i + W));
    S::store(y + i, r0);
    S::store(y + i + W, r1);
  }
  for (; i + W <= n; i += W) S::store(y + i, f(S::load(x + i)));
  if (i < n) S::store_tail(y + i, f(S::load_tail(x + i, n - i, 1.0f)), n - i);
}

template <class S>
void unary(UnaryOp op, const float* x, float* y, std::size_t n, float p0, float p1) {
  using V = typename S::V;
  switch (op) {
    case UnaryOp::Neg: return unary_loop<S>(x, y, n, [](V v) { return S::neg(v); });
    case UnaryOp::Abs: return unary_loop<S>(x, y, n, [](V v) { return S::abs(v); });
    case UnaryOp::Exp: return unary_loop<S>(x, y, n, [](V v) { return S::exp(v); });
    case UnaryOp::Log: return unary_loop<S>(x, y, n, [](V v) { return S::log(v); });
    case UnaryOp::Sqrt: return unary_loop<S>(x, y, n, [](V v) { return S::sqrt(v); });
    case UnaryOp::Square: return unary_loop<S>(x, y, n, [](V v) { return S::mul(v, v); });
    case UnaryOp::Reciprocal: {
      const V one = S::set1(1.0f);
      return unary_loop<S>(x, y, n, [one](V v) { return S::div(one, v); });
    }
    case UnaryOp::Clamp: {
      const V lo = S::set1(p0), hi = S::set1(p1);
      return unary_loop<S>(x, y, n, [lo, hi](V v) { return S::clamp(v, lo, hi); });
    }
  }
}

// ---- reductions of a contiguous run ------------------------------------------------------

template <class S>
inline double hsum_d(typename S::V v) {
  float t[S::W];
  S::store(t, v);
  double s = 0;
  for (std::size_t i = 0; i < S::W; ++i) s += t[i];
  return s;
}

// Four float accumulators over blocks of kBlockVectors·4 vectors, each block's total added to
// a double: the float partials never hold more than a few dozen terms, so a 4M-element sum
// stays within ~1e-6 relative of the exact one.
constexpr std::size_t kBlockVectors = 32;

template <class S, class F>
double blocked_sum(const float* x, std::size_t n, float fill, F term) {
  using V = typename S::V;
  constexpr std::size_t W = S::W;
  const V zero = S::set1(0.0f);
  double total = 0;
  std::size_t i = 0;
  while (i + 4 * W <= n) {
    std::size_t end = i + kBlockVectors * 4 * W;
    if (end > n) end = n;
    V a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (; i + 4 * W <= end; i += 4 * W) {
      a0 = term(a0, S::load(x + i));
      a1 = term(a1, S::load(x + i + W));
      a2 = term(a2, S::load(x + i + 2 * W));
      a3 = term(a3, S::load(x + i + 3 * W));
    }
    total += hsum_d<S>(S::add(S::add(a0, a1), S::add(a2, a3)));
  }
  V a = zero;
  for (; i + W <= n; i += W) a = term(a, S::load(x + i));
  if (i < n) a = term(a, S::load_tail(x + i, n - i, fill));
  return total + hsum_d<S>(a);
}

template <class S>
double sum_run(const float* x, std::size_t n) {
  using V = typename S::V;
  return blocked_sum<S>(x, n, 0.0f, [](V acc, V v) { return S::add(acc, v); });
}

template <class S>
double sqdev_run(const float* x, std::size_t n, float mean) {
  using V = typename S::V;
  const V m = S::set1(mean);
  // The tail is filled with the mean itself, whose deviation is 0.
  return blocked_sum<S>(x, n, mean, [m](V acc, V v) {
    V d = S::sub(v, m);
    return S::fmadd(d, d, acc);
  });
}

template <bool IsMax>
inline float extreme_scalar(float acc, float v) {
  if (acc != acc) return acc;
  if (v != v) return v;
  return IsMax ? (v > acc ? v : acc) : (v < acc ? v : acc);
}

template <class S, bool IsMax>
inline typename S::V extreme_v(typename S::V acc, typename S::V v) {
  return IsMax ? S::max_np(acc, v) : S::min_np(acc, v);
}

template <class S, bool IsMax>
float extreme_run(const float* x, std::size_t n) {
  using V = typename S::V;
  constexpr std::size_t W = S::W;
  const float start = IsMax ? -kInf : kInf;
  const V init = S::set1(start);
  V a0 = init, a1 = init, a2 = init, a3 = init;
  std::size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    a0 = extreme_v<S, IsMax>(a0, S::load(x + i));
    a1 = extreme_v<S, IsMax>(a1, S::load(x + i + W));
    a2 = extreme_v<S, IsMax>(a2, S::load(x + i + 2 * W));
    a3 = extreme_v<S, IsMax>(a3, S::load(x + i + 3 * W));
  }
  for (; i + W <= n; i += W) a0 = extreme_v<S, IsMax>(a0, S::load(x + i));
  if (i < n) a0 = extreme_v<S, IsMax>(a0, S::load_tail(x + i, n - i, start));
  a0 = extreme_v<S, IsMax>(extreme_v<S, IsMax>(a0, a1), extreme_v<S, IsMax>(a2, a3));
  float t[W];
  S::store(t, a0);
  float r = start;
  for (std::size_t k = 0; k < W; ++k) r = extreme_scalar<IsMax>(r, t[k]);
  return r;
}

inline std::size_t lowest_bit(std::uint32_t m) {
  std::size_t k = 0;
  while (!(m & 1u)) {
    m >>= 1;
    ++k;
  }
  return k;
}

template <class S>
std::size_t find_run(const float* x, std::size_t n, float v) {
  using V = typename S::V;
  constexpr std::size_t W = S::W;
  const V vv = S::set1(v);
  std::size_t i = 0;
  for (; i + W <= n; i += W) {
    std::uint32_t m = S::match_mask(S::load(x + i), vv);
    if (m) return i + lowest_bit(m);
  }
  if (i < n) {
    std::size_t r = n - i;
    std::uint32_t m = S::match_mask(S::load_tail(x + i, r, 0.0f), vv) & ((1u << r) - 1u);
    if (m) return i + lowest_bit(m);
  }
  return n;
}

// ---- reductions over rows of a column tile -----------------------------------------------

// acc[c] = term(acc[c], row[c]) for c < cols.
template <class S, class F>
inline void tile_row(float* acc, const float* row, std::size_t cols, F term) {
  constexpr std::size_t W = S::W;
  std::size_t c = 0;
  for (; c + 2 * W <= cols; c += 2 * W) {
    typename S::V r0 = term(S::load(acc + c), S::load(row + c), c);
    typename S::V r1 = term(S::load(acc + c + W), S::load(row + c + W), c + W);
    S::store(acc + c, r0);
    S::store(acc + c + W, r1);
  }
  for (; c + W <= cols; c += W) S::store(acc + c, term(S::load(acc + c), S::load(row + c), c));
  if (c < cols) {
    std::size_t r = cols - c;
    S::store_tail(acc + c, term(S::load_tail(acc + c, r, 0.0f), S::load_tail(row + c, r, 0.0f), c), r);
  }
}

// Rows per float block before the column partials are flushed into double.
constexpr std::size_t kRowBlock = 128;

// total[c] = Σ_r term(x[r·stride + c]) with float blocks of kRowBlock rows flushed to double.
template <class S, class F>
void tile_sum(const float* x, std::size_t len, std::size_t stride, std::size_t cols,
              double* total, F term) {
  float acc[kMaxTile];
  for (std::size_t c = 0; c < cols; ++c) total[c] = 0;
  for (std::size_t r0 = 0; r0 < len; r0 += kRowBlock) {
    std::size_t r1 = r0 + kRowBlock < len ? r0 + kRowBlock : len;
    for (std::size_t c = 0; c < cols; ++c) acc[c] = 0.0f;
    for (std::size_t r = r0; r < r1; ++r) tile_row<S>(acc, x + r * stride, cols, term);
    for (std::size_t c = 0; c < cols; ++c) total[c] += acc[c];
  }
}

template <class S, bool IsMax>
void tile_extreme(const float* x, std::size_t len, std::size_t stride, std::size_t cols,
                  float* out) {
  using V = typename S::V;
  for (std::size_t c = 0; c < cols; ++c) out[c] = IsMax ? -kInf : kInf;
  for (std::size_t r = 0; r < len; ++r) {
    tile_row<S>(out, x + r * stride, cols,
                [](V acc, V v, std::size_t) { return extreme_v<S, IsMax>(acc, v); });
  }
}

template <class S>
void reduce_cols(ReduceOp op, const float* x, std::size_t len, std::size_t stride,
                 std::size_t cols, float* out, float correction) {
  using V = typename S::V;
  if (op == ReduceOp::Max) return tile_extreme<S, true>(x, len, stride, cols, out);
  if (op == ReduceOp::Min) return tile_extreme<S, false>(x, len, stride, cols, out);
  double total[kMaxTile];
  tile_sum<S>(x, len, stride, cols, total,
              [](V acc, V v, std::size_t) { return S::add(acc, v); });
  const double dlen = static_cast<double>(len);
  if (op == ReduceOp::Sum) {
    for (std::size_t c = 0; c < cols; ++c) out[c] = static_cast<float>(total[c]);
    return;
  }
  if (op == ReduceOp::Mean) {
    for (std::size_t c = 0; c < cols; ++c) out[c] = static_cast<float>(total[c] / dlen);
    return;
  }
  // Variance, second pass around the column means.
  if (len == 0) {
    for (std::size_t c = 0; c < cols; ++c) out[c] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  // Padded to whole vectors (kMaxTile is a multiple of W) so the tail lanes read zeros.
  float mean[kMaxTile];
  const std::size_t padded = (cols + S::W - 1) / S::W * S::W;
  for (std::size_t c = 0; c < cols; ++c) mean[c] = static_cast<float>(total[c] / dlen);
  for (std::size_t c = cols; c < padded; ++c) mean[c] = 0.0f;
  const float* m = mean;
  tile_sum<S>(x, len, stride, cols, total, [m](V acc, V v, std::size_t c) {
    V d = S::sub(v, S::load(m + c));
    return S::fmadd(d, d, acc);
  });
  const double denom = dlen - static_cast<double>(correction);
  for (std::size_t c = 0; c < cols; ++c) out[c] = static_cast<float>(total[c] / denom);
}

template <class S>
void arg_reduce_cols(bool is_max, const float* x, std::size_t len, std::size_t stride,
                     std::size_t cols, std::int32_t* out) {
  constexpr std::size_t W = S::W;
  float best[kMaxTile];
  if (is_max) tile_extreme<S, true>(x, len, stride, cols, best);
  else tile_extreme<S, false>(x, len, stride, cols, best);
  // Second pass: the first row where each column reaches its extreme (or its first NaN; a
  // column holding a NaN has NaN as its extreme, and one without has no NaN to match).
  constexpr std::size_t kChunks = (kMaxTile + W - 1) / W;
  std::uint32_t pending[kChunks];
  const std::size_t chunks = (cols + W - 1) / W;
  for (std::size_t k = 0; k < chunks; ++k) {
    std::size_t lanes = cols - k * W < W ? cols - k * W : W;
    pending[k] = lanes >= 32 ? 0xffffffffu : ((1u << lanes) - 1u);
  }
  std::size_t remaining = cols;
  for (std::size_t c = 0; c < cols; ++c) out[c] = 0;
  for (std::size_t r = 0; r < len && remaining; ++r) {
    const float* row = x + r * stride;
    for (std::size_t k = 0; k < chunks; ++k) {
      if (!pending[k]) continue;
      std::size_t c = k * W;
      std::size_t lanes = cols - c < W ? cols - c : W;
      typename S::V v = lanes == W ? S::load(row + c) : S::load_tail(row + c, lanes, 0.0f);
      typename S::V b = lanes == W ? S::load(best + c) : S::load_tail(best + c, lanes, 0.0f);
      std::uint32_t m = S::match_mask(v, b) & pending[k];
      pending[k] &= ~m;
      while (m) {
        std::size_t bit = lowest_bit(m);
        out[c + bit] = static_cast<std::int32_t>(r);
        m &= m - 1u;
        --remaining;
      }
    }
  }
}

}  // namespace elementwise_simd
}  // namespace
}  // namespace dendrite
