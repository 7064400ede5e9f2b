// AVX-512 optimiser-step kernels: optim_impl.inc over vecmath_avx512.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_avx512.h"
#include "optim_kernels.h"

namespace dendrite {
namespace avx512 {

// The maskz forms: GCC 12 warns about the plain ones' undefined pass-through operand.
inline vf vsqrt(vf v) { return _mm512_maskz_sqrt_ps(0xFFFF, v); }
inline __m512d widen(__m256 v) { return _mm512_maskz_cvtps_pd(0xFF, v); }
// Lanes below n (masked: the other lanes' memory is never touched).
inline __mmask16 lane_mask(std::size_t n) {
  return static_cast<__mmask16>((1u << static_cast<unsigned>(n)) - 1u);
}
inline vf vload_part(const float* p, std::size_t n, float fill) {
  return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), lane_mask(n), p);
}
inline void vstore_part(float* p, vf v, std::size_t n) { _mm512_mask_storeu_ps(p, lane_mask(n), v); }

#include "optim_impl.inc"

double sum_squares_range(const float* x, std::size_t n) {
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
  __m512d s2 = _mm512_setzero_pd(), s3 = _mm512_setzero_pd();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m512d a = widen(_mm256_loadu_ps(x + i));
    __m512d b = widen(_mm256_loadu_ps(x + i + 8));
    __m512d c = widen(_mm256_loadu_ps(x + i + 16));
    __m512d d = widen(_mm256_loadu_ps(x + i + 24));
    s0 = _mm512_fmadd_pd(a, a, s0);
    s1 = _mm512_fmadd_pd(b, b, s1);
    s2 = _mm512_fmadd_pd(c, c, s2);
    s3 = _mm512_fmadd_pd(d, d, s3);
  }
  for (; i + 8 <= n; i += 8) {
    __m512d a = widen(_mm256_loadu_ps(x + i));
    s0 = _mm512_fmadd_pd(a, a, s0);
  }
  if (i < n) {
    __m256 t = _mm256_maskz_loadu_ps(static_cast<__mmask8>((1u << (n - i)) - 1u), x + i);
    __m512d a = widen(t);
    s1 = _mm512_fmadd_pd(a, a, s1);
  }
  __m512d s = _mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3));
  __m256d lo = _mm512_maskz_extractf64x4_pd(0xF, s, 0), hi = _mm512_maskz_extractf64x4_pd(0xF, s, 1);
  __m256d q = _mm256_add_pd(lo, hi);
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(q), _mm256_extractf128_pd(q, 1));
  return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

}  // namespace avx512
}  // namespace dendrite
