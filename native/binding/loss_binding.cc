// Entry points of the loss family (argument checks, then the kernel):
//   softmaxCrossEntropy(logits, rows, cols, labels, target, loss, grad)
//     logits [rows·cols]; exactly one of labels (Int32Array [rows], each in [0, cols)) and
//     target (Float32Array [rows·cols]); loss [rows]; grad null or [rows·cols]. grad may be
//     logits itself but must not overlap target; loss overlaps nothing; labels overlap no output.
#include <cstdint>
#include <string>

#include "args.h"
#include "dendrite/loss.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

void require_exact(Napi::Env env, const char* op, const char* name, std::size_t length,
                   const char* what, std::size_t n) {
  if (length != n) {
    throw_range(env, op,
                std::string(name) + " has " + std::to_string(length) + " elements, expected " +
                    what + " = " + std::to_string(n));
  }
}

Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const char* op = "softmaxCrossEntropy";
  Napi::Env env = info.Env();
  require_args(info, 7, op);
  F32 logits = f32_arg(info, 0, op, "logits");
  const std::size_t rows = dim_arg(info, 1, op, "rows");
  const std::size_t cols = dim_arg(info, 2, op, "cols");
  const bool has_labels = !info[3].IsNull() && !info[3].IsUndefined();
  I32 labels = has_labels ? i32_arg(info, 3, op, "labels") : I32{};
  F32 target = f32_or_null_arg(info, 4, op, "target");
  const bool has_target = !info[4].IsNull() && !info[4].IsUndefined();
  F32 loss = f32_arg(info, 5, op, "loss");
  F32 grad = f32_or_null_arg(info, 6, op, "grad");
  const bool has_grad = !info[6].IsNull() && !info[6].IsUndefined();
  if (has_labels == has_target) {
    throw_type(env, op, "pass exactly one of labels and target (the other null)");
  }

  const std::size_t n = checked_mul(env, op, rows, cols);
  require_exact(env, op, "logits", logits.length, "rows·cols", n);
  require_exact(env, op, "loss", loss.length, "rows", rows);
  if (has_labels) require_exact(env, op, "labels", labels.length, "rows", rows);
  if (has_target) require_exact(env, op, "target", target.length, "rows·cols", n);
  if (has_grad) require_exact(env, op, "grad", grad.length, "rows·cols", n);

  require_no_alias(env, op, "loss", loss, rows, "logits", logits, n);
  if (has_target) require_no_alias(env, op, "loss", loss, rows, "target", target, n);
  if (has_grad) {
    require_no_alias(env, op, "loss", loss, rows, "grad", grad, n);
    require_same_or_disjoint(env, op, "grad", grad, n, "logits", logits, n);
    if (has_target) require_no_alias(env, op, "grad", grad, n, "target", target, n);
  }
  if (has_labels) {
    const std::size_t lb = rows * sizeof(std::int32_t);
    if (overlaps(labels.data, lb, loss.data, rows * sizeof(float)) ||
        (has_grad && overlaps(labels.data, lb, grad.data, n * sizeof(float)))) {
      throw_range(env, op, "labels must not share memory with loss or grad");
    }
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int32_t y = labels.data[r];
      if (y < 0 || static_cast<std::size_t>(y) >= cols) {
        throw_range(env, op,
                    "label " + std::to_string(y) + " in row " + std::to_string(r) +
                        " is outside [0, " + std::to_string(cols) + ")");
      }
    }
  }
  softmax_cross_entropy(logits.data, rows, cols, has_labels ? labels.data : nullptr,
                        has_target ? target.data : nullptr, loss.data,
                        has_grad ? grad.data : nullptr);
  return env.Undefined();
}

}  // namespace

void init_loss(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxCrossEntropy",
              Napi::Function::New(env, SoftmaxCrossEntropy, "softmaxCrossEntropy"));
}

}  // namespace binding
}  // namespace dendrite
