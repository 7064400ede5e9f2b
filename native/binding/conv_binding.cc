// Entry points of the conv family (argument checks, then the kernel): conv2d,
// conv2dBackwardInput, conv2dBackwardFilter, pool2d, pool2dBackward. `geom` is the geometry's
// fields as an array of integers (see dendrite/conv.h). Every field is bounded so that the
// kernels' index arithmetic cannot overflow, every size product is overflow-checked, every
// buffer is long enough, outputs share no memory with inputs, and the max-pooling argmax
// entries a backward pass scatters through are checked to lie inside their own image.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "args.h"
#include "dendrite/activation.h"
#include "dendrite/conv.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

// Geometry fields stay below 2^31, so the kernels' 64-bit position arithmetic
// (oh·stride − pad + i·dilation and the like) cannot overflow.
constexpr std::size_t kMaxField = std::size_t(std::numeric_limits<std::int32_t>::max());

const char* const kConvFields[kConv2dGeometryFields] = {
    "batch", "inH", "inW", "inC", "outC", "kH", "kW", "strideH", "strideW", "dilationH",
    "dilationW", "padTop", "padLeft", "outH", "outW"};
const char* const kPoolFields[kPool2dGeometryFields] = {
    "batch", "inH", "inW", "channels", "kH", "kW", "strideH", "strideW", "padTop", "padLeft",
    "outH", "outW"};
// The fields that must be at least 1, as [first, end) ranges of the tables above.
constexpr std::size_t kConvPositiveFirst = 5, kConvPositiveEnd = 11;  // kH … dilationW
constexpr std::size_t kPoolPositiveFirst = 4, kPoolPositiveEnd = 8;   // kH … strideW

// Reads `count` geometry integers from argument i into out, each at most kMaxField; the fields
// [first_positive, end_positive) must also be at least 1.
void geometry_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                  const char* const* names, std::size_t count, std::size_t first_positive,
                  std::size_t end_positive, std::size_t* out) {
  std::size_t buf[kConv2dGeometryFields + 1];
  const std::size_t len = dims_array_arg(info, i, op, "geom", buf, kConv2dGeometryFields + 1);
  if (len != count) {
    throw_range(info.Env(), op,
                "geom must hold " + std::to_string(count) + " integers, got " +
                    std::to_string(len));
  }
  for (std::size_t f = 0; f < count; ++f) {
    if (buf[f] > kMaxField) {
      throw_range(info.Env(), op,
                  std::string("geometry field ") + names[f] + " must be below 2^31, got " +
                      std::to_string(buf[f]));
    }
    out[f] = buf[f];
  }
  for (std::size_t f = first_positive; f < end_positive; ++f) {
    if (out[f] == 0) {
      throw_range(info.Env(), op,
                  std::string("geometry field ") + names[f] + " must be at least 1");
    }
  }
}

// batch·h·w·c, overflow-checked as one image (h·w·c) and as the whole batch, as the kernels form
// both.
std::size_t images_len(Napi::Env env, const char* op, std::size_t batch, std::size_t h,
                       std::size_t w, std::size_t c) {
  checked_mul(env, op, checked_mul(env, op, h, w), c);
  return checked_mul(env, op, checked_mul(env, op, checked_mul(env, op, batch, h), w), c);
}

// The element counts of a convolution's operands, overflow-checked in the order the kernels
// form them.
struct ConvSizes {
  std::size_t x, w, y;
};

Conv2dGeometry conv_geometry_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                                 ConvSizes* sizes) {
  Napi::Env env = info.Env();
  std::size_t f[kConv2dGeometryFields];
  geometry_arg(info, i, op, kConvFields, kConv2dGeometryFields, kConvPositiveFirst,
               kConvPositiveEnd, f);
  Conv2dGeometry g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                   f[8], f[9], f[10], f[11], f[12], f[13], f[14]};
  const std::size_t in_plane = checked_mul(env, op, g.in_h, g.in_w);
  const std::size_t in_img = checked_mul(env, op, in_plane, g.in_c);
  sizes->x = checked_mul(env, op, g.batch, in_img);
  checked_mul(env, op, checked_mul(env, op, g.batch, g.in_h), g.in_w);
  const std::size_t pixels = checked_mul(env, op, g.out_h, g.out_w);
  const std::size_t m = checked_mul(env, op, checked_mul(env, op, g.batch, g.out_h), g.out_w);
  checked_mul(env, op, g.batch, pixels);
  sizes->y = checked_mul(env, op, m, g.out_c);
  const std::size_t k = checked_mul(env, op, checked_mul(env, op, g.k_h, g.k_w), g.in_c);
  sizes->w = checked_mul(env, op, k, g.out_c);
  return g;
}

