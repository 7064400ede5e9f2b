// AVX-512 softmax cross-entropy: loss_impl.inc over vecmath_avx512.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_avx512.h"
#include "loss_kernels.h"

namespace dendrite {
namespace avx512 {

// Lanes below n (masked: the other lanes' memory is never touched).
inline __mmask16 lane_mask(std::size_t n) {
  return static_cast<__mmask16>((1u << static_cast<unsigned>(n)) - 1u);
}
inline vf vload_part(const float* p, std::size_t n, float fill) {
  return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), lane_mask(n), p);
}
inline void vstore_part(float* p, vf v, std::size_t n) { _mm512_mask_storeu_ps(p, lane_mask(n), v); }

#include "loss_impl.inc"

}  // namespace avx512
}  // namespace dendrite
