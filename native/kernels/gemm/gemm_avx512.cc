// AVX-512 GEMM path: the blocked driver with a 14×32 register tile (28 zmm accumulators, two
// vectors of B and fourteen broadcasts of A per step of k). Edge tiles use masked loads and
// stores, so nothing outside the matrices is touched.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <array>
#include <utility>
#include <algorithm>

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
  static constexpr std::size_t KC = 384, NC = 512;
  static constexpr std::size_t PACK_A_MIN_N = 3 * NR;
  static constexpr std::size_t PACK_B_MIN_M = 20 * MR;

  // Transposing pack of op(B) = Bᵀ in 8×8 blocks, the remainder element by element.
  static void pack_bt(const float* src, std::size_t ld, std::size_t kc, std::size_t w, float* dst) {
    std::size_t j = 0;
    for (; j + 8 <= w; j += 8) {
      const float* s = src + j * ld;
      const float* rp[8] = {s, s + ld, s + 2 * ld, s + 3 * ld,
                            s + 4 * ld, s + 5 * ld, s + 6 * ld, s + 7 * ld};
      std::size_t p = 0;
      for (; p + 8 <= kc; p += 8) transpose8(rp, p, dst + p * NR + j, NR, __mmask8(0xFF));
      for (; p < kc; ++p) {
        for (std::size_t jj = 0; jj < 8; ++jj) dst[p * NR + j + jj] = s[jj * ld + p];
      }
    }
    if (j < w) pack_bt_generic<NR>(src + j * ld, ld, kc, w - j, dst + j);
  }

  // Packs mr <= MR rows of A stored row by row: dst[p·MR + r] = src[r·ld + p], eight rows at a
  // time through 8×8 transposes. Rows past mr read row 0 again and are masked off on store.
  static void pack_a(const float* src, std::size_t ld, std::size_t kc, std::size_t mr, float* dst) {
    for (std::size_t g = 0; g < mr; g += 8) {
      const std::size_t w = std::min<std::size_t>(8, mr - g);
      const __mmask8 mask = __mmask8((1u << w) - 1u);
      const float* rp[8];
      for (std::size_t i = 0; i < 8; ++i) rp[i] = src + (g + (i < w ? i : 0)) * ld;
      std::size_t p = 0;
      for (; p + 8 <= kc; p += 8) {
        // Eight short row streams a page apart: fetch a few lines ahead of the hardware.
        if ((p & 15) == 0) {
          for (std::size_t i = 0; i < w; ++i) {
            _mm_prefetch(reinterpret_cast<const char*>(rp[i] + p + 64), _MM_HINT_T0);
          }
        }
        transpose8(rp, p, dst + p * MR + g, MR, mask);
      }
      for (; p < kc; ++p) {
        for (std::size_t i = 0; i < w; ++i) dst[p * MR + g + i] = rp[i][p];
      }
    }
  }

  // Packs mr <= MR rows of A stored step by step: dst[p·MR + r] = src[p·ld + r].
  static void pack_at(const float* src, std::size_t ld, std::size_t kc, std::size_t mr,
                      float* dst) {
    const __mmask16 mask = tail_mask(mr);
    std::size_t p = 0;
    for (; p + 2 <= kc; p += 2) {
      const __m512 v0 = _mm512_maskz_loadu_ps(mask, src + p * ld);
      const __m512 v1 = _mm512_maskz_loadu_ps(mask, src + (p + 1) * ld);
      _mm512_mask_storeu_ps(dst + p * MR, mask, v0);
      _mm512_mask_storeu_ps(dst + (p + 1) * MR, mask, v1);
    }
    if (p < kc) _mm512_mask_storeu_ps(dst + p * MR, mask, _mm512_maskz_loadu_ps(mask, src + p * ld));
  }

  // Reads 8 floats at rp[i] + p for each of 8 rows i and writes column q of that 8×8 block at
  // d + q·ds (lanes outside mask untouched).
  static void transpose8(const float* const (&rp)[8], std::size_t p, float* d, std::size_t ds,
                         __mmask8 mask) {
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
    _mm256_mask_storeu_ps(d + 0 * ds, mask, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_mask_storeu_ps(d + 1 * ds, mask, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_mask_storeu_ps(d + 2 * ds, mask, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_mask_storeu_ps(d + 3 * ds, mask, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_mask_storeu_ps(d + 4 * ds, mask, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_mask_storeu_ps(d + 5 * ds, mask, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_mask_storeu_ps(d + 6 * ds, mask, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_mask_storeu_ps(d + 7 * ds, mask, _mm256_permute2f128_ps(u3, u7, 0x31));
  }

  // Accumulators are named variables (not arrays) so the compiler keeps all 28 in registers.
  template <int R, int NV, bool KMAJOR>
  static void tile(const Tile& t) {
#define DENDRITE_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define DENDRITE_DECL(r) __m512 c0_##r = _mm512_setzero_ps(), c1_##r = _mm512_setzero_ps();
    DENDRITE_ROWS(DENDRITE_DECL)
    const std::size_t nr = t.nr;
    const __mmask16 m0 = NV == 1 ? tail_mask(nr) : __mmask16(0xFFFF);
    const __mmask16 m1 = NV == 1 ? __mmask16(0) : tail_mask(nr - 16);
    // Start fetching the C tile into L2 now: it is read (beta != 0) or written only after the
    // k loop, and a large C lives in L3 or memory by then.
#define DENDRITE_PREFETCH_C(r)                                                             \
  if (R > r) {                                                                             \
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc), _MM_HINT_T1);             \
    if (NV == 2) _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc + 16), _MM_HINT_T1); \
  }
    DENDRITE_ROWS(DENDRITE_PREFETCH_C)
#undef DENDRITE_PREFETCH_C
    const float* a = t.a;
    const float* b = t.b;
    const std::size_t a_step = KMAJOR ? t.a_ks : 1;
    const std::size_t rs = t.a_rs;
    const std::size_t b_ks = t.b_ks;
    for (std::size_t p = 0; p < t.kc; ++p) {
      // B eight steps ahead: packed slivers stream from L2, unpacked rows are a stride apart.
      _mm_prefetch(reinterpret_cast<const char*>(b + 8 * b_ks), _MM_HINT_T0);
      if (NV == 2) _mm_prefetch(reinterpret_cast<const char*>(b + 8 * b_ks + 16), _MM_HINT_T0);
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

// Products with few columns (n <= kThinN, A not transposed), such as a layer with 10 outputs:
// C(i, j) = dot(row i of A, column j of B), both read contiguously (B's columns are first
// gathered into rows, which is cheap for few columns). Blocks of 4 rows × up to 4 columns keep 16
// accumulators busy with full vectors whatever n is; four accumulators reduce to one 4-lane
// vector with a shuffle tree.
constexpr std::size_t kThinN = 16;

// [Σx0, Σx1, Σx2, Σx3]
inline __m128 reduce4(__m512 x0, __m512 x1, __m512 x2, __m512 x3) {
  const __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(x0, x1), _mm512_unpackhi_ps(x0, x1));
  const __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(x2, x3), _mm512_unpackhi_ps(x2, x3));
  const __m512 u = _mm512_add_ps(_mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(1, 0, 1, 0)),
                                 _mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 2, 3, 2)));
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm512_extractf32x8_ps(u, 1));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
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
  X(0, 0) X(0, 1) X(0, 2) X(0, 3) X(1, 0) X(1, 1) X(1, 2) X(1, 3) \
  X(2, 0) X(2, 1) X(2, 2) X(2, 3) X(3, 0) X(3, 1) X(3, 2) X(3, 3)
