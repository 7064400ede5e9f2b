// AVX-512 conv kernels: conv_impl.inc over 16-lane __m512 vectors with mask registers for the
// max-pooling comparisons and for partial vectors.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "conv_kernels.h"

namespace dendrite {
namespace avx512 {
namespace {

struct S {
  using V = __m512;
  using VI = __m512i;
  using M = __mmask16;
  static constexpr std::size_t W = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V set1(float a) { return _mm512_set1_ps(a); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static M wins(V v, V best) {
    const M gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
    const M v_nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    const M best_nan = _mm512_cmp_ps_mask(best, best, _CMP_UNORD_Q);
    return static_cast<M>(gt | (v_nan & static_cast<M>(~best_nan)));
  }
  static V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static VI selecti(M m, VI a, VI b) { return _mm512_mask_blend_epi32(m, b, a); }
  static VI iota(std::int32_t base) {
    return _mm512_add_epi32(_mm512_set1_epi32(base),
                            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  }
  static void storei(std::int32_t* p, VI v) { _mm512_storeu_si512(p, v); }
  static __mmask16 tail(std::size_t n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static void copy_part(float* dst, const float* src, std::size_t n) {
    const __mmask16 m = tail(n);
    _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
  }
  static void add_part(float* dst, const float* src, std::size_t n) {
    const __mmask16 m = tail(n);
    _mm512_mask_storeu_ps(dst, m,
                          _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst), _mm512_maskz_loadu_ps(m, src)));
  }
  static void zero_part(float* dst, std::size_t n) {
    _mm512_mask_storeu_ps(dst, tail(n), _mm512_setzero_ps());
  }
};

}  // namespace

#include "conv_impl.inc"

}  // namespace avx512
}  // namespace dendrite
