// AVX2 + FMA softmax cross-entropy: loss_impl.inc over vecmath_avx2.h and partial_avx2.h.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/partial_avx2.h"
#include "../math/vecmath_avx2.h"
#include "loss_kernels.h"

namespace dendrite {
namespace avx2 {

#include "loss_impl.inc"

}  // namespace avx2
}  // namespace dendrite
