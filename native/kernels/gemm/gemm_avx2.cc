// AVX2+FMA GEMM path: the blocked driver with a 6×16 register tile (12 ymm accumulators, two
// vectors of B and six broadcasts of A per step of k). Edge tiles in n use masked loads and
// stores (vmaskmovps), so nothing outside the matrices is touched.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "gemm_driver.h"
#include "gemm_internal.h"

namespace dendrite {
namespace gemm {
namespace avx2 {
namespace {

// Lanes [0, n) set (n clamped to 0..8).
inline __m256i tail_mask(std::size_t n) {
  const int v = n >= 8 ? 8 : static_cast<int>(n);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(v), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

struct Kernel {
  static constexpr std::size_t MR = 6, NR = 16, VL = 8;
  static constexpr std::size_t KC = 256, NC = 768;
  static constexpr std::size_t PACK_A_MIN_N = 3 * NR;
  static constexpr std::size_t PACK_B_MIN_M = 4 * MR;
  static void pack_bt(const float* src, std::size_t ld, std::size_t kc, std::size_t w, float* dst) {
    pack_bt_generic<NR>(src, ld, kc, w, dst);
  }

  template <int R, int NV, bool KMAJOR, bool MASKED>
  static void accumulate(const Tile& t, __m256i m0, __m256i m1, __m256 (&c0)[R],
                         __m256 (&c1)[R]) {
    const float* a = t.a;
    const float* b = t.b;
    const std::size_t a_step = KMAJOR ? t.a_ks : 1;
    const std::size_t rs = t.a_rs;
    const std::size_t b_ks = t.b_ks;
    for (std::size_t p = 0; p < t.kc; ++p) {
      __m256 b0, b1 = _mm256_setzero_ps();
      if (MASKED) {
        b0 = _mm256_maskload_ps(b, m0);
        if (NV == 2) b1 = _mm256_maskload_ps(b + 8, m1);
      } else {
        b0 = _mm256_loadu_ps(b);
        if (NV == 2) b1 = _mm256_loadu_ps(b + 8);
      }
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_broadcast_ss(KMAJOR ? a + r : a + r * rs);
        c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
        if (NV == 2) c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
      }
      a += a_step;
      b += b_ks;
    }
  }

  template <int R, int NV, bool KMAJOR>
  static void tile(const Tile& t) {
    __m256 c0[R], c1[R];
    for (int r = 0; r < R; ++r) {
      c0[r] = _mm256_setzero_ps();
      c1[r] = _mm256_setzero_ps();
    }
    const std::size_t nr = t.nr;
    const bool full = nr == NV * VL;
    const __m256i m0 = NV == 1 ? tail_mask(nr) : tail_mask(8);
    const __m256i m1 = NV == 1 ? tail_mask(0) : tail_mask(nr - 8);
    if (full) {
      accumulate<R, NV, KMAJOR, false>(t, m0, m1, c0, c1);
    } else {
      accumulate<R, NV, KMAJOR, true>(t, m0, m1, c0, c1);
    }
    const __m256 alpha = _mm256_set1_ps(t.alpha);
    const __m256 beta = _mm256_set1_ps(t.beta);
    for (int r = 0; r < R; ++r) {
      float* c = t.c + r * t.ldc;
      __m256 v0 = _mm256_mul_ps(alpha, c0[r]);
      __m256 v1 = _mm256_mul_ps(alpha, c1[r]);
      if (full) {
        if (t.beta != 0.0f) {
          v0 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c), v0);
          if (NV == 2) v1 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c + 8), v1);
        }
        _mm256_storeu_ps(c, v0);
        if (NV == 2) _mm256_storeu_ps(c + 8, v1);
      } else {
        if (t.beta != 0.0f) {
          v0 = _mm256_fmadd_ps(beta, _mm256_maskload_ps(c, m0), v0);
          if (NV == 2) v1 = _mm256_fmadd_ps(beta, _mm256_maskload_ps(c + 8, m1), v1);
        }
        _mm256_maskstore_ps(c, m0, v0);
        if (NV == 2) _mm256_maskstore_ps(c + 8, m1, v1);
      }
    }
  }
};

}  // namespace

void sgemm(const Params& p) { blocked<Kernel>(p); }

}  // namespace avx2
}  // namespace gemm
}  // namespace dendrite
