// NEON (AArch64) softmax cross-entropy: loss_impl.inc over vecmath_neon.h and partial_neon.h.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/partial_neon.h"
#include "../math/vecmath_neon.h"
#include "loss_kernels.h"

namespace dendrite {
namespace neon {

#include "loss_impl.inc"

}  // namespace neon
}  // namespace dendrite
#endif
