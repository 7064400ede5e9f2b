// NEON (AArch64) optimiser-step kernels: optim_impl.inc over vecmath_neon.h and partial_neon.h.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/partial_neon.h"
#include "../math/vecmath_neon.h"
#include "optim_kernels.h"

namespace dendrite {
namespace neon {

inline vf vsqrt(vf v) { return vsqrtq_f32(v); }

#include "optim_impl.inc"

double sum_squares_range(const float* x, std::size_t n) {
  float64x2_t s0 = vdupq_n_f64(0.0), s1 = vdupq_n_f64(0.0);
  float64x2_t s2 = vdupq_n_f64(0.0), s3 = vdupq_n_f64(0.0);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    float32x4_t a = vld1q_f32(x + i);
    float32x4_t b = vld1q_f32(x + i + 4);
    float64x2_t a0 = vcvt_f64_f32(vget_low_f32(a)), a1 = vcvt_high_f64_f32(a);
    float64x2_t b0 = vcvt_f64_f32(vget_low_f32(b)), b1 = vcvt_high_f64_f32(b);
    s0 = vfmaq_f64(s0, a0, a0);
    s1 = vfmaq_f64(s1, a1, a1);
    s2 = vfmaq_f64(s2, b0, b0);
    s3 = vfmaq_f64(s3, b1, b1);
  }
  double sum = vaddvq_f64(vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3)));
  for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

}  // namespace neon
}  // namespace dendrite
#endif