#define DENDRITE_DOT_DECL(r, c) __m512 s##r##c = _mm512_setzero_ps();
  DENDRITE_DOT_ACC(DENDRITE_DOT_DECL)
  const float* a0 = d.a;
  const float* a1 = a0 + (RB > 1 ? d.lda : 0);
  const float* a2 = a0 + (RB > 2 ? 2 * d.lda : 0);
  const float* a3 = a0 + (RB > 3 ? 3 * d.lda : 0);
  const float* b0 = d.bt;
  const float* b1 = b0 + (CB > 1 ? d.ldbt : 0);
  const float* b2 = b0 + (CB > 2 ? 2 * d.ldbt : 0);
  const float* b3 = b0 + (CB > 3 ? 3 * d.ldbt : 0);
#define DENDRITE_DOT_FMA(r, c) \
  if (RB > r && CB > c) s##r##c = _mm512_fmadd_ps(va##r, vb##c, s##r##c);
#define DENDRITE_DOT_STEP(LOAD)                                                          \
  {                                                                                      \
    const __m512 va0 = LOAD(a0), va1 = RB > 1 ? LOAD(a1) : va0;                          \
    const __m512 va2 = RB > 2 ? LOAD(a2) : va0, va3 = RB > 3 ? LOAD(a3) : va0;           \
    const __m512 vb0 = LOAD(b0), vb1 = CB > 1 ? LOAD(b1) : vb0;                          \
    const __m512 vb2 = CB > 2 ? LOAD(b2) : vb0, vb3 = CB > 3 ? LOAD(b3) : vb0;           \
    DENDRITE_DOT_ACC(DENDRITE_DOT_FMA)                                                   \
  }
  std::size_t p = 0;
