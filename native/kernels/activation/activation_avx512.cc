// AVX-512 activation and softmax kernels: the shared kernels of activation_impl.inc over
// vecmath_avx512.h.
#include <cmath>
#include <cstddef>
#include <limits>

#include "../math/vecmath_avx512.h"
#include "activation_kernels.h"

namespace dendrite {
namespace avx512 {

#include "activation_impl.inc"

}  // namespace avx512
}  // namespace dendrite
