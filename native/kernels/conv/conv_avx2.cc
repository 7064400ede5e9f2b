// AVX2 conv kernels: conv_impl.inc over 8-lane __m256 vectors; partial vectors use masked loads
// and 4/2/1-float stores (the 1-channel im2col is all tails, and VEX masked stores are slow on
// several CPUs).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "../math/partial_avx2.h"
#include "conv_kernels.h"

namespace dendrite {
namespace avx2 {
namespace {

// The first n < 8 lanes of v to p, touching nothing past p + n.
inline void store_first(float* p, __m256 v, std::size_t n) {
  __m128 part = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(p, part);
    part = _mm256_extractf128_ps(v, 1);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(p), part);
    part = _mm_movehl_ps(part, part);
    p += 2;
    n -= 2;
  }
  if (n != 0) _mm_store_ss(p, part);
}

struct S {
  using V = __m256;
  using VI = __m256i;
  using M = __m256;
  static constexpr std::size_t W = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(float a) { return _mm256_set1_ps(a); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static M wins(V v, V best) {
    const M gt = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
    const M v_nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    const M best_nan = _mm256_cmp_ps(best, best, _CMP_UNORD_Q);
    return _mm256_or_ps(gt, _mm256_andnot_ps(best_nan, v_nan));
  }
  static V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static VI selecti(M m, VI a, VI b) {
    return _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
  }
  static VI iota(std::int32_t base) {
    return _mm256_add_epi32(_mm256_set1_epi32(base), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static void storei(std::int32_t* p, VI v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }
  static void copy_part(float* dst, const float* src, std::size_t n) {
    store_first(dst, _mm256_maskload_ps(src, lane_mask(n)), n);
  }
  static void add_part(float* dst, const float* src, std::size_t n) {
    const __m256i m = lane_mask(n);
    store_first(dst, _mm256_add_ps(_mm256_maskload_ps(dst, m), _mm256_maskload_ps(src, m)), n);
  }
  static void zero_part(float* dst, std::size_t n) { store_first(dst, _mm256_setzero_ps(), n); }
};

}  // namespace

#include "conv_impl.inc"

}  // namespace avx2
}  // namespace dendrite
