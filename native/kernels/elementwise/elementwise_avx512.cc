// The AVX-512 path: 16 floats per vector, masked loads and stores for the tails.
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../math/vecmath_avx512.h"
#include "elementwise_simd.h"

// GCC 12 reports the undefined pass-through operand inside _mm512_max_ps / _mm512_min_ps as
// "maybe uninitialized" once they are inlined through the templates: a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace dendrite {
namespace avx512 {
namespace {

struct Simd {
  using V = __m512;
  static constexpr std::size_t W = 16;
  static __mmask16 mask(std::size_t n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V load_tail(const float* p, std::size_t n, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask(n), p);
  }
  static void store_tail(float* p, V v, std::size_t n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V sqrt(V a) { return _mm512_sqrt_ps(a); }
  static V abs(V a) { return _mm512_abs_ps(a); }
  static V neg(V a) { return _mm512_xor_ps(a, _mm512_set1_ps(-0.0f)); }
  static __mmask16 is_nan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  // max_ps(b, a) is `b > a ? b : a` and gives `a` when either is NaN; a NaN `b` is put back.
  static V max_np(V a, V b) { return _mm512_mask_mov_ps(_mm512_max_ps(b, a), is_nan(b), b); }
  static V min_np(V a, V b) { return _mm512_mask_mov_ps(_mm512_min_ps(b, a), is_nan(b), b); }
  // max_ps(lo, x) returns x when x is NaN, and min_ps(hi, ·) keeps it.
  static V clamp(V x, V lo, V hi) { return _mm512_min_ps(hi, _mm512_max_ps(lo, x)); }
  static V exp(V a) { return exp_ps(a); }
  static V log(V a) { return log_ps(a); }
  static std::uint32_t match_mask(V x, V v) {
    return static_cast<std::uint32_t>(_mm512_cmp_ps_mask(x, v, _CMP_EQ_OQ) | is_nan(x));
  }
};

}  // namespace

DENDRITE_ELEMENTWISE_DEFINE(Simd)

}  // namespace avx512
}  // namespace dendrite
