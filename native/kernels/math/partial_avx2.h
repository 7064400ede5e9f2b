// AVX2 partial vectors (the first n of 8 lanes, 0 ≤ n ≤ 8), in dendrite::avx2. Masked loads and
// stores never touch the memory of the other lanes. Include only from *_avx2.cc.
#pragma once
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace dendrite {
namespace avx2 {

// Eight all-ones lanes then eight zeros: the window of eight starting at 8 − n masks n lanes.
alignas(32) inline constexpr std::int32_t kLaneMaskWindow[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                                 0,  0,  0,  0,  0,  0,  0,  0};

inline __m256i lane_mask(std::size_t n) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLaneMaskWindow + 8 - n));
}
// Lanes from n on hold fill.
inline __m256 vload_part(const float* p, std::size_t n, float fill) {
  const __m256i m = lane_mask(n);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
inline void vstore_part(float* p, __m256 v, std::size_t n) {
  _mm256_maskstore_ps(p, lane_mask(n), v);
}

}  // namespace avx2
}  // namespace dendrite
