// The addon's entry point: each kernel family registers its functions on `exports`.
// No per-instance state is kept, so the addon loads in any number of worker_threads.
#include <napi.h>

#include "dendrite/runtime.h"
#include "families.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  dendrite::runtime::tune_allocator_once();
  dendrite::binding::init_runtime(env, exports);
  dendrite::binding::init_gemm(env, exports);
  dendrite::binding::init_activation(env, exports);
  dendrite::binding::init_elementwise(env, exports);
  dendrite::binding::init_copy(env, exports);
  dendrite::binding::init_conv(env, exports);
  dendrite::binding::init_optim(env, exports);
  dendrite::binding::init_loss(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(dendrite, Init)
