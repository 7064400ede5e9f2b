// The AVX2 + FMA path: 8 floats per vector, maskload / maskstore for the tails.
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../math/partial_avx2.h"
#include "../math/vecmath_avx2.h"
#include "elementwise_simd.h"

namespace dendrite {
namespace avx2 {
namespace {

struct Simd {
  using V = __m256;
  static constexpr std::size_t W = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V load_tail(const float* p, std::size_t n, float fill) { return vload_part(p, n, fill); }
  static void store_tail(float* p, V v, std::size_t n) { vstore_part(p, v, n); }
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V sqrt(V a) { return _mm256_sqrt_ps(a); }
  static V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static V neg(V a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  static V is_nan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  // max_ps(b, a) is `b > a ? b : a` and gives `a` when either is NaN; a NaN `b` is put back.
  static V max_np(V a, V b) { return _mm256_blendv_ps(_mm256_max_ps(b, a), b, is_nan(b)); }
  static V min_np(V a, V b) { return _mm256_blendv_ps(_mm256_min_ps(b, a), b, is_nan(b)); }
  // max_ps(lo, x) returns x when x is NaN, and min_ps(hi, ·) keeps it.
  static V clamp(V x, V lo, V hi) { return _mm256_min_ps(hi, _mm256_max_ps(lo, x)); }
  static V exp(V a) { return exp_ps(a); }
  static V log(V a) { return log_ps(a); }
  static std::uint32_t match_mask(V x, V v) {
    V m = _mm256_or_ps(_mm256_cmp_ps(x, v, _CMP_EQ_OQ), is_nan(x));
    return static_cast<std::uint32_t>(_mm256_movemask_ps(m));
  }
};

}  // namespace

DENDRITE_ELEMENTWISE_DEFINE(Simd)

}  // namespace avx2
}  // namespace dendrite
