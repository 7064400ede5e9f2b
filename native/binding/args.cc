#include "args.h"

#include <cmath>
#include <limits>

namespace dendrite {
namespace binding {

namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 − 1

std::string prefix(const char* op) { return std::string("dendrite.") + op + ": "; }
}  // namespace

void throw_type(Napi::Env env, const char* op, const std::string& what) {
  throw Napi::TypeError::New(env, prefix(op) + what);
}

void throw_range(Napi::Env env, const char* op, const std::string& what) {
  throw Napi::RangeError::New(env, prefix(op) + what);
}

void require_args(const Napi::CallbackInfo& info, std::size_t n, const char* op) {
  if (info.Length() < n) {
    throw_type(info.Env(), op,
               "expected " + std::to_string(n) + " arguments, got " +
                   std::to_string(info.Length()));
  }
}

bool is_null_arg(const Napi::CallbackInfo& info, std::size_t i) {
  return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined();
}

Napi::TypedArray typed_array_value(Napi::Env env, const Napi::Value& v, const char* op,
                                   const std::string& name, napi_typedarray_type type,
                                   const char* type_name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw_type(env, op, name + " must be a " + type_name);
  }
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.ArrayBuffer().IsDetached()) {
    throw_type(env, op, name + " is backed by a detached ArrayBuffer");
  }
  return ta;
}

F32 f32_value(Napi::Env env, const Napi::Value& v, const char* op, const std::string& name) {
  Napi::Float32Array f = typed_array_value(env, v, op, name, napi_float32_array, "Float32Array")
                             .As<Napi::Float32Array>();
  F32 out;
  out.length = f.ElementLength();
  out.data = out.length ? f.Data() : nullptr;
  return out;
}

F32 f32_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name) {
  return f32_value(info.Env(), info[i], op, name);
}

F32 f32_or_null_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                    const char* name) {
  if (is_null_arg(info, i)) return F32{};
  return f32_arg(info, i, op, name);
}

I32 i32_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name) {
  Napi::Int32Array a = typed_array_value(info.Env(), info[i], op, name, napi_int32_array,
                                         "Int32Array")
                           .As<Napi::Int32Array>();
  I32 out;
  out.length = a.ElementLength();
  out.data = out.length ? a.Data() : nullptr;
  return out;
}

std::size_t dim_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                    const char* name) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw_type(info.Env(), op, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d)) {
    throw_range(info.Env(), op, std::string(name) + " must be an integer, got " + std::to_string(d));
  }
  if (d < 0) {
    throw_range(info.Env(), op, std::string(name) + " must be non-negative, got " + std::to_string(d));
  }
  if (d > kMaxSafeInteger) throw_range(info.Env(), op, std::string(name) + " is too large");
  return static_cast<std::size_t>(d);
}

float float_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name,
                bool allow_non_finite) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw_type(info.Env(), op, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!allow_non_finite && !std::isfinite(d)) {
    throw_range(info.Env(), op, std::string(name) + " must be finite, got " + std::to_string(d));
  }
  return static_cast<float>(d);
}

bool bool_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsBoolean()) throw_type(info.Env(), op, std::string(name) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

int enum_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name,
             int count) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw_type(info.Env(), op, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d < count) || d != std::floor(d)) {
    throw_range(info.Env(), op,
                std::string(name) + " must be an integer in [0, " + std::to_string(count) +
                    "), got " + std::to_string(d));
  }
  return static_cast<int>(d);
}

Napi::Array array_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                      const char* name) {
  if (!info[i].IsArray()) throw_type(info.Env(), op, std::string(name) + " must be an array");
  return info[i].As<Napi::Array>();
}

std::size_t dims_array_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                           const char* name, std::size_t* out, std::size_t max_len) {
  Napi::Array arr = array_arg(info, i, op, name);
  std::size_t len = arr.Length();
  if (len > max_len) {
    throw_range(info.Env(), op,
                std::string(name) + " has " + std::to_string(len) + " entries, at most " +
                    std::to_string(max_len) + " allowed");
  }
  for (std::size_t j = 0; j < len; ++j) {
    Napi::Value e = arr.Get(static_cast<uint32_t>(j));
    if (!e.IsNumber()) throw_type(info.Env(), op, std::string(name) + " must hold numbers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || d < 0 || d > kMaxSafeInteger) {
      throw_range(info.Env(), op,
                  std::string(name) + "[" + std::to_string(j) +
                      "] must be a non-negative integer, got " + std::to_string(d));
    }
    out[j] = static_cast<std::size_t>(d);
  }
  return len;
}

std::size_t checked_mul(Napi::Env env, const char* op, std::size_t a, std::size_t b) {
  if (a != 0 && b > static_cast<std::size_t>(kMaxSafeInteger) / a) {
    throw_range(env, op, "size " + std::to_string(a) + " × " + std::to_string(b) + " overflows");
  }
  return a * b;
}

std::size_t checked_add(Napi::Env env, const char* op, std::size_t a, std::size_t b) {
  if (a > static_cast<std::size_t>(kMaxSafeInteger) - b) {
    throw_range(env, op, "size " + std::to_string(a) + " + " + std::to_string(b) + " overflows");
  }
  return a + b;
}

void require_length(Napi::Env env, const char* op, const char* name, std::size_t length,
                    std::size_t needed) {
  if (length < needed) {
    throw_range(env, op,
                std::string(name) + " has " + std::to_string(length) + " elements, needs " +
                    std::to_string(needed));
  }
}

// The largest element index a strided operand reaches over `shape` (overflow-checked); only
// called when the shape holds at least one element.
std::size_t last_index(Napi::Env env, const char* op, std::size_t rank, const std::size_t* shape,
                       const std::size_t* strides) {
  std::size_t last = 0;
  for (std::size_t d = 0; d < rank; ++d) {
    last = checked_add(env, op, last, checked_mul(env, op, shape[d] - 1, strides[d]));
  }
  return last;
}

bool overlaps(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0 || a == nullptr || b == nullptr) return false;
  auto pa = reinterpret_cast<std::uintptr_t>(a);
  auto pb = reinterpret_cast<std::uintptr_t>(b);
  return pa < pb + b_bytes && pb < pa + a_bytes;
}

void require_disjoint(Napi::Env env, const char* op, const char* a_name, const void* a,
                      std::size_t a_bytes, const char* b_name, const void* b,
                      std::size_t b_bytes) {
  if (overlaps(a, a_bytes, b, b_bytes)) {
    throw_range(env, op, std::string(a_name) + " must not share memory with " + b_name);
  }
}

void require_no_alias(Napi::Env env, const char* op, const char* out_name, const F32& out,
                      std::size_t out_len, const char* in_name, const F32& in,
                      std::size_t in_len) {
  require_disjoint(env, op, out_name, out.data, out_len * sizeof(float), in_name, in.data,
                   in_len * sizeof(float));
}

void require_same_or_disjoint(Napi::Env env, const char* op, const char* out_name,
                              const F32& out, std::size_t out_len, const char* in_name,
                              const F32& in, std::size_t in_len) {
  if (out.data == in.data && out_len == in_len) return;
  require_no_alias(env, op, out_name, out, out_len, in_name, in, in_len);
}

}  // namespace binding
}  // namespace dendrite
