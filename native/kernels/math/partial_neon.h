// NEON (AArch64) partial vectors (the first n of 4 lanes, 0 ≤ n ≤ 4), in dendrite::neon. NEON has
// no masked loads or stores: partial vectors go through a padded copy, so the memory of the
// other lanes is never touched. Include only from *_neon.cc (whose content is wrapped in an
// arm64 #if).
#pragma once
#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include <cstddef>

namespace dendrite {
namespace neon {

// Lanes from n on hold fill.
inline float32x4_t vload_part(const float* p, std::size_t n, float fill) {
  float b[4] = {fill, fill, fill, fill};
  for (std::size_t j = 0; j < n; ++j) b[j] = p[j];
  return vld1q_f32(b);
}
inline void vstore_part(float* p, float32x4_t v, std::size_t n) {
  float b[4];
  vst1q_f32(b, v);
  for (std::size_t j = 0; j < n; ++j) p[j] = b[j];
}

}  // namespace neon
}  // namespace dendrite
#endif  // arm64
