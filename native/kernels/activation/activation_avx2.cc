// AVX2 + FMA activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_avx2.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_avx2.h"
#include "activation_kernels.h"

namespace dendrite {
namespace avx2 {

// Non-temporal stores need 32-byte alignment.
constexpr std::size_t kStreamAlign = 32;
inline void vstream(float* p, vf v) { _mm256_stream_ps(p, v); }
inline void vstream_fence() { _mm_sfence(); }

#include "activation_impl.inc"

}  // namespace avx2
}  // namespace dendrite