Pool2dGeometry pool_geometry_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                                 std::size_t* x_len, std::size_t* y_len) {
  Napi::Env env = info.Env();
  std::size_t f[kPool2dGeometryFields];
  geometry_arg(info, i, op, kPoolFields, kPool2dGeometryFields, kPoolPositiveFirst,
               kPoolPositiveEnd, f);
  Pool2dGeometry g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]};
  *x_len = images_len(env, op, g.batch, g.in_h, g.in_w, g.channels);
  *y_len = images_len(env, op, g.batch, g.out_h, g.out_w, g.channels);
  return g;
}

constexpr std::size_t kF = sizeof(float);

[[noreturn]] void out_of_memory(Napi::Env env, const char* op) {
  throw_range(env, op, "could not allocate the im2col scratch buffer");
}

// conv2d(geom, x, w, bias, y[, act, actAlpha])
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  const char* op = "conv2d";
  Napi::Env env = info.Env();
  require_args(info, 5, op);
  const bool has_act = info.Length() > 5 && !info[5].IsUndefined();
  const int act = has_act ? enum_arg(info, 5, op, "act", kActivationCount) : 0;
  const float act_alpha = has_act && info.Length() > 6 ? float_arg(info, 6, op, "actAlpha") : 0.0f;
  ConvSizes s;
  const Conv2dGeometry g = conv_geometry_arg(info, 0, op, &s);
  F32 x = f32_arg(info, 1, op, "x");
  F32 w = f32_arg(info, 2, op, "w");
  F32 bias = f32_or_null_arg(info, 3, op, "bias");
  F32 y = f32_arg(info, 4, op, "y");
  const bool has_bias = !is_null_arg(info, 3);
  require_length(env, op, "x", x.length, s.x);
  require_length(env, op, "w", w.length, s.w);
  require_length(env, op, "y", y.length, s.y);
  if (has_bias) require_length(env, op, "bias", bias.length, g.out_c);
  require_no_alias(env, op, "y", y, s.y, "x", x, s.x);
  require_no_alias(env, op, "y", y, s.y, "w", w, s.w);
  if (has_bias) require_no_alias(env, op, "y", y, s.y, "bias", bias, g.out_c);
  const float* bias_data = has_bias && g.out_c > 0 ? bias.data : nullptr;
  if (!conv2d_forward(g, x.data, w.data, bias_data, y.data, static_cast<Activation>(act), act_alpha)) {
    out_of_memory(env, op);
  }
  return env.Undefined();
}

// conv2dBackwardInput(geom, dy, w, dx)
Napi::Value Conv2dBackwardInput(const Napi::CallbackInfo& info) {
  const char* op = "conv2dBackwardInput";
  Napi::Env env = info.Env();
  require_args(info, 4, op);
  ConvSizes s;
  const Conv2dGeometry g = conv_geometry_arg(info, 0, op, &s);
  F32 dy = f32_arg(info, 1, op, "dy");
  F32 w = f32_arg(info, 2, op, "w");
  F32 dx = f32_arg(info, 3, op, "dx");
  require_length(env, op, "dy", dy.length, s.y);
  require_length(env, op, "w", w.length, s.w);
  require_length(env, op, "dx", dx.length, s.x);
  require_no_alias(env, op, "dx", dx, s.x, "dy", dy, s.y);
  require_no_alias(env, op, "dx", dx, s.x, "w", w, s.w);
  if (!conv2d_backward_input(g, dy.data, w.data, dx.data)) out_of_memory(env, op);
  return env.Undefined();
}

// conv2dBackwardFilter(geom, x, dy, dw, db, beta)
Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
  const char* op = "conv2dBackwardFilter";
  Napi::Env env = info.Env();
  require_args(info, 6, op);
  ConvSizes s;
  const Conv2dGeometry g = conv_geometry_arg(info, 0, op, &s);
  F32 x = f32_arg(info, 1, op, "x");
  F32 dy = f32_arg(info, 2, op, "dy");
  F32 dw = f32_arg(info, 3, op, "dw");
  F32 db = f32_or_null_arg(info, 4, op, "db");
  const float beta = float_arg(info, 5, op, "beta");
  const bool has_db = !is_null_arg(info, 4);
  if (beta != 0.0f && beta != 1.0f) {
    throw_range(env, op, "beta must be 0 or 1, got " + std::to_string(beta));
  }
  require_length(env, op, "x", x.length, s.x);
  require_length(env, op, "dy", dy.length, s.y);
  require_length(env, op, "dw", dw.length, s.w);
  if (has_db) require_length(env, op, "db", db.length, g.out_c);
  require_no_alias(env, op, "dw", dw, s.w, "x", x, s.x);
  require_no_alias(env, op, "dw", dw, s.w, "dy", dy, s.y);
  if (has_db) {
    require_no_alias(env, op, "db", db, g.out_c, "x", x, s.x);
    require_no_alias(env, op, "db", db, g.out_c, "dy", dy, s.y);
    require_no_alias(env, op, "db", db, g.out_c, "dw", dw, s.w);
  }
  float* db_data = has_db && g.out_c > 0 ? db.data : nullptr;
  if (!conv2d_backward_filter(g, x.data, dy.data, dw.data, db_data, beta)) out_of_memory(env, op);
  return env.Undefined();
}

