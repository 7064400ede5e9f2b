// AVX2 + FMA optimiser-step kernels: optim_impl.inc over vecmath_avx2.h and partial_avx2.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/partial_avx2.h"
#include "../math/vecmath_avx2.h"
#include "optim_kernels.h"

namespace dendrite {
namespace avx2 {

inline vf vsqrt(vf v) { return _mm256_sqrt_ps(v); }

#include "optim_impl.inc"

double sum_squares_range(const float* x, std::size_t n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  __m256d s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    __m256d b = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    __m256d c = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8));
    __m256d d = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12));
    s0 = _mm256_fmadd_pd(a, a, s0);
    s1 = _mm256_fmadd_pd(b, b, s1);
    s2 = _mm256_fmadd_pd(c, c, s2);
    s3 = _mm256_fmadd_pd(d, d, s3);
  }
  for (; i + 4 <= n; i += 4) {
    __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    s0 = _mm256_fmadd_pd(a, a, s0);
  }
  __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

}  // namespace avx2
}  // namespace dendrite
