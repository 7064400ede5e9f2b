// AVX2+FMA GEMM path: the blocked driver with a 6×16 register tile (12 ymm accumulators, two
// vectors of B and one broadcast of A per row and step of k: 15 of the 16 ymm registers), k
// unrolled by four with B fetched ahead. Edge tiles in n use masked loads and stores
// (vmaskmovps), so nothing outside the matrices is touched. Products with few columns (a 10-wide
// output layer) take a dot-product path instead.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

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

// The 8×8 block at rp[i] + p (i < 8), transposed: o[q] holds column q.
inline void transpose8(const float* const (&rp)[8], std::size_t p, __m256 (&o)[8]) {
  const __m256 r0 = _mm256_loadu_ps(rp[0] + p), r1 = _mm256_loadu_ps(rp[1] + p);
  const __m256 r2 = _mm256_loadu_ps(rp[2] + p), r3 = _mm256_loadu_ps(rp[3] + p);
  const __m256 r4 = _mm256_loadu_ps(rp[4] + p), r5 = _mm256_loadu_ps(rp[5] + p);
  const __m256 r6 = _mm256_loadu_ps(rp[6] + p), r7 = _mm256_loadu_ps(rp[7] + p);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  o[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  o[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  o[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  o[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  o[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  o[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  o[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  o[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

struct Kernel {
  static constexpr std::size_t MR = 6, NR = 16, VL = 8;
  // Upper bounds; blocked() takes the sizes for this CPU's caches from gemm_blocking().
  static constexpr std::size_t KC = 384, NC = 4096;
  static constexpr std::size_t PACK_A_MIN_N = 3 * NR;
  static constexpr std::size_t PACK_B_MIN_M = 4 * MR;

  // Transposing pack of op(B) = Bᵀ in 8×8 blocks, the remainder element by element.
  static void pack_bt(const float* src, std::size_t ld, std::size_t kc, std::size_t w, float* dst) {
    std::size_t j = 0;
    for (; j + 8 <= w; j += 8) {
      const float* s = src + j * ld;
      const float* rp[8] = {s, s + ld, s + 2 * ld, s + 3 * ld,
                            s + 4 * ld, s + 5 * ld, s + 6 * ld, s + 7 * ld};
      std::size_t p = 0;
      for (; p + 8 <= kc; p += 8) {
        __m256 o[8];
        transpose8(rp, p, o);
        for (int q = 0; q < 8; ++q) _mm256_storeu_ps(dst + (p + q) * NR + j, o[q]);
      }
      for (; p < kc; ++p) {
        for (std::size_t jj = 0; jj < 8; ++jj) dst[p * NR + j + jj] = s[jj * ld + p];
      }
    }
    if (j < w) pack_bt_generic<NR>(src + j * ld, ld, kc, w - j, dst + j);
  }

  // Stores lanes 0..5 of v at d (a 4-float and a 2-float store: VEX masked stores are slow on
  // several CPUs).
  static void store6(float* d, __m256 v) {
    _mm_storeu_ps(d, _mm256_castps256_ps128(v));
    _mm_storel_pi(reinterpret_cast<__m64*>(d + 4), _mm256_extractf128_ps(v, 1));
  }

  // A stored row by row is never packed on this path: six rows never crowd an L1 set
  // (rows_collide in gemm_driver.h), so tiles read it in place.

  // Packs mr <= MR rows of A stored step by step: dst[p·MR + r] = src[p·ld + r].
  static void pack_at(const float* src, std::size_t ld, std::size_t kc, std::size_t mr,
                      float* dst) {
    const __m256i mask = tail_mask(mr);
    for (std::size_t p = 0; p < kc; ++p) store6(dst + p * MR, _mm256_maskload_ps(src + p * ld, mask));
  }

  // Accumulators are named variables (not arrays) so the compiler keeps all twelve in registers.
  template <int R, int NV, bool KMAJOR>
  static void tile(const Tile& t) {
#define DENDRITE_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define DENDRITE_DECL(r) __m256 c0_##r = _mm256_setzero_ps(), c1_##r = _mm256_setzero_ps();
    DENDRITE_ROWS(DENDRITE_DECL)
    const std::size_t nr = t.nr;
    const bool full = nr == std::size_t(NV) * VL;
    const __m256i m0 = NV == 1 ? tail_mask(nr) : tail_mask(8);
    const __m256i m1 = NV == 1 ? tail_mask(0) : tail_mask(nr - 8);
    // The C tile is read or written only after the k loop: start bringing it in now.
#define DENDRITE_PREFETCH_C(r) \
  if (R > r) _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc), _MM_HINT_T1);
    DENDRITE_ROWS(DENDRITE_PREFETCH_C)
#undef DENDRITE_PREFETCH_C
    const float* a = t.a;
    const float* b = t.b;
    const std::size_t a_step = KMAJOR ? t.a_ks : 1;
    const std::size_t rs = t.a_rs;
    const std::size_t b_ks = t.b_ks;
#define DENDRITE_FMA(r)                                                  \
  if (R > r) {                                                           \
    const __m256 av = _mm256_broadcast_ss(KMAJOR ? a + r : a + r * rs);  \
    c0_##r = _mm256_fmadd_ps(av, b0, c0_##r);                            \
    if (NV == 2) c1_##r = _mm256_fmadd_ps(av, b1, c1_##r);               \
  }
#define DENDRITE_STEP_FULL                                                    \
  {                                                                           \
    const __m256 b0 = _mm256_loadu_ps(b);                                     \
    const __m256 b1 = NV == 2 ? _mm256_loadu_ps(b + 8) : _mm256_setzero_ps(); \
    DENDRITE_ROWS(DENDRITE_FMA)                                               \
    a += a_step;                                                              \
    b += b_ks;                                                                \
  }
    std::size_t p = 0;
    if (full && KMAJOR && a_step == MR && b_ks == NR) {
      // Both operands packed: constant strides, so each step is two loads, six broadcasts and
      // twelve FMAs addressed off two pointers.
#define DENDRITE_STEP_PACKED(q)                                               \
  {                                                                           \
    const __m256 b0 = _mm256_loadu_ps(b + (q) * NR);                          \
    const __m256 b1 = NV == 2 ? _mm256_loadu_ps(b + (q) * NR + 8) : _mm256_setzero_ps(); \
    const float* aq = a + (q) * MR;                                           \
    DENDRITE_ROWS(DENDRITE_FMA_AT)                                            \
  }
#define DENDRITE_FMA_AT(r)                                \
  if (R > r) {                                            \
    const __m256 av = _mm256_broadcast_ss(aq + r);        \
    c0_##r = _mm256_fmadd_ps(av, b0, c0_##r);             \
    if (NV == 2) c1_##r = _mm256_fmadd_ps(av, b1, c1_##r); \
  }
      for (; p + 4 <= t.kc; p += 4) {
        _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(b + 9 * NR), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(b + 10 * NR), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(b + 11 * NR), _MM_HINT_T0);
        DENDRITE_STEP_PACKED(0)
        DENDRITE_STEP_PACKED(1)
        DENDRITE_STEP_PACKED(2)
        DENDRITE_STEP_PACKED(3)
        a += 4 * MR;
        b += 4 * NR;
      }
      for (; p < t.kc; ++p) {
        DENDRITE_STEP_PACKED(0)
        a += MR;
        b += NR;
      }
#undef DENDRITE_FMA_AT
#undef DENDRITE_STEP_PACKED
    } else if (full) {
      for (; p < t.kc; ++p) {
        // B a few steps ahead: unpacked rows are a stride apart.
        _mm_prefetch(reinterpret_cast<const char*>(b + 8 * b_ks), _MM_HINT_T0);
        DENDRITE_STEP_FULL
      }
    } else {
      for (; p < t.kc; ++p) {
        const __m256 b0 = _mm256_maskload_ps(b, m0);
        const __m256 b1 = NV == 2 ? _mm256_maskload_ps(b + 8, m1) : _mm256_setzero_ps();
        DENDRITE_ROWS(DENDRITE_FMA)
        a += a_step;
        b += b_ks;
      }
    }
#undef DENDRITE_STEP_FULL
#undef DENDRITE_FMA
    const __m256 alpha = _mm256_set1_ps(t.alpha);
    const __m256 beta = _mm256_set1_ps(t.beta);
    const bool read_c = t.beta != 0.0f;
#define DENDRITE_STORE(r)                                                                \
  if (R > r) {                                                                           \
    float* c = t.c + r * t.ldc;                                                          \
    __m256 v0 = _mm256_mul_ps(alpha, c0_##r);                                            \
    __m256 v1 = _mm256_mul_ps(alpha, c1_##r);                                            \
    if (full) {                                                                          \
      if (read_c) {                                                                      \
        v0 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c), v0);                              \
        if (NV == 2) v1 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c + 8), v1);             \
      }                                                                                  \
      _mm256_storeu_ps(c, v0);                                                           \
      if (NV == 2) _mm256_storeu_ps(c + 8, v1);                                          \
    } else {                                                                             \
      if (read_c) {                                                                      \
        v0 = _mm256_fmadd_ps(beta, _mm256_maskload_ps(c, m0), v0);                       \
        if (NV == 2) v1 = _mm256_fmadd_ps(beta, _mm256_maskload_ps(c + 8, m1), v1);      \
      }                                                                                  \
      _mm256_maskstore_ps(c, m0, v0);                                                    \
      if (NV == 2) _mm256_maskstore_ps(c + 8, m1, v1);                                   \
    }                                                                                    \
  }
    DENDRITE_ROWS(DENDRITE_STORE)
#undef DENDRITE_STORE
#undef DENDRITE_DECL
#undef DENDRITE_ROWS
  }
};

// Products with few columns (n <= kThinN, A not transposed), such as a layer with 10 outputs:
// C(i, j) = dot(row i of A, column j of B), both read contiguously (B's columns are first
// gathered into rows, which is cheap for few columns). Blocks of 3 rows × up to 4 columns keep
// twelve accumulators busy with full vectors whatever n is (B is read as the FMA's memory
// operand, so 3 A vectors and 12 sums fill 15 registers); four sums reduce to one 4-lane vector
// with horizontal adds.
constexpr std::size_t kThinN = 16;
constexpr int kDotRows = 3, kDotCols = 4;

// [Σx0, Σx1, Σx2, Σx3]
inline __m128 reduce4(__m256 x0, __m256 x1, __m256 x2, __m256 x3) {
  const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(x0, x1), _mm256_hadd_ps(x2, x3));
  return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

struct DotArgs {
  std::size_t k;
  const float* a;  // RB rows, stride lda
  std::size_t lda;
  const float* bt;  // CB rows of op(B)ᵀ, stride ldbt
  std::size_t ldbt;
  float* c;
  std::size_t ldc;
  float alpha, beta;
};

template <int RB, int CB>
void dot_block(const DotArgs& d) {
#define DENDRITE_DOT_ACC(X) \
  X(0, 0) X(0, 1) X(0, 2) X(0, 3) X(1, 0) X(1, 1) X(1, 2) X(1, 3) X(2, 0) X(2, 1) X(2, 2) X(2, 3)
#define DENDRITE_DOT_DECL(r, c) __m256 s##r##c = _mm256_setzero_ps();
  DENDRITE_DOT_ACC(DENDRITE_DOT_DECL)
  const float* a0 = d.a;
  const float* a1 = a0 + (RB > 1 ? d.lda : 0);
  const float* a2 = a0 + (RB > 2 ? 2 * d.lda : 0);
  const float* b0 = d.bt;
  const float* b1 = b0 + (CB > 1 ? d.ldbt : 0);
  const float* b2 = b0 + (CB > 2 ? 2 * d.ldbt : 0);
  const float* b3 = b0 + (CB > 3 ? 3 * d.ldbt : 0);
#define DENDRITE_DOT_FMA(r, c) \
  if (RB > r && CB > c) s##r##c = _mm256_fmadd_ps(va##r, vb##c, s##r##c);
#define DENDRITE_DOT_COL(c, LOAD)                          \
  if (CB > c) {                                            \
    const __m256 vb##c = LOAD(b##c);                       \
    DENDRITE_DOT_FMA(0, c) DENDRITE_DOT_FMA(1, c) DENDRITE_DOT_FMA(2, c) \
  }
#define DENDRITE_DOT_STEP(LOAD)                                                 \
  {                                                                             \
    const __m256 va0 = LOAD(a0);                                                \
    const __m256 va1 = RB > 1 ? LOAD(a1) : va0, va2 = RB > 2 ? LOAD(a2) : va0;  \
    DENDRITE_DOT_COL(0, LOAD) DENDRITE_DOT_COL(1, LOAD)                         \
    DENDRITE_DOT_COL(2, LOAD) DENDRITE_DOT_COL(3, LOAD)                         \
  }
  std::size_t p = 0;
#define DENDRITE_LOAD_FULL(ptr) _mm256_loadu_ps((ptr) + p)
  for (; p + 8 <= d.k; p += 8) DENDRITE_DOT_STEP(DENDRITE_LOAD_FULL)
  if (p < d.k) {
    const __m256i mk = tail_mask(d.k - p);
#define DENDRITE_LOAD_TAIL(ptr) _mm256_maskload_ps((ptr) + p, mk)
    DENDRITE_DOT_STEP(DENDRITE_LOAD_TAIL)
  }
  const __m128 alpha = _mm_set1_ps(d.alpha);
  const __m128 beta = _mm_set1_ps(d.beta);
#define DENDRITE_DOT_STORE(r)                                                        \
  if (RB > r) {                                                                      \
    float* c = d.c + r * d.ldc;                                                      \
    __m128 v = _mm_mul_ps(alpha, reduce4(s##r##0, s##r##1, s##r##2, s##r##3));       \
    if (CB == 4) {                                                                   \
      if (d.beta != 0.0f) v = _mm_fmadd_ps(beta, _mm_loadu_ps(c), v);                \
      _mm_storeu_ps(c, v);                                                           \
    } else {                                                                         \
      alignas(16) float lanes[4];                                                    \
      _mm_store_ps(lanes, v);                                                        \
      for (int j = 0; j < CB; ++j) c[j] = d.beta != 0.0f ? lanes[j] + d.beta * c[j] : lanes[j]; \
    }                                                                                \
  }
  DENDRITE_DOT_STORE(0) DENDRITE_DOT_STORE(1) DENDRITE_DOT_STORE(2)
#undef DENDRITE_DOT_STORE
#undef DENDRITE_LOAD_TAIL
#undef DENDRITE_LOAD_FULL
#undef DENDRITE_DOT_STEP
#undef DENDRITE_DOT_COL
#undef DENDRITE_DOT_FMA
#undef DENDRITE_DOT_DECL
#undef DENDRITE_DOT_ACC
}

using DotFn = void (*)(const DotArgs&);

template <int RB, int... C>
constexpr std::array<DotFn, kDotCols> dot_row(std::integer_sequence<int, C...>) {
  return {{&dot_block<RB, C + 1>...}};
}

const std::array<DotFn, kDotCols> kDot[kDotRows] = {
    dot_row<1>(std::make_integer_sequence<int, kDotCols>()),
    dot_row<2>(std::make_integer_sequence<int, kDotCols>()),
    dot_row<3>(std::make_integer_sequence<int, kDotCols>()),
};

bool thin_n(const Params& P) {
  const std::size_t m = P.m, n = P.n, k = P.k;
  const float* bt = P.b;
  std::size_t ldbt = P.ldb;
  if (!P.tb) {
    float* s = scratch(kScratchSmall, n * k);
    if (s == nullptr) return false;
    for (std::size_t p = 0; p < k; ++p) {
      const float* src = P.b + p * P.ldb;
      for (std::size_t j = 0; j < n; ++j) s[j * k + p] = src[j];
    }
    bt = s;
    ldbt = k;
  }
  const std::size_t row_blocks = (m + kDotRows - 1) / kDotRows;
  auto rows = [&](std::size_t rb0, std::size_t rb1) {
    DotArgs d;
    d.k = k;
    d.lda = P.lda;
    d.ldbt = ldbt;
    d.ldc = P.ldc;
    d.alpha = P.alpha;
    d.beta = P.beta;
    for (std::size_t rb = rb0; rb < rb1; ++rb) {
      const std::size_t i0 = rb * kDotRows, nrow = std::min<std::size_t>(kDotRows, m - i0);
      d.a = P.a + i0 * P.lda;
      for (std::size_t j0 = 0; j0 < n; j0 += kDotCols) {
        const std::size_t ncol = std::min<std::size_t>(kDotCols, n - j0);
        d.bt = bt + j0 * ldbt;
        d.c = P.c + i0 * P.ldc + j0;
        kDot[nrow - 1][ncol - 1](d);
      }
      epilogue(P, i0, nrow, 0, n);
    }
  };
  const bool parallel = P.threads && runtime::num_threads() > 1 &&
                        double(m) * double(n) * double(k) >= kParallelMinWork;
  if (parallel) {
    // Several chunks per thread, handed out one at a time: a held-up thread delays one chunk.
    const std::size_t chunks = std::min<std::size_t>(4 * runtime::num_threads(), row_blocks);
    const std::size_t per = (row_blocks + chunks - 1) / chunks;
    runtime::parallel_for(chunks, [&](std::size_t t) {
      const std::size_t b0 = t * per, b1 = std::min(row_blocks, b0 + per);
      if (b0 < b1) rows(b0, b1);
    });
  } else {
    rows(0, row_blocks);
  }
  return true;
}

}  // namespace

void sgemm(const Params& p) {
  if (!p.ta && p.n <= kThinN && p.k >= 32 && thin_n(p)) return;
  blocked<Kernel>(p);
}
Blocking blocking() { return blocking_of<Kernel>(); }

}  // namespace avx2
}  // namespace gemm
}  // namespace dendrite
