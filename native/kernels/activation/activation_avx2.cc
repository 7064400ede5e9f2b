// avx2 activation kernels (temporarily the scalar loops while the vector code is written).
#include "activation_kernels.h"

namespace dendrite {
namespace avx2 {

void activation_forward(Activation act, const float* x, float* y, std::size_t n, float alpha) {
  scalar::activation_forward(act, x, y, n, alpha);
}

void activation_backward(Activation act, const float* x, const float* y, const float* dy,
                         float* dx, std::size_t n, float alpha) {
  scalar::activation_backward(act, x, y, dy, dx, n, alpha);
}

void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols, bool log) {
  scalar::softmax_rows(x, y, rows, cols, log);
}

void softmax_rows_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                           std::size_t cols, bool log) {
  scalar::softmax_rows_backward(y, dy, dx, rows, cols, log);
}

}  // namespace avx2
}  // namespace dendrite
