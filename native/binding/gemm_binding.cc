// Entry points of the gemm family (argument checks, then the kernel): gemm, gemmBatched,
// gemmBiasAct. Every length is checked against the shapes with overflow-checked products, and
// the output may not share memory with an input (the kernels read A and B after writing C).
#include "args.h"
#include "dendrite/activation.h"
#include "dendrite/gemm.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

// Every operand long enough for its matrices, and C sharing no memory with A or B.
void check_operands(Napi::Env env, const char* op, const F32& a, std::size_t a_len, const F32& b,
                    std::size_t b_len, const F32& c, std::size_t c_len) {
  require_length(env, op, "a", a.length, a_len);
  require_length(env, op, "b", b.length, b_len);
  require_length(env, op, "c", c.length, c_len);
  require_no_alias(env, op, "c", c, c_len, "a", a, a_len);
  require_no_alias(env, op, "c", c, c_len, "b", b, b_len);
}

// gemm(transA, transB, m, n, k, alpha, a, b, beta, c)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const char* op = "gemm";
  Napi::Env env = info.Env();
  require_args(info, 10, op);
  const bool ta = bool_arg(info, 0, op, "transA");
  const bool tb = bool_arg(info, 1, op, "transB");
  const std::size_t m = dim_arg(info, 2, op, "m");
  const std::size_t n = dim_arg(info, 3, op, "n");
  const std::size_t k = dim_arg(info, 4, op, "k");
  const float alpha = float_arg(info, 5, op, "alpha");
  F32 a = f32_arg(info, 6, op, "a");
  F32 b = f32_arg(info, 7, op, "b");
  const float beta = float_arg(info, 8, op, "beta");
  F32 c = f32_arg(info, 9, op, "c");

  const std::size_t a_len = checked_mul(env, op, m, k);
  const std::size_t b_len = checked_mul(env, op, k, n);
  const std::size_t c_len = checked_mul(env, op, m, n);
  check_operands(env, op, a, a_len, b, b_len, c, c_len);

  sgemm(ta, tb, m, n, k, alpha, a.data, ta ? m : k, b.data, tb ? k : n, beta, c.data, n);
  return env.Undefined();
}

// Elements spanned by `batch` matrices of `size` elements placed `stride` apart.
std::size_t batched_span(Napi::Env env, const char* op, std::size_t batch, std::size_t stride,
                         std::size_t size) {
  if (batch == 0 || size == 0) return 0;
  return checked_add(env, op, checked_mul(env, op, batch - 1, stride), size);
}

// gemmBatched(batch, transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC)
Napi::Value GemmBatched(const Napi::CallbackInfo& info) {
  const char* op = "gemmBatched";
  Napi::Env env = info.Env();
  require_args(info, 14, op);
  const std::size_t batch = dim_arg(info, 0, op, "batch");
  const bool ta = bool_arg(info, 1, op, "transA");
  const bool tb = bool_arg(info, 2, op, "transB");
  const std::size_t m = dim_arg(info, 3, op, "m");
  const std::size_t n = dim_arg(info, 4, op, "n");
  const std::size_t k = dim_arg(info, 5, op, "k");
  const float alpha = float_arg(info, 6, op, "alpha");
  F32 a = f32_arg(info, 7, op, "a");
  const std::size_t stride_a = dim_arg(info, 8, op, "strideA");
  F32 b = f32_arg(info, 9, op, "b");
  const std::size_t stride_b = dim_arg(info, 10, op, "strideB");
  const float beta = float_arg(info, 11, op, "beta");
  F32 c = f32_arg(info, 12, op, "c");
  const std::size_t stride_c = dim_arg(info, 13, op, "strideC");

  const std::size_t a_size = checked_mul(env, op, m, k);
  const std::size_t b_size = checked_mul(env, op, k, n);
  const std::size_t c_size = checked_mul(env, op, m, n);
  if (batch > 1 && stride_c < c_size) {
    throw_range(env, op,
                "strideC must be at least m·n = " + std::to_string(c_size) +
                    " so the outputs do not overlap, got " + std::to_string(stride_c));
  }
  const std::size_t a_len = batched_span(env, op, batch, stride_a, a_size);
  const std::size_t b_len = batched_span(env, op, batch, stride_b, b_size);
  const std::size_t c_len = batched_span(env, op, batch, stride_c, c_size);
  check_operands(env, op, a, a_len, b, b_len, c, c_len);

  sgemm_batched(batch, ta, tb, m, n, k, alpha, a.data, stride_a, b.data, stride_b, beta, c.data,
                stride_c);
  return env.Undefined();
}

// gemmBiasAct(transA, transB, m, n, k, a, b, bias, act, actAlpha, c)
Napi::Value GemmBiasAct(const Napi::CallbackInfo& info) {
  const char* op = "gemmBiasAct";
  Napi::Env env = info.Env();
  require_args(info, 11, op);
  const bool ta = bool_arg(info, 0, op, "transA");
  const bool tb = bool_arg(info, 1, op, "transB");
  const std::size_t m = dim_arg(info, 2, op, "m");
  const std::size_t n = dim_arg(info, 3, op, "n");
  const std::size_t k = dim_arg(info, 4, op, "k");
  F32 a = f32_arg(info, 5, op, "a");
  F32 b = f32_arg(info, 6, op, "b");
  F32 bias = f32_or_null_arg(info, 7, op, "bias");
  const int act = enum_arg(info, 8, op, "act", kActivationCount);
  const float act_alpha = float_arg(info, 9, op, "actAlpha");
  F32 c = f32_arg(info, 10, op, "c");
  const bool has_bias = !(info[7].IsNull() || info[7].IsUndefined());

  const std::size_t a_len = checked_mul(env, op, m, k);
  const std::size_t b_len = checked_mul(env, op, k, n);
  const std::size_t c_len = checked_mul(env, op, m, n);
  check_operands(env, op, a, a_len, b, b_len, c, c_len);
  if (has_bias) require_length(env, op, "bias", bias.length, n);
  if (has_bias) require_no_alias(env, op, "c", c, c_len, "bias", bias, n);

  // A zero-length bias (n == 0) has no data pointer; nothing reads it then.
  const float* bias_data = has_bias && n > 0 ? bias.data : nullptr;
  sgemm_bias_act(ta, tb, m, n, k, a.data, b.data, bias_data, static_cast<Activation>(act),
                 act_alpha, c.data);
  return env.Undefined();
}

// gemmBlocking() → { mr, nr, kc, nc, mc } of the active path.
Napi::Value GemmBlockingInfo(const Napi::CallbackInfo& info) {
  const GemmBlocking b = gemm_blocking();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("mr", Napi::Number::New(info.Env(), static_cast<double>(b.mr)));
  out.Set("nr", Napi::Number::New(info.Env(), static_cast<double>(b.nr)));
  out.Set("kc", Napi::Number::New(info.Env(), static_cast<double>(b.kc)));
  out.Set("nc", Napi::Number::New(info.Env(), static_cast<double>(b.nc)));
  out.Set("mc", Napi::Number::New(info.Env(), static_cast<double>(b.mc)));
  return out;
}

}  // namespace

void init_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("gemmBatched", Napi::Function::New(env, GemmBatched, "gemmBatched"));
  exports.Set("gemmBiasAct", Napi::Function::New(env, GemmBiasAct, "gemmBiasAct"));
  exports.Set("gemmBlocking", Napi::Function::New(env, GemmBlockingInfo, "gemmBlocking"));
}

}  // namespace binding
}  // namespace dendrite
