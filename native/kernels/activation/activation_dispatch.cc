// Entry points of the activation family: choose the ISA path per call (tests switch it at run
// time) and split large work over the thread pool. Small work stays on the caller's thread.
#include "activation_kernels.h"
#include "dendrite/activation.h"
#include "dendrite/runtime.h"

namespace dendrite {
namespace {

// Elements below which a call stays on the calling thread (waking the pool costs more).
constexpr std::size_t kParallelMin = 1 << 16;
// Chunks start on multiples of this, so only the last one has a vector tail.
constexpr std::size_t kBlock = 64;

using ForwardFn = void (*)(Activation, const float*, float*, std::size_t, float);
using BackwardFn = void (*)(Activation, const float*, const float*, const float*, float*,
                            std::size_t, float);
using SoftmaxFn = void (*)(const float*, float*, std::size_t, std::size_t, bool);
using SoftmaxBackwardFn = void (*)(const float*, const float*, float*, std::size_t, std::size_t,
                                   bool);

struct Kernels {
  ForwardFn forward;
  BackwardFn backward;
  SoftmaxFn softmax;
  SoftmaxBackwardFn softmax_backward;
};

Kernels kernels() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512:
      return {avx512::activation_forward, avx512::activation_backward, avx512::softmax_rows,
              avx512::softmax_rows_backward};
    case Isa::Avx2:
      return {avx2::activation_forward, avx2::activation_backward, avx2::softmax_rows,
              avx2::softmax_rows_backward};
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon:
      return {neon::activation_forward, neon::activation_backward, neon::softmax_rows,
              neon::softmax_rows_backward};
#endif
    default:
      return {scalar::activation_forward, scalar::activation_backward, scalar::softmax_rows,
              scalar::softmax_rows_backward};
  }
}

// Runs fn(begin, end) over [0, n) in block-aligned chunks on the pool.
template <class F>
void split(std::size_t n, F&& fn) {
  std::size_t blocks = (n + kBlock - 1) / kBlock;
  runtime::parallel_range(blocks, kParallelMin / kBlock, [&](std::size_t b, std::size_t e) {
    std::size_t begin = b * kBlock;
    std::size_t end = e * kBlock < n ? e * kBlock : n;
    if (begin < end) fn(begin, end);
  });
}

// Rows per chunk so that a chunk holds at least kParallelMin elements.
std::size_t min_rows(std::size_t cols) {
  return cols >= kParallelMin ? 1 : kParallelMin / (cols == 0 ? 1 : cols);
}

}  // namespace

void activation_forward(Activation act, const float* x, float* y, std::size_t n, float alpha) {
  if (n == 0) return;
  ForwardFn f = kernels().forward;
  split(n, [&](std::size_t b, std::size_t e) { f(act, x + b, y + b, e - b, alpha); });
}

void activation_backward(Activation act, const float* x, const float* y, const float* dy,
                         float* dx, std::size_t n, float alpha) {
  if (n == 0) return;
  BackwardFn f = kernels().backward;
  split(n, [&](std::size_t b, std::size_t e) {
    f(act, x + b, y + b, dy + b, dx + b, e - b, alpha);
  });
}

void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols, bool log) {
  if (rows == 0 || cols == 0) return;
  SoftmaxFn f = kernels().softmax;
  runtime::parallel_range(rows, min_rows(cols), [&](std::size_t b, std::size_t e) {
    f(x + b * cols, y + b * cols, e - b, cols, log);
  });
}

void softmax_rows_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                           std::size_t cols, bool log) {
  if (rows == 0 || cols == 0) return;
  SoftmaxBackwardFn f = kernels().softmax_backward;
  runtime::parallel_range(rows, min_rows(cols), [&](std::size_t b, std::size_t e) {
    f(y + b * cols, dy + b * cols, dx + b * cols, e - b, cols, log);
  });
}

}  // namespace dendrite
