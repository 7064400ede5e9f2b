// Entry points of the activation family (argument checks, then the kernel):
//   activation(act, x, y, alpha)
//   activationBackward(act, x, y, dy, dx, alpha)
//   softmax(x, y, rows, cols, log)
//   softmaxBackward(y, dy, dx, rows, cols, log)
// Every array of one call must have exactly the same length (rows·cols for softmax). Outputs may
// be the very same buffer as an input (in place) but must not partly overlap one.
#include <string>

#include "args.h"
#include "dendrite/activation.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

void require_equal_length(Napi::Env env, const char* op, const char* name, const F32& a,
                          const char* ref_name, std::size_t n) {
  if (a.length != n) {
    throw_range(env, op,
                std::string(name) + " has " + std::to_string(a.length) + " elements, " +
                    ref_name + " has " + std::to_string(n) + ": lengths must be equal");
  }
}

Napi::Value ActivationForward(const Napi::CallbackInfo& info) {
  const char* op = "activation";
  Napi::Env env = info.Env();
  require_args(info, 4, op);
  int act = enum_arg(info, 0, op, "act", kActivationCount);
  F32 x = f32_arg(info, 1, op, "x");
  F32 y = f32_arg(info, 2, op, "y");
  float alpha = float_arg(info, 3, op, "alpha");
  const std::size_t n = x.length;
  require_equal_length(env, op, "y", y, "x", n);
  require_same_or_disjoint(env, op, "y", y, n, "x", x, n);
  activation_forward(static_cast<Activation>(act), x.data, y.data, n, alpha);
  return env.Undefined();
}

Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  const char* op = "activationBackward";
  Napi::Env env = info.Env();
  require_args(info, 6, op);
  int act = enum_arg(info, 0, op, "act", kActivationCount);
  F32 x = f32_arg(info, 1, op, "x");
  F32 y = f32_arg(info, 2, op, "y");
  F32 dy = f32_arg(info, 3, op, "dy");
  F32 dx = f32_arg(info, 4, op, "dx");
  float alpha = float_arg(info, 5, op, "alpha");
  const std::size_t n = x.length;
  require_equal_length(env, op, "y", y, "x", n);
  require_equal_length(env, op, "dy", dy, "x", n);
  require_equal_length(env, op, "dx", dx, "x", n);
  require_same_or_disjoint(env, op, "dx", dx, n, "x", x, n);
  require_same_or_disjoint(env, op, "dx", dx, n, "y", y, n);
  require_same_or_disjoint(env, op, "dx", dx, n, "dy", dy, n);
  activation_backward(static_cast<Activation>(act), x.data, y.data, dy.data, dx.data, n, alpha);
  return env.Undefined();
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const char* op = "softmax";
  Napi::Env env = info.Env();
  require_args(info, 5, op);
  F32 x = f32_arg(info, 0, op, "x");
  F32 y = f32_arg(info, 1, op, "y");
  std::size_t rows = dim_arg(info, 2, op, "rows");
  std::size_t cols = dim_arg(info, 3, op, "cols");
  bool log = bool_arg(info, 4, op, "log");
  const std::size_t n = checked_mul(env, op, rows, cols);
  require_equal_length(env, op, "x", x, "rows·cols", n);
  require_equal_length(env, op, "y", y, "rows·cols", n);
  require_same_or_disjoint(env, op, "y", y, n, "x", x, n);
  softmax_rows(x.data, y.data, rows, cols, log);
  return env.Undefined();
}

Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  const char* op = "softmaxBackward";
  Napi::Env env = info.Env();
  require_args(info, 6, op);
  F32 y = f32_arg(info, 0, op, "y");
  F32 dy = f32_arg(info, 1, op, "dy");
  F32 dx = f32_arg(info, 2, op, "dx");
  std::size_t rows = dim_arg(info, 3, op, "rows");
  std::size_t cols = dim_arg(info, 4, op, "cols");
  bool log = bool_arg(info, 5, op, "log");
  const std::size_t n = checked_mul(env, op, rows, cols);
  require_equal_length(env, op, "y", y, "rows·cols", n);
  require_equal_length(env, op, "dy", dy, "rows·cols", n);
  require_equal_length(env, op, "dx", dx, "rows·cols", n);
  require_same_or_disjoint(env, op, "dx", dx, n, "y", y, n);
  require_same_or_disjoint(env, op, "dx", dx, n, "dy", dy, n);
  softmax_rows_backward(y.data, dy.data, dx.data, rows, cols, log);
  return env.Undefined();
}

}  // namespace

void init_activation(Napi::Env env, Napi::Object exports) {
  exports.Set("activation", Napi::Function::New(env, ActivationForward, "activation"));
  exports.Set("activationBackward",
              Napi::Function::New(env, ActivationBackward, "activationBackward"));
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward, "softmaxBackward"));
}

}  // namespace binding
}  // namespace dendrite
