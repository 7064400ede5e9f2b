// Portable GEMM path: the blocked driver with a plain-C++ 4×8 register tile. It is the fallback
// on CPUs without a SIMD path and the one every other path is checked against in spirit.
#include <cstddef>

#include "gemm_driver.h"
#include "gemm_internal.h"

namespace dendrite {
namespace gemm {
namespace scalar {
namespace {

struct Kernel {
  static constexpr std::size_t MR = 4, NR = 8, VL = 8;
  static constexpr std::size_t KC = 256, NC = 512;
  static constexpr std::size_t PACK_A_MIN_N = 4 * NR;
  static constexpr std::size_t PACK_B_MIN_M = 4 * MR;
  static void pack_bt(const float* src, std::size_t ld, std::size_t kc, std::size_t w, float* dst) {
    pack_bt_generic<NR>(src, ld, kc, w, dst);
  }

  template <int R, int NV, bool KMAJOR>
  static void tile(const Tile& t) {
    float acc[R][NR] = {};
    const std::size_t nr = t.nr;
    for (std::size_t p = 0; p < t.kc; ++p) {
      float bb[NR];
      const float* bp = t.b + p * t.b_ks;
      for (std::size_t j = 0; j < NR; ++j) bb[j] = j < nr ? bp[j] : 0.0f;
      for (int r = 0; r < R; ++r) {
        const float av = KMAJOR ? t.a[p * t.a_ks + r] : t.a[r * t.a_rs + p];
        for (std::size_t j = 0; j < NR; ++j) acc[r][j] += av * bb[j];
      }
    }
    for (int r = 0; r < R; ++r) {
      float* c = t.c + r * t.ldc;
      if (t.beta == 0.0f) {
        for (std::size_t j = 0; j < nr; ++j) c[j] = t.alpha * acc[r][j];
      } else {
        for (std::size_t j = 0; j < nr; ++j) c[j] = t.alpha * acc[r][j] + t.beta * c[j];
      }
    }
  }
};

}  // namespace

void sgemm(const Params& p) { blocked<Kernel>(p); }
Blocking blocking() { return blocking_of<Kernel>(); }

}  // namespace scalar
}  // namespace gemm
}  // namespace dendrite
