// Scalar (fallback) optimiser-step kernels: optim_impl.inc over vecmath_scalar.h (one lane).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_scalar.h"
#include "optim_kernels.h"

namespace dendrite {
namespace scalar {

inline vf vsqrt(vf v) { return std::sqrt(v); }
// With one lane there is never a partial vector; these exist for the shared code.
inline vf vload_part(const float* p, std::size_t n, float fill) { return n > 0 ? *p : fill; }
inline void vstore_part(float* p, vf v, std::size_t n) {
  if (n > 0) *p = v;
}

#include "optim_impl.inc"

double sum_squares_range(const float* x, std::size_t n) {
  // Four accumulators, as the vector paths have lanes (and for the latency of the adds).
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    double a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (; i < n; ++i) s0 += static_cast<double>(x[i]) * x[i];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace scalar
}  // namespace dendrite
