// Argument checks shared by every entry point. The native side never trusts its caller: each
// helper throws a JS TypeError or RangeError (as a C++ Napi::Error, converted at the boundary)
// naming the op and the argument. Kernels are only called after every check passed.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace dendrite {
namespace binding {

struct F32 {
  float* data = nullptr;
  std::size_t length = 0;  // in elements
};

struct I32 {
  std::int32_t* data = nullptr;
  std::size_t length = 0;
};

[[noreturn]] void throw_type(Napi::Env env, const char* op, const std::string& what);
[[noreturn]] void throw_range(Napi::Env env, const char* op, const std::string& what);

// Throws unless at least `n` arguments were passed.
void require_args(const Napi::CallbackInfo& info, std::size_t n, const char* op);

// True when argument i is absent, null or undefined (an optional argument left out).
bool is_null_arg(const Napi::CallbackInfo& info, std::size_t i);

// A typed array of the given type whose buffer is attached. `v` is an argument or an element of
// one; `type_name` is the JS class named in the error ("Float32Array").
Napi::TypedArray typed_array_value(Napi::Env env, const Napi::Value& v, const char* op,
                                   const std::string& name, napi_typedarray_type type,
                                   const char* type_name);
// A Float32Array whose buffer is attached. Zero-length arrays are accepted (data may be null).
F32 f32_value(Napi::Env env, const Napi::Value& v, const char* op, const std::string& name);
F32 f32_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name);
// Like f32_arg, but null/undefined gives {nullptr, 0}.
F32 f32_or_null_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                    const char* name);
I32 i32_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name);

// A non-negative integer (a JS number with no fraction) no larger than 2^53 − 1.
std::size_t dim_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                    const char* name);
// A JS number converted to float; finite unless allow_non_finite.
float float_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name,
                bool allow_non_finite = false);
bool bool_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name);
// An integer in [0, count).
int enum_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op, const char* name,
             int count);
// A JS array (any elements).
Napi::Array array_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                      const char* name);
// A JS array of non-negative integers, at most max_len long, copied into out; returns its length.
std::size_t dims_array_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op,
                           const char* name, std::size_t* out, std::size_t max_len);

// a·b, throwing RangeError on overflow of size_t (or past 2^53 − 1, the largest safe JS integer).
std::size_t checked_mul(Napi::Env env, const char* op, std::size_t a, std::size_t b);
std::size_t checked_add(Napi::Env env, const char* op, std::size_t a, std::size_t b);

// Throws RangeError unless v.length >= needed.
void require_length(Napi::Env env, const char* op, const char* name, std::size_t length,
                    std::size_t needed);

// The largest element index a strided operand reaches over `shape` (overflow-checked); only
// for shapes that hold at least one element.
std::size_t last_index(Napi::Env env, const char* op, std::size_t rank, const std::size_t* shape,
                       const std::size_t* strides);

// True if the byte ranges of two element ranges overlap.
bool overlaps(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes);
// Throws RangeError if the two byte ranges overlap (for arrays of any element type).
void require_disjoint(Napi::Env env, const char* op, const char* a_name, const void* a,
                      std::size_t a_bytes, const char* b_name, const void* b,
                      std::size_t b_bytes);
// Throws RangeError if `out` overlaps `in` (for kernels that cannot work in place).
void require_no_alias(Napi::Env env, const char* op, const char* out_name, const F32& out,
                      std::size_t out_len, const char* in_name, const F32& in,
                      std::size_t in_len);
// Throws RangeError if `out` partly overlaps `in`: identical ranges (true in-place) are allowed.
void require_same_or_disjoint(Napi::Env env, const char* op, const char* out_name,
                              const F32& out, std::size_t out_len, const char* in_name,
                              const F32& in, std::size_t in_len);

}  // namespace binding
}  // namespace dendrite
