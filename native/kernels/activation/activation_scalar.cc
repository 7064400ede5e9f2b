// Scalar activation kernels (the fallback path): plain float loops over libm.
#include <cmath>

#include "activation_kernels.h"

namespace dendrite {
namespace scalar {
namespace {

constexpr float kSeluLambda = 1.0507009873554805f;
constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kInvSqrt2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

float sigmoid(float x) {
  float e = std::exp(-std::fabs(x));
  float s = 1.0f / (1.0f + e);
  return x >= 0 ? s : e * s;
}

float forward_one(Activation act, float x, float alpha) {
  switch (act) {
    case Activation::Identity: return x;
    case Activation::Relu: return x > 0 ? x : (x <= 0 ? 0.0f : x);
    case Activation::LeakyRelu: return x > 0 ? x : alpha * x;
    case Activation::Elu: return x > 0 ? x : alpha * std::expm1(x);
    case Activation::Selu: return kSeluLambda * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case Activation::Sigmoid: return sigmoid(x);
    case Activation::HardSigmoid: {
      float v = x / 6.0f + 0.5f;
      return v < 0 ? 0.0f : (v > 1 ? 1.0f : v);
    }
    case Activation::Tanh: return std::tanh(x);
    case Activation::Softplus: return (x > 0 ? x : 0.0f) + std::log1p(std::exp(-std::fabs(x)));
    case Activation::Softsign:
      return std::isinf(x) ? std::copysign(1.0f, x) : x / (1.0f + std::fabs(x));
    case Activation::Silu: return (x < -200.0f ? -200.0f : x) * sigmoid(x);
    case Activation::GeluTanh: {
      float u = 2.0f * kSqrt2OverPi * (x + 0.044715f * x * x * x);
      return (x < -200.0f ? -200.0f : x) * sigmoid(u);
    }
    case Activation::GeluErf:
      return 0.5f * (x < -200.0f ? -200.0f : x) * std::erfc(-x * kInvSqrt2);
  }
  return x;
}

float derivative_one(Activation act, float x, float y, float alpha) {
  float xc = x < -200.0f ? -200.0f : (x > 200.0f ? 200.0f : x);
  switch (act) {
    case Activation::Identity: return 1.0f;
    case Activation::Relu: return x > 0 ? 1.0f : 0.0f;
    case Activation::LeakyRelu: return x > 0 ? 1.0f : alpha;
    case Activation::Elu: return x > 0 ? 1.0f : alpha * std::exp(x);
    case Activation::Selu: return x > 0 ? kSeluLambda : kSeluLambda * kSeluAlpha * std::exp(x);
    case Activation::Sigmoid: return y * (1.0f - y);
    case Activation::HardSigmoid: return (x > -3.0f && x < 3.0f) ? 1.0f / 6.0f : 0.0f;
    case Activation::Tanh: return 1.0f - y * y;
    case Activation::Softplus: return sigmoid(x);
    case Activation::Softsign: {
      float d = 1.0f + std::fabs(x);
      return 1.0f / (d * d);
    }
    case Activation::Silu: {
      float s = sigmoid(xc);
      return s * (1.0f + xc * (1.0f - s));
    }
    case Activation::GeluTanh: {
      float u = 2.0f * kSqrt2OverPi * (xc + 0.044715f * xc * xc * xc);
      float s = sigmoid(u);
      return s + xc * s * (1.0f - s) * 2.0f * kSqrt2OverPi * (1.0f + 3.0f * 0.044715f * xc * xc);
    }
    case Activation::GeluErf:
      return 0.5f * std::erfc(-xc * kInvSqrt2) + xc * kInvSqrt2Pi * std::exp(-0.5f * xc * xc);
  }
  return 1.0f;
}

}  // namespace

void activation_forward(Activation act, const float* x, float* y, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) y[i] = forward_one(act, x[i], alpha);
}

void activation_backward(Activation act, const float* x, const float* y, const float* dy,
                         float* dx, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = derivative_one(act, x[i], y[i], alpha) * dy[i];
}

void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols, bool log) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = xr[0];
    for (std::size_t j = 1; j < cols; ++j) m = xr[j] > m ? xr[j] : m;
    float sum = 0;
    if (log) {
      for (std::size_t j = 0; j < cols; ++j) sum += std::exp(xr[j] - m);
      float ls = std::log(sum);
      for (std::size_t j = 0; j < cols; ++j) yr[j] = (xr[j] - m) - ls;
    } else {
      for (std::size_t j = 0; j < cols; ++j) sum += (yr[j] = std::exp(xr[j] - m));
      float inv = 1.0f / sum;
      for (std::size_t j = 0; j < cols; ++j) yr[j] *= inv;
    }
  }
}

void softmax_rows_backward(const float* y, const float* dy, float* dx, std::size_t rows,
                           std::size_t cols, bool log) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    float s = 0;
    if (log) {
      for (std::size_t j = 0; j < cols; ++j) s += dyr[j];
      for (std::size_t j = 0; j < cols; ++j) dxr[j] = dyr[j] - std::exp(yr[j]) * s;
    } else {
      for (std::size_t j = 0; j < cols; ++j) s += dyr[j] * yr[j];
      for (std::size_t j = 0; j < cols; ++j) dxr[j] = yr[j] * (dyr[j] - s);
    }
  }
}

}  // namespace scalar
}  // namespace dendrite
