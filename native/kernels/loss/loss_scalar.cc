// Scalar (fallback) softmax cross-entropy: loss_impl.inc over vecmath_scalar.h (one lane).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../math/vecmath_scalar.h"
#include "loss_kernels.h"

namespace dendrite {
namespace scalar {

// With one lane there is never a partial vector; these exist for the shared code.
inline vf vload_part(const float* p, std::size_t n, float fill) { return n > 0 ? *p : fill; }
inline void vstore_part(float* p, vf v, std::size_t n) {
  if (n > 0) *p = v;
}

#include "loss_impl.inc"

}  // namespace scalar
}  // namespace dendrite
