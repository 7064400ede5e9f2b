// Placeholder: the optim family registers its entry points here.
#include <napi.h>

#include "families.h"

namespace dendrite {
namespace binding {

void init_optim(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace binding
}  // namespace dendrite
