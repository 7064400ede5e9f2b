// NEON GEMM path (arm64): the blocked driver with an 8×8 register tile (16 q-register
// accumulators, two vectors of B and eight scalar multiplies by A per step of k). Edge tiles in n
// go through a small zero-filled buffer, so nothing outside the matrices is touched.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include <cstddef>

#include "gemm_driver.h"
#include "gemm_internal.h"

namespace dendrite {
namespace gemm {
namespace neon {
namespace {

struct Kernel {
  static constexpr std::size_t MR = 8, NR = 8, VL = 4;
  static constexpr std::size_t KC = 256, NC = 512;
  static constexpr std::size_t PACK_A_MIN_N = 3 * NR;
  static constexpr std::size_t PACK_B_MIN_M = 4 * MR;
  static void pack_bt(const float* src, std::size_t ld, std::size_t kc, std::size_t w, float* dst) {
    pack_bt_generic<NR>(src, ld, kc, w, dst);
  }

  // Accumulators are named variables (not arrays) so the compiler keeps them in registers.
  template <int R, int NV, bool KMAJOR>
  static void tile(const Tile& t) {
#define DENDRITE_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define DENDRITE_DECL(r) float32x4_t c0_##r = vdupq_n_f32(0.0f), c1_##r = vdupq_n_f32(0.0f);
    DENDRITE_ROWS(DENDRITE_DECL)
    const std::size_t nr = t.nr;
    const bool full = nr == std::size_t(NV) * VL;
    const float* a = t.a;
    const float* b = t.b;
    const std::size_t a_step = KMAJOR ? t.a_ks : 1;
    const std::size_t rs = t.a_rs;
    const std::size_t b_ks = t.b_ks;
    for (std::size_t p = 0; p < t.kc; ++p) {
      float32x4_t b0, b1 = vdupq_n_f32(0.0f);
      if (full) {
        b0 = vld1q_f32(b);
        if (NV == 2) b1 = vld1q_f32(b + 4);
      } else {
        float tmp[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
        for (std::size_t j = 0; j < nr; ++j) tmp[j] = b[j];
        b0 = vld1q_f32(tmp);
        b1 = vld1q_f32(tmp + 4);
      }
#define DENDRITE_STEP(r)                                         \
  if (R > r) {                                                   \
    const float av = KMAJOR ? a[r] : a[r * rs];                  \
    c0_##r = vfmaq_n_f32(c0_##r, b0, av);                        \
    if (NV == 2) c1_##r = vfmaq_n_f32(c1_##r, b1, av);           \
  }
      DENDRITE_ROWS(DENDRITE_STEP)
      a += a_step;
      b += b_ks;
    }
    const float alpha = t.alpha;
    const float beta = t.beta;
#define DENDRITE_STORE(r)                                                     \
  if (R > r) {                                                                \
    float* c = t.c + r * t.ldc;                                               \
    float32x4_t v0 = vmulq_n_f32(c0_##r, alpha);                              \
    float32x4_t v1 = vmulq_n_f32(c1_##r, alpha);                              \
    if (full) {                                                               \
      if (beta != 0.0f) v0 = vfmaq_n_f32(v0, vld1q_f32(c), beta);             \
      vst1q_f32(c, v0);                                                       \
      if (NV == 2) {                                                          \
        if (beta != 0.0f) v1 = vfmaq_n_f32(v1, vld1q_f32(c + 4), beta);       \
        vst1q_f32(c + 4, v1);                                                 \
      }                                                                       \
    } else {                                                                  \
      float tmp[8];                                                           \
      vst1q_f32(tmp, v0);                                                     \
      vst1q_f32(tmp + 4, v1);                                                 \
      for (std::size_t j = 0; j < nr; ++j) {                                  \
        c[j] = beta == 0.0f ? tmp[j] : tmp[j] + beta * c[j];                  \
      }                                                                       \
    }                                                                         \
  }
    DENDRITE_ROWS(DENDRITE_STORE)
#undef DENDRITE_STORE
#undef DENDRITE_STEP
#undef DENDRITE_DECL
#undef DENDRITE_ROWS
  }
};

}  // namespace

void sgemm(const Params& p) { blocked<Kernel>(p); }
Blocking blocking() { return blocking_of<Kernel>(); }

}  // namespace neon
}  // namespace gemm
}  // namespace dendrite

#endif  // arm64
