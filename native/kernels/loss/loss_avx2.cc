// AVX2 + FMA softmax cross-entropy: loss_impl.inc over vecmath_avx2.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_avx2.h"
#include "loss_kernels.h"

namespace dendrite {
namespace avx2 {

// Lanes below n: masked loads and stores never touch the memory of the other lanes.
inline __m256i lane_mask(std::size_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline vf vload_part(const float* p, std::size_t n, float fill) {
  __m256i m = lane_mask(n);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
inline void vstore_part(float* p, vf v, std::size_t n) { _mm256_maskstore_ps(p, lane_mask(n), v); }

#include "loss_impl.inc"

}  // namespace avx2
}  // namespace dendrite
