// Entry points of the activation family (argument checks, then the kernel).
#include "args.h"
#include "families.h"

namespace dendrite {
namespace binding {

void init_activation(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace binding
}  // namespace dendrite
