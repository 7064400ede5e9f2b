// isa / setIsa / supportedIsas / numThreads / setNumThreads / cacheSizes.
#include <string>

#include "args.h"
#include "dendrite/runtime.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

Napi::Value Isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(runtime::active_isa()));
}

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t n = 0;
  for (int i = 0; i <= static_cast<int>(dendrite::Isa::Avx512); ++i) {
    auto isa = static_cast<dendrite::Isa>(i);
    if (runtime::isa_supported(isa)) out.Set(n++, Napi::String::New(info.Env(), isa_name(isa)));
  }
  return out;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  const char* op = "setIsa";
  require_args(info, 1, op);
  if (!info[0].IsString()) throw_type(info.Env(), op, "isa must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  dendrite::Isa isa;
  if (!isa_from_name(name.c_str(), &isa)) {
    throw_range(info.Env(), op,
                "unknown isa '" + name + "' (expected scalar, neon, avx2 or avx512)");
  }
  if (!runtime::set_isa(isa)) {
    throw_range(info.Env(), op, "isa '" + name + "' is not supported by this CPU");
  }
  return info.Env().Undefined();
}

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), runtime::num_threads());
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const char* op = "setNumThreads";
  require_args(info, 1, op);
  std::size_t n = dim_arg(info, 0, op, "n");
  if (n < 1 || n > 256) throw_range(info.Env(), op, "n must be in [1, 256], got " + std::to_string(n));
  runtime::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

// cacheSizes() → { l1d, l2, l3, detected } in bytes.
Napi::Value CacheSizesInfo(const Napi::CallbackInfo& info) {
  const runtime::CacheSizes& c = runtime::cache_sizes();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("l1d", Napi::Number::New(info.Env(), static_cast<double>(c.l1d)));
  out.Set("l2", Napi::Number::New(info.Env(), static_cast<double>(c.l2)));
  out.Set("l3", Napi::Number::New(info.Env(), static_cast<double>(c.l3)));
  out.Set("detected", Napi::Boolean::New(info.Env(), c.detected));
  return out;
}

}  // namespace

void init_runtime(Napi::Env env, Napi::Object exports) {
  exports.Set("isa", Napi::Function::New(env, Isa, "isa"));
  exports.Set("supportedIsas", Napi::Function::New(env, SupportedIsas, "supportedIsas"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("cacheSizes", Napi::Function::New(env, CacheSizesInfo, "cacheSizes"));
}

}  // namespace binding
}  // namespace dendrite
