// Activation functions, forward and backward, and row-wise softmax / log-softmax.
#pragma once
#include <cstddef>

namespace dendrite {

// The numbering is shared with TypeScript (src/backend/backend.ts, ACTIVATIONS): keep in step.
enum class Activation : int {
  Identity = 0,
  Relu = 1,
  LeakyRelu = 2,    // x > 0 ? x : alpha·x
  Elu = 3,          // x > 0 ? x : alpha·(eˣ − 1)
  Selu = 4,         // λ·(x > 0 ? x : α·(eˣ − 1)), λ = 1.0507009873554805, α = 1.6732632423543772
  Sigmoid = 5,
  HardSigmoid = 6,  // clamp(x/6 + 1/2, 0, 1) (PyTorch, Keras 3)
  Tanh = 7,
  Softplus = 8,     // log(1 + eˣ), stable for large |x|
  Softsign = 9,     // x / (1 + |x|)
  Silu = 10,        // x·sigmoid(x), a.k.a. swish
  GeluTanh = 11,    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  GeluErf = 12,     // 0.5·x·(1 + erf(x/√2))
};
constexpr int kActivationCount = 13;

// y = f(x) over n elements. alpha is leaky_relu's slope or elu's alpha, ignored otherwise.
// x and y may be the same buffer. Runs on the thread pool for large n.
void activation_forward(Activation act, const float* x, float* y, std::size_t n, float alpha);

// dx = f'(x)·dy. x is forward's input and y its output (each kernel reads whichever it needs;
// both must be valid). dx may alias dy.
void activation_backward(Activation act, const float* x, const float* y, const float* dy, float* dx,
                         std::size_t n, float alpha);

// Row-wise softmax (log = false) or log-softmax (log = true) over `cols` columns, numerically
// stable (max subtracted). x and y may alias.
void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols, bool log);

// Given y = forward output and dy, dx = softmax'ᵀ·dy per row:
//   softmax:     dx = y ⊙ (dy − Σ dy⊙y)
//   log-softmax: dx = dy − exp(y) ⊙ Σ dy
// dx may alias dy.
void softmax_rows_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                           std::size_t cols, bool log);

}  // namespace dendrite
