// Entry points of the elementwise family (argument checks, then the kernel).
#include "args.h"
#include "families.h"

namespace dendrite {
namespace binding {

void init_elementwise(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace binding
}  // namespace dendrite
