// AVX-512 GEMM path: the blocked driver with a 14×32 register tile (28 zmm accumulators, two
// vectors of B and fourteen broadcasts of A per step of k). Edge tiles use masked loads and
// stores, so nothing outside the matrices is touched.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "gemm_driver.h"
#include "gemm_internal.h"

namespace dendrite {
namespace gemm {
namespace avx512 {
namespace {

inline __mmask16 tail_mask(std::size_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

struct Kernel {
  static constexpr std::size_t MR = 14, NR = 32, VL = 16;
  static constexpr std::size_t KC = 256, NC = 768;
  static constexpr std::size_t PACK_A_MIN_N = 3 * NR;
  static constexpr std::size_t PACK_B_MIN_M = 4 * MR;

  // Accumulators are named variables (not arrays) so the compiler keeps all 28 in registers.
  template <int R, int NV, bool KMAJOR>
  static void tile(const Tile& t) {
#define DENDRITE_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define DENDRITE_DECL(r) __m512 c0_##r = _mm512_setzero_ps(), c1_##r = _mm512_setzero_ps();
    DENDRITE_ROWS(DENDRITE_DECL)
    const std::size_t nr = t.nr;
    const __mmask16 m0 = NV == 1 ? tail_mask(nr) : __mmask16(0xFFFF);
    const __mmask16 m1 = NV == 1 ? __mmask16(0) : tail_mask(nr - 16);
    const float* a = t.a;
    const float* b = t.b;
    const std::size_t a_step = KMAJOR ? t.a_ks : 1;
    const std::size_t rs = t.a_rs;
    const std::size_t b_ks = t.b_ks;
    for (std::size_t p = 0; p < t.kc; ++p) {
      const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
      __m512 b1 = _mm512_setzero_ps();
      if (NV == 2) b1 = _mm512_maskz_loadu_ps(m1, b + 16);
#define DENDRITE_STEP(r)                                                   \
  if (R > r) {                                                             \
    const __m512 av = _mm512_set1_ps(KMAJOR ? a[r] : a[r * rs]);           \
    c0_##r = _mm512_fmadd_ps(av, b0, c0_##r);                              \
    if (NV == 2) c1_##r = _mm512_fmadd_ps(av, b1, c1_##r);                 \
  }
      DENDRITE_ROWS(DENDRITE_STEP)
      a += a_step;
      b += b_ks;
    }
    const __m512 alpha = _mm512_set1_ps(t.alpha);
    const __m512 beta = _mm512_set1_ps(t.beta);
    const bool read_c = t.beta != 0.0f;
#define DENDRITE_STORE(r)                                                            \
  if (R > r) {                                                                       \
    float* c = t.c + r * t.ldc;                                                      \
    __m512 v0 = _mm512_mul_ps(alpha, c0_##r);                                        \
    if (read_c) v0 = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(m0, c), v0);        \
    _mm512_mask_storeu_ps(c, m0, v0);                                                \
    if (NV == 2) {                                                                   \
      __m512 v1 = _mm512_mul_ps(alpha, c1_##r);                                      \
      if (read_c) v1 = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(m1, c + 16), v1); \
      _mm512_mask_storeu_ps(c + 16, m1, v1);                                         \
    }                                                                                \
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

}  // namespace avx512
}  // namespace gemm
}  // namespace dendrite
