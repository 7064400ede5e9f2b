// Entry points of the activation family: choose the ISA path per call (tests switch it at run
// time) and split large work over the thread pool. Small work stays on the caller's thread.
#include "activation_kernels.h"
#include "dendrite/activation.h"
#include "dendrite/runtime.h"

namespace dendrite {
namespace {

// Elements below which a call stays on the calling thread (waking the pool costs more).
constexpr std::size_t kParallelMin = 1 << 16;
// Chunks start on multiples of this (256 bytes), so only the last one has a vector tail and no
// two chunks write the same cache line when the array is 64-byte aligned.
constexpr std::size_t kBlock = 64;
// Work is cut into up to this many tasks per thread, each at least kTaskMin elements. The pool
// hands tasks out one by one, so a thread that starts late (a worker waking from sleep, or a core
// shared with another process) takes fewer tasks instead of making the others wait for its one
// large half: with exactly one chunk per thread, a memory-bound kernel on two threads ran slower
// than on one whenever the second core was busy.
constexpr std::size_t kTasksPerThread = 4;
constexpr std::size_t kTaskMin = 1 << 15;
// Outputs at least this large are written with non-temporal stores: at half the 32 MiB L3 of the
// target machines, output and input together fill the cache, so the output would not stay there
// anyway, and streaming saves reading every output line before writing it (a third of a
// forward pass's traffic, a quarter of a backward's). Smaller outputs stay cached for the next op.
constexpr std::size_t kStreamMinBytes = std::size_t(16) << 20;

using ForwardFn = void (*)(Activation, const float*, float*, std::size_t, float, bool);
using BackwardFn = void (*)(Activation, const float*, const float*, const float*, float*,
                            std::size_t, float, bool);
using SoftmaxFn = void (*)(const float*, float*, std::size_t, std::size_t, bool, bool);
using SoftmaxBackwardFn = void (*)(const float*, const float*, float*, std::size_t, std::size_t,
                                   bool, bool);

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

// Runs fn(begin, end) over [0, n) in block-aligned chunks on the pool; `unit` elements per item
// (1, or the columns of a row) for the size thresholds.
template <class F>
void split(std::size_t n, std::size_t block, std::size_t unit, F&& fn) {
  const std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  if (threads <= 1 || n * unit < kParallelMin) {
    fn(std::size_t(0), n);
    return;
  }
  std::size_t blocks = (n + block - 1) / block;
  std::size_t tasks = n * unit / kTaskMin;
  if (tasks > threads * kTasksPerThread) tasks = threads * kTasksPerThread;
  if (tasks > blocks) tasks = blocks;
  if (tasks < 2) {
    fn(std::size_t(0), n);
    return;
  }
  std::size_t per = (blocks + tasks - 1) / tasks * block;
  runtime::parallel_for(tasks, [&](std::size_t t) {
    std::size_t b = t * per;
    std::size_t e = b + per < n ? b + per : n;
    if (b < e) fn(b, e);
  });
}

bool stream_output(std::size_t n, const float* out, const float* in) {
  return out != in && n >= kStreamMinBytes / sizeof(float);
}

// Softmax streams only rows that are whole cache lines: otherwise every row edge mixes
// streamed and ordinary stores in one line, and the partial write-combining flushes made
// softmax slower (backward over rows of 1000 fell to about half).
bool stream_rows(std::size_t rows, std::size_t cols, const float* out, const float* in) {
  return cols * sizeof(float) % 64 == 0 && stream_output(rows * cols, out, in);
}

}  // namespace

void activation_forward(Activation act, const float* x, float* y, std::size_t n, float alpha) {
  if (n == 0) return;
  ForwardFn f = kernels().forward;
  const bool stream = stream_output(n, y, x);
  split(n, kBlock, 1, [&](std::size_t b, std::size_t e) {
    f(act, x + b, y + b, e - b, alpha, stream);
  });
}

void activation_backward(Activation act, const float* x, const float* y, const float* dy,
                         float* dx, std::size_t n, float alpha) {
  if (n == 0) return;
  BackwardFn f = kernels().backward;
  const bool stream = stream_output(n, dx, dy);
  split(n, kBlock, 1, [&](std::size_t b, std::size_t e) {
    f(act, x + b, y + b, dy + b, dx + b, e - b, alpha, stream);
  });
}

void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols, bool log) {
  if (rows == 0 || cols == 0) return;
  SoftmaxFn f = kernels().softmax;
  const bool stream = stream_rows(rows, cols, y, x);
  split(rows, 1, cols, [&](std::size_t b, std::size_t e) {
    f(x + b * cols, y + b * cols, e - b, cols, log, stream);
  });
}

void softmax_rows_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                           std::size_t cols, bool log) {
  if (rows == 0 || cols == 0) return;
  SoftmaxBackwardFn f = kernels().softmax_backward;
  const bool stream = stream_rows(rows, cols, dx, dy);
  split(rows, 1, cols, [&](std::size_t b, std::size_t e) {
    f(y + b * cols, dy + b * cols, dx + b * cols, e - b, cols, log, stream);
  });
}

}  // namespace dendrite
