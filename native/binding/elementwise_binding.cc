// Entry points of the elementwise family (argument checks, then the kernel):
// binary / unary / reduce / argReduce.
#include <cstdint>
#include <string>

#include "args.h"
#include "dendrite/elementwise.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

bool dense_with(std::size_t rank, const std::size_t* shape, const std::size_t* strides) {
  std::size_t expect = 1;
  for (std::size_t d = rank; d-- > 0;) {
    if (shape[d] != 1 && strides[d] != expect) return false;
    expect *= shape[d];
  }
  return true;
}

// out may be exactly an operand that is dense with the output's shape (in place); any other
// overlap is refused.
void check_operand_overlap(Napi::Env env, const char* op, const char* name, const F32& in,
                           std::size_t in_len, bool dense, const F32& out, std::size_t out_len) {
  if (!overlaps(out.data, out_len * sizeof(float), in.data, in_len * sizeof(float))) return;
  if (out.data == in.data && dense) return;
  throw_range(env, op,
              std::string("out partly overlaps ") + name +
                  " (only an exact in-place operand of the output's shape is allowed)");
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  const char* op = "binary";
  Napi::Env env = info.Env();
  require_args(info, 7, op);
  const int code = enum_arg(info, 0, op, "op", kBinaryOpCount);
  F32 a = f32_arg(info, 1, op, "a");
  F32 b = f32_arg(info, 2, op, "b");
  F32 out = f32_arg(info, 3, op, "out");
  std::size_t shape[kMaxRank], sa[kMaxRank], sb[kMaxRank];
  const std::size_t rank = dims_array_arg(info, 4, op, "shape", shape, kMaxRank);
  const std::size_t ra = dims_array_arg(info, 5, op, "aStrides", sa, kMaxRank);
  const std::size_t rb = dims_array_arg(info, 6, op, "bStrides", sb, kMaxRank);
  if (ra != rank || rb != rank) {
    throw_range(env, op,
                "shape, aStrides and bStrides must have the same length, got " +
                    std::to_string(rank) + ", " + std::to_string(ra) + " and " +
                    std::to_string(rb));
  }
  std::size_t total = 1;
  for (std::size_t d = 0; d < rank; ++d) total = checked_mul(env, op, total, shape[d]);
  require_length(env, op, "out", out.length, total);
  if (total == 0) return env.Undefined();  // nothing is read or written
  const std::size_t a_need = checked_add(env, op, last_index(env, op, rank, shape, sa), 1);
  const std::size_t b_need = checked_add(env, op, last_index(env, op, rank, shape, sb), 1);
  if (a.length < a_need) {
    throw_range(env, op,
                "a has " + std::to_string(a.length) + " elements, but its strides reach index " +
                    std::to_string(a_need - 1));
  }
  if (b.length < b_need) {
    throw_range(env, op,
                "b has " + std::to_string(b.length) + " elements, but its strides reach index " +
                    std::to_string(b_need - 1));
  }
  check_operand_overlap(env, op, "a", a, a_need, dense_with(rank, shape, sa), out, total);
  check_operand_overlap(env, op, "b", b, b_need, dense_with(rank, shape, sb), out, total);
  binary_strided(static_cast<BinaryOp>(code), rank, shape, a.data, sa, b.data, sb, out.data);
  return env.Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  const char* op = "unary";
  Napi::Env env = info.Env();
  require_args(info, 5, op);
  const int code = enum_arg(info, 0, op, "op", kUnaryOpCount);
  F32 x = f32_arg(info, 1, op, "x");
  F32 y = f32_arg(info, 2, op, "y");
  const bool clamp = static_cast<UnaryOp>(code) == UnaryOp::Clamp;
  const float p0 = float_arg(info, 3, op, "p0", !clamp);
  const float p1 = float_arg(info, 4, op, "p1", !clamp);
  if (clamp && !(p0 <= p1)) {
    throw_range(env, op,
                "clamp needs p0 <= p1, got " + std::to_string(p0) + " > " + std::to_string(p1));
  }
  const std::size_t n = x.length;
  require_length(env, op, "y", y.length, n);
  require_same_or_disjoint(env, op, "y", y, n, "x", x, n);
  unary(static_cast<UnaryOp>(code), x.data, y.data, n, p0, p1);
  return env.Undefined();
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const char* op = "reduce";
  Napi::Env env = info.Env();
  require_args(info, 7, op);
  const int code = enum_arg(info, 0, op, "op", kReduceOpCount);
  F32 x = f32_arg(info, 1, op, "x");
  const std::size_t outer = dim_arg(info, 2, op, "outer");
  const std::size_t len = dim_arg(info, 3, op, "len");
  const std::size_t inner = dim_arg(info, 4, op, "inner");
  F32 out = f32_arg(info, 5, op, "out");
  const float correction = float_arg(info, 6, op, "correction");
  const std::size_t n_out = checked_mul(env, op, outer, inner);
  const std::size_t n_in = checked_mul(env, op, n_out, len);
  require_length(env, op, "x", x.length, n_in);
  require_length(env, op, "out", out.length, n_out);
  require_no_alias(env, op, "out", out, n_out, "x", x, n_in);
  reduce_axis(static_cast<ReduceOp>(code), x.data, outer, len, inner, out.data, correction);
  return env.Undefined();
}

Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  const char* op = "argReduce";
  Napi::Env env = info.Env();
  require_args(info, 6, op);
  const bool is_max = bool_arg(info, 0, op, "isMax");
  F32 x = f32_arg(info, 1, op, "x");
  const std::size_t outer = dim_arg(info, 2, op, "outer");
  const std::size_t len = dim_arg(info, 3, op, "len");
  const std::size_t inner = dim_arg(info, 4, op, "inner");
  I32 out = i32_arg(info, 5, op, "out");
  if (len < 1) throw_range(env, op, "len must be at least 1, got 0");
  if (len > static_cast<std::size_t>(INT32_MAX)) {
    throw_range(env, op, "len " + std::to_string(len) + " does not fit an Int32Array index");
  }
  const std::size_t n_out = checked_mul(env, op, outer, inner);
  const std::size_t n_in = checked_mul(env, op, n_out, len);
  require_length(env, op, "x", x.length, n_in);
  require_length(env, op, "out", out.length, n_out);
  // An Int32Array may view the same ArrayBuffer as x.
  if (overlaps(out.data, n_out * sizeof(std::int32_t), x.data, n_in * sizeof(float))) {
    throw_range(env, op, "out must not share memory with x");
  }
  arg_reduce_axis(is_max, x.data, outer, len, inner, out.data);
  return env.Undefined();
}

}  // namespace

void init_elementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce, "argReduce"));
}

}  // namespace binding
}  // namespace dendrite
