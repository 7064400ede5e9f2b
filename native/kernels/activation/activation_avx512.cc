// AVX-512 activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_avx512.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_avx512.h"
#include "activation_kernels.h"

namespace dendrite {
namespace avx512 {

// Non-temporal stores need 64-byte alignment.
constexpr std::size_t kStreamAlign = 64;
inline void vstream(float* p, vf v) { _mm512_stream_ps(p, v); }
inline void vstream_fence() { _mm_sfence(); }

#include "activation_impl.inc"

}  // namespace avx512
}  // namespace dendrite
