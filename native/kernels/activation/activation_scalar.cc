// Scalar (fallback) activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_scalar.h.
#include <cmath>
#include <cstddef>
#include <limits>

#include "../math/vecmath_scalar.h"
#include "activation_kernels.h"

namespace dendrite {
namespace scalar {

#include "activation_impl.inc"

}  // namespace scalar
}  // namespace dendrite
