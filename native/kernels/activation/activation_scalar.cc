// Scalar (fallback) activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_scalar.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_scalar.h"
#include "activation_kernels.h"

namespace dendrite {
namespace scalar {

// No non-temporal stores on this path: streaming falls back to ordinary stores.
constexpr std::size_t kStreamAlign = 0;
inline void vstream(float* p, vf v) { vstore(p, v); }
inline void vstream_fence() {}

#include "activation_impl.inc"

}  // namespace scalar
}  // namespace dendrite