// pool2d(isMax, geom, x, y, argmax)
Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  const char* op = "pool2d";
  Napi::Env env = info.Env();
  require_args(info, 5, op);
  const bool is_max = bool_arg(info, 0, op, "isMax");
  std::size_t x_len, y_len;
  const Pool2dGeometry g = pool_geometry_arg(info, 1, op, &x_len, &y_len);
  F32 x = f32_arg(info, 2, op, "x");
  F32 y = f32_arg(info, 3, op, "y");
  // Average pooling ignores argmax; max pooling fills it when given.
  const bool has_argmax = is_max && !is_null_arg(info, 4);
  I32 argmax;
  if (has_argmax) argmax = i32_arg(info, 4, op, "argmax");
  require_length(env, op, "x", x.length, x_len);
  require_length(env, op, "y", y.length, y_len);
  require_no_alias(env, op, "y", y, y_len, "x", x, x_len);
  if (has_argmax) {
    require_length(env, op, "argmax", argmax.length, y_len);
    if (x_len > std::size_t(std::numeric_limits<std::int32_t>::max()) + 1) {
      throw_range(env, op,
                  "x has " + std::to_string(x_len) +
                      " elements, too many for Int32Array argmax indices");
    }
    const std::size_t a_bytes = y_len * sizeof(std::int32_t);
    require_disjoint(env, op, "argmax", argmax.data, a_bytes, "x", x.data, x_len * kF);
    require_disjoint(env, op, "argmax", argmax.data, a_bytes, "y", y.data, y_len * kF);
  }
  pool2d_forward(is_max, g, x.data, y.data, has_argmax ? argmax.data : nullptr);
  return env.Undefined();
}

// pool2dBackward(isMax, geom, dy, argmax, dx)
Napi::Value Pool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "pool2dBackward";
  Napi::Env env = info.Env();
  require_args(info, 5, op);
  const bool is_max = bool_arg(info, 0, op, "isMax");
  std::size_t x_len, y_len;
  const Pool2dGeometry g = pool_geometry_arg(info, 1, op, &x_len, &y_len);
  F32 dy = f32_arg(info, 2, op, "dy");
  I32 argmax;
  if (is_max) {
    if (is_null_arg(info, 3)) throw_type(env, op, "max pooling needs the forward pass's argmax");
    argmax = i32_arg(info, 3, op, "argmax");
  }
  F32 dx = f32_arg(info, 4, op, "dx");
  require_length(env, op, "dy", dy.length, y_len);
  require_length(env, op, "dx", dx.length, x_len);
  require_no_alias(env, op, "dx", dx, x_len, "dy", dy, y_len);
  if (is_max) {
    require_length(env, op, "argmax", argmax.length, y_len);
    require_disjoint(env, op, "dx", dx.data, x_len * kF, "argmax", argmax.data,
                     y_len * sizeof(std::int32_t));
    // Each entry is −1 (empty window) or an index inside the image of its output element: the
    // kernel scatters through them with one thread per image.
    const std::size_t out_img = g.out_h * g.out_w * g.channels;
    const std::size_t in_img = g.in_h * g.in_w * g.channels;
    for (std::size_t o = 0; o < y_len; ++o) {
      const std::int32_t idx = argmax.data[o];
      if (idx == -1) continue;
      const std::size_t lo = (o / out_img) * in_img;
      if (idx < 0 || std::size_t(idx) < lo || std::size_t(idx) >= lo + in_img) {
        throw_range(env, op,
                    "argmax[" + std::to_string(o) + "] = " + std::to_string(idx) +
                        " is not an index inside its image of x (nor −1)");
      }
    }
  }
  pool2d_backward(is_max, g, dy.data, is_max ? argmax.data : nullptr, dx.data);
  return env.Undefined();
}

}  // namespace

void init_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
  exports.Set("conv2dBackwardInput",
              Napi::Function::New(env, Conv2dBackwardInput, "conv2dBackwardInput"));
  exports.Set("conv2dBackwardFilter",
              Napi::Function::New(env, Conv2dBackwardFilter, "conv2dBackwardFilter"));
  exports.Set("pool2d", Napi::Function::New(env, Pool2d, "pool2d"));
  exports.Set("pool2dBackward", Napi::Function::New(env, Pool2dBackward, "pool2dBackward"));
}

}  // namespace binding
}  // namespace dendrite
