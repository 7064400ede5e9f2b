// NEON (AArch64) softmax cross-entropy: loss_impl.inc over vecmath_neon.h.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_neon.h"
#include "loss_kernels.h"

namespace dendrite {
namespace neon {

// Partial vectors go through a padded copy (NEON has no masked loads).
inline vf vload_part(const float* p, std::size_t n, float fill) {
  float b[kWidth] = {fill, fill, fill, fill};
  for (std::size_t j = 0; j < n; ++j) b[j] = p[j];
  return vld1q_f32(b);
}
inline void vstore_part(float* p, vf v, std::size_t n) {
  float b[kWidth];
  vst1q_f32(b, v);
  for (std::size_t j = 0; j < n; ++j) p[j] = b[j];
}

#include "loss_impl.inc"

}  // namespace neon
}  // namespace dendrite
#endif
