// AVX2 + FMA activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_avx2.h.
#include <cmath>
#include <cstddef>
#include <limits>

#include "../math/vecmath_avx2.h"
#include "activation_kernels.h"

namespace dendrite {
namespace avx2 {

#include "activation_impl.inc"

}  // namespace avx2
}  // namespace dendrite
