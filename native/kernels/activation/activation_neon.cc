// NEON (AArch64) activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_neon.h.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <cmath>
#include <cstddef>
#include <limits>

#include "../math/vecmath_neon.h"
#include "activation_kernels.h"

namespace dendrite {
namespace neon {

#include "activation_impl.inc"

}  // namespace neon
}  // namespace dendrite
#endif
