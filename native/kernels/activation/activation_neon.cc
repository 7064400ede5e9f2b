// NEON (AArch64) activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_neon.h.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_neon.h"
#include "activation_kernels.h"

namespace dendrite {
namespace neon {

// No non-temporal stores on this path: streaming falls back to ordinary stores.
constexpr std::size_t kStreamAlign = 0;
inline void vstream(float* p, vf v) { vstore(p, v); }
inline void vstream_fence() {}

#include "activation_impl.inc"

}  // namespace neon
}  // namespace dendrite
#endif