#define DENDRITE_LOAD_FULL(ptr) _mm512_loadu_ps((ptr) + p)
  for (; p + 16 <= d.k; p += 16) DENDRITE_DOT_STEP(DENDRITE_LOAD_FULL)
  if (p < d.k) {
    const __mmask16 mk = tail_mask(d.k - p);
#define DENDRITE_LOAD_TAIL(ptr) _mm512_maskz_loadu_ps(mk, (ptr) + p)
    DENDRITE_DOT_STEP(DENDRITE_LOAD_TAIL)
  }
  const __mmask8 mc = __mmask8((1u << CB) - 1u);
  const __m128 alpha = _mm_set1_ps(d.alpha);
  const __m128 beta = _mm_set1_ps(d.beta);
#define DENDRITE_DOT_STORE(r)                                                       \
  if (RB > r) {                                                                     \
    float* c = d.c + r * d.ldc;                                                     \
    __m128 v = _mm_mul_ps(alpha, reduce4(s##r##0, s##r##1, s##r##2, s##r##3));      \
    if (d.beta != 0.0f) v = _mm_fmadd_ps(beta, _mm_maskz_loadu_ps(mc, c), v);       \
    _mm_mask_storeu_ps(c, mc, v);                                                   \
  }
  DENDRITE_DOT_STORE(0) DENDRITE_DOT_STORE(1) DENDRITE_DOT_STORE(2) DENDRITE_DOT_STORE(3)
#undef DENDRITE_DOT_STORE
#undef DENDRITE_LOAD_TAIL
#undef DENDRITE_LOAD_FULL
#undef DENDRITE_DOT_STEP
#undef DENDRITE_DOT_FMA
#undef DENDRITE_DOT_DECL
#undef DENDRITE_DOT_ACC
}

using DotFn = void (*)(const DotArgs&);

template <int RB, int... C>
constexpr std::array<DotFn, 4> dot_row(std::integer_sequence<int, C...>) {
  return {{&dot_block<RB, C + 1>...}};
}

const std::array<DotFn, 4> kDot[4] = {
    dot_row<1>(std::make_integer_sequence<int, 4>()),
    dot_row<2>(std::make_integer_sequence<int, 4>()),
    dot_row<3>(std::make_integer_sequence<int, 4>()),
    dot_row<4>(std::make_integer_sequence<int, 4>()),
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
  const std::size_t row_blocks = (m + 3) / 4;
  auto rows = [&](std::size_t rb0, std::size_t rb1) {
    DotArgs d;
    d.k = k;
    d.lda = P.lda;
    d.ldbt = ldbt;
    d.ldc = P.ldc;
    d.alpha = P.alpha;
    d.beta = P.beta;
    for (std::size_t rb = rb0; rb < rb1; ++rb) {
      const std::size_t i0 = rb * 4, nrow = std::min<std::size_t>(4, m - i0);
      d.a = P.a + i0 * P.lda;
      for (std::size_t j0 = 0; j0 < n; j0 += 4) {
        const std::size_t ncol = std::min<std::size_t>(4, n - j0);
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

Blocking blocking() { return blocking_of<Kernel>(); }

void sgemm(const Params& p) {
  if (!p.ta && p.n <= kThinN && p.k >= 32 && thin_n(p)) return;
  blocked<Kernel>(p);
}

}  // namespace avx512
}  // namespace gemm
}  // namespace dendrite
