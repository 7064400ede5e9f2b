// Private to the gemm kernels: the parameters of one product, the per-ISA entry points and the
// helpers every path shares (scratch buffers, the bias+activation epilogue). No intrinsics here.
#pragma once
#include <cstddef>
#if defined(_MSC_VER) && !defined(__clang__)
#include <xmmintrin.h>
#endif

#include "dendrite/activation.h"
#include "dendrite/gemm.h"

namespace dendrite {
namespace gemm {

// One product C = alpha·op(A)·op(B) + beta·C (row-major, see dendrite/gemm.h), optionally
// followed by C = act(C + bias) on each row panel once it is complete.
struct Params {
  bool ta = false, tb = false;
  std::size_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  std::size_t lda = 0;
  const float* b = nullptr;
  std::size_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  std::size_t ldc = 0;
  bool epilogue = false;
  const float* bias = nullptr;  // n elements or null
  Activation act = Activation::Identity;
  float act_alpha = 0.0f;
  bool threads = true;  // false: stay on the calling thread (batched products run one per task)
};

// Below this many multiply-adds (m·n·k) a product stays on the calling thread.
constexpr double kParallelMinWork = 1.5e6;

// A thread-local, 64-byte aligned buffer of at least n floats; slot picks one of a few buffers.
// It grows when asked for more and is kept for the thread's lifetime (no allocation per call once
// warm). Returns null only if memory is exhausted.
float* scratch(int slot, std::size_t n);
constexpr int kScratchPackedB = 0;
constexpr int kScratchPackedA = 1;
constexpr int kScratchSmall = 2;
constexpr int kScratchPrivateA = 3;

// C[i0 .. i0+rows) × [j0 .. j0+cols) = act(C + bias[j]) when p.epilogue (no-op otherwise).
void epilogue(const Params& p, std::size_t i0, std::size_t rows, std::size_t j0,
              std::size_t cols);

// Asks for the cache line holding p to be brought into L1 (a hint: never faults).
inline void prefetch_l1(const void* p) {
#if defined(_MSC_VER) && !defined(__clang__)
  _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0);
#else
  __builtin_prefetch(p, 0, 3);
#endif
}

// Depth of a k block and width of a packed B panel for a micro-kernel of mr×nr floats, sized
// from this CPU's caches (runtime::cache_sizes()) and bounded by the kernel's kc_max / nc_max:
// the mr×kc A sliver stays in L1 while B slivers stream past it, the kc×nc B panel in L2, and an
// mc×kc block of packed A in L3.
// DENDRITE_GEMM_KC / DENDRITE_GEMM_NC override either (tuning only).
using Blocking = GemmBlocking;
Blocking choose_blocking(std::size_t mr, std::size_t nr, std::size_t kc_max, std::size_t nc_max);

// Per-ISA products (m, n, k > 0 on entry; each applies the epilogue itself) and the blocking
// their blocked driver uses.
namespace scalar {
void sgemm(const Params& p);
Blocking blocking();
}
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 {
void sgemm(const Params& p);
Blocking blocking();
}
namespace avx512 {
void sgemm(const Params& p);
Blocking blocking();
}
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
namespace neon {
void sgemm(const Params& p);
Blocking blocking();
}
#endif

}  // namespace gemm
}  // namespace dendrite
