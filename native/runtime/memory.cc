// Allocator tuning for training workloads. Every tensor is a fresh ArrayBuffer that the garbage
// collector frees later; with glibc's defaults, blocks above the (dynamic) mmap threshold are
// mapped and unmapped each time and the heap top is trimmed back to the OS, so every step of a
// CNN page-faults its way through tens of megabytes of new activations and gradients (measured:
// a third of a relu backward over 12.8 MB was page faults). Keeping freed memory in the heap
// lets the next step reuse it. Opt out with DENDRITE_MALLOC_TUNING=0.
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "dendrite/runtime.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dendrite {
namespace runtime {

void tune_allocator_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("DENDRITE_MALLOC_TUNING");
    if (env != nullptr && std::strcmp(env, "0") == 0) return;
#if defined(__GLIBC__)
    // Serve blocks up to 32 MiB (glibc's largest dynamic threshold) from the heap, and keep up
    // to 1 GiB of freed heap instead of trimming it.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
  });
}

}  // namespace runtime
}  // namespace dendrite
