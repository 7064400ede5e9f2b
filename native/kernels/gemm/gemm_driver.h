// The blocked GEMM driver (Goto/BLIS loop nest), shared by every ISA path. Each ISA's file
// includes it and instantiates blocked<K>() with its register-blocked micro-kernel class K:
//
//   struct K {
//     static constexpr std::size_t MR, NR, VL;  // tile rows, tile columns, floats per vector
//     static constexpr std::size_t KC, NC;      // depth of a block, columns of a packed B panel
//     static constexpr std::size_t PACK_A_MIN_N, PACK_B_MIN_M;  // when packing pays (see below)
//     template <int R, int NV, bool KMAJOR> static void tile(const Tile&);
//     static void pack_bt(const float* src, std::size_t ld, std::size_t kc, std::size_t w,
//                         float* dst);  // e.g. pack_bt_generic<NR>
//   };
//
// tile<R, NV, KMAJOR> computes an R×nr tile (nr <= NV·VL, R <= MR) of
//   C = alpha·Σ_p A(r, p)·B(p, j) + beta·C   (beta == 0: C is not read)
// reading A(r, p) at a[p·a_ks + r] (KMAJOR) or a[r·a_rs + p], B(p, j) at b[p·b_ks + j] for j < nr
// only, and touching only the R×nr elements of C. Edge tiles are thus exact: nothing is read or
// written out of bounds. This header is compiled inside each ISA's namespace with its flags, so the
// packing loops below are vectorised for that ISA; it holds no intrinsics itself.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "dendrite/runtime.h"
#include "gemm_internal.h"

namespace dendrite {
namespace gemm {

struct Tile {
  std::size_t kc;
  const float* a;
  std::size_t a_rs, a_ks;
  const float* b;
  std::size_t b_ks;
  std::size_t nr;
  float* c;
  std::size_t ldc;
  float alpha, beta;
};

using TileFn = void (*)(const Tile&);

template <class K, int NV, bool KM, int... R>
constexpr std::array<TileFn, sizeof...(R)> tile_row(std::integer_sequence<int, R...>) {
  return {{&K::template tile<R + 1, NV, KM>...}};
}

// table[kmajor][nv − 1][r − 1]
template <class K>
struct TileTable {
  static constexpr std::size_t NVMAX = K::NR / K::VL;
  static_assert(NVMAX >= 1 && NVMAX <= 4, "NR must be 1..4 vectors");
  using Row = std::array<TileFn, K::MR>;
  Row t[2][NVMAX];

  template <int NV>
  void fill() {
    t[0][NV - 1] = tile_row<K, NV, false>(std::make_integer_sequence<int, int(K::MR)>());
    t[1][NV - 1] = tile_row<K, NV, true>(std::make_integer_sequence<int, int(K::MR)>());
  }
  TileTable() {
    fill<1>();
    if constexpr (NVMAX >= 2) fill<NVMAX >= 2 ? 2 : 1>();
    if constexpr (NVMAX >= 3) fill<NVMAX >= 3 ? 3 : 1>();
    if constexpr (NVMAX >= 4) fill<NVMAX >= 4 ? 4 : 1>();
  }
  TileFn get(bool kmajor, std::size_t nr, std::size_t r) const {
    return t[kmajor ? 1 : 0][(nr + K::VL - 1) / K::VL - 1][r - 1];
  }
};

// Transposing pack: dst[p·NR + j] = src[j·ld + p] for j < w, p < kc. Four rows at a time keeps
// the writes of one p together. Kernels may use it as their pack_bt or bring a faster one.
template <std::size_t NR>
void pack_bt_generic(const float* src, std::size_t ld, std::size_t kc, std::size_t w, float* dst) {
  std::size_t j = 0;
  for (; j + 4 <= w; j += 4) {
    const float* s0 = src + j * ld;
    const float* s1 = s0 + ld;
    const float* s2 = s1 + ld;
    const float* s3 = s2 + ld;
    float* dp = dst + j;
    for (std::size_t p = 0; p < kc; ++p) {
      dp[p * NR + 0] = s0[p];
      dp[p * NR + 1] = s1[p];
      dp[p * NR + 2] = s2[p];
      dp[p * NR + 3] = s3[p];
    }
  }
  for (; j < w; ++j) {
    const float* s0 = src + j * ld;
    for (std::size_t p = 0; p < kc; ++p) dst[p * NR + j] = s0[p];
  }
}

// Packs the kc×nc block of op(B) at (pc, jc) into slivers of NR columns: sliver s holds
// B(p, s·NR + j) at out[s·kc·NR + p·NR + j]. Columns past nc in the last sliver are left unset
// (tiles never read them).
template <class K>
void pack_b_slivers(const Params& P, std::size_t pc, std::size_t jc, std::size_t kc,
                    std::size_t nc, std::size_t s_begin, std::size_t s_end, float* out) {
  constexpr std::size_t NR = K::NR;
  for (std::size_t s = s_begin; s < s_end; ++s) {
    const std::size_t j0 = s * NR;
    const std::size_t w = std::min(NR, nc - j0);
    float* dst = out + s * kc * NR;
    if (!P.tb) {
      const float* src = P.b + pc * P.ldb + jc + j0;
      if (w == NR) {
        for (std::size_t p = 0; p < kc; ++p) {
          const float* sp = src + p * P.ldb;
          float* dp = dst + p * NR;
          for (std::size_t j = 0; j < NR; ++j) dp[j] = sp[j];
        }
      } else {
        for (std::size_t p = 0; p < kc; ++p) {
          const float* sp = src + p * P.ldb;
          float* dp = dst + p * NR;
          for (std::size_t j = 0; j < w; ++j) dp[j] = sp[j];
        }
      }
    } else {
      // B is stored n×k: column j of op(B) is row jc + j0 + j of B.
      K::pack_bt(P.b + (jc + j0) * P.ldb + pc, P.ldb, kc, w, dst);
    }
  }
}

// Packs the mr×kc block of op(A) at (i0, pc) as out[p·MR + r].
template <class K>
void pack_a_sliver(const Params& P, std::size_t i0, std::size_t pc, std::size_t mr,
                   std::size_t kc, float* out) {
  constexpr std::size_t MR = K::MR;
  if (P.ta) {
    const float* src = P.a + pc * P.lda + i0;
    for (std::size_t p = 0; p < kc; ++p) {
      const float* sp = src + p * P.lda;
      float* dp = out + p * MR;
      for (std::size_t r = 0; r < mr; ++r) dp[r] = sp[r];
    }
  } else {
    const float* src = P.a + i0 * P.lda + pc;
    std::size_t r = 0;
    for (; r + 2 <= mr; r += 2) {
      const float* s0 = src + r * P.lda;
      const float* s1 = s0 + P.lda;
      for (std::size_t p = 0; p < kc; ++p) {
        out[p * MR + r] = s0[p];
        out[p * MR + r + 1] = s1[p];
      }
    }
    for (; r < mr; ++r) {
      const float* s0 = src + r * P.lda;
      for (std::size_t p = 0; p < kc; ++p) out[p * MR + r] = s0[p];
    }
  }
}

template <class K>
void blocked_serial(const Params& P);

// Splits a large product into one static share per thread (columns when there are enough,
// else rows), each running the whole loop nest on its own: one parallel region per call, so a
// busy machine costs one wait for a worker, not one per block.
template <class K>
void blocked(const Params& P) {
  const std::size_t threads =
      P.threads ? static_cast<std::size_t>(runtime::num_threads()) : std::size_t(1);
  const double work = double(P.m) * double(P.n) * double(P.k);
  if (threads <= 1 || work < kParallelMinWork) {
    Params q = P;
    q.threads = false;
    blocked_serial<K>(q);
    return;
  }
  const std::size_t n_units = (P.n + K::NR - 1) / K::NR;
  const std::size_t m_units = (P.m + K::MR - 1) / K::MR;
  const bool by_columns = n_units >= 2 * threads || n_units >= m_units;
  const std::size_t units = by_columns ? n_units : m_units;
  const std::size_t unit = by_columns ? K::NR : K::MR;
  const std::size_t extent = by_columns ? P.n : P.m;
  const std::size_t parts = std::min(threads, units);
  runtime::parallel_for(parts, [&](std::size_t t) {
    const std::size_t u0 = units * t / parts, u1 = units * (t + 1) / parts;
    const std::size_t lo = u0 * unit, hi = std::min(extent, u1 * unit);
    if (lo >= hi) return;
    Params q = P;
    q.threads = false;
    if (by_columns) {
      q.n = hi - lo;
      q.b = P.tb ? P.b + lo * P.ldb : P.b + lo;
      q.c = P.c + lo;
      if (P.bias != nullptr) q.bias = P.bias + lo;
    } else {
      q.m = hi - lo;
      q.a = P.ta ? P.a + lo : P.a + lo * P.lda;
      q.c = P.c + lo * P.ldc;
    }
    blocked_serial<K>(q);
  });
}

// The loop nest: for each NC-wide column panel and KC-deep block, pack B once (shared by the
// threads when called with threads on), then run the MR-row slivers (split over threads; when there are too few slivers the
// columns are split as well). A is packed per sliver when it is reused across enough tiles; small
// products read A and B in place.
template <class K>
void blocked_serial(const Params& P) {
  constexpr std::size_t MR = K::MR, NR = K::NR, KC = K::KC, NC = K::NC;
  static const TileTable<K> table;
  const std::size_t m = P.m, n = P.n, k = P.k;

  const std::size_t threads =
      P.threads ? static_cast<std::size_t>(runtime::num_threads()) : std::size_t(1);
  const bool parallel = threads > 1 && double(m) * double(n) * double(k) >= kParallelMinWork;

  const bool pack_b = P.tb || (m >= K::PACK_B_MIN_M && n > NR);
  const bool pack_a = n >= K::PACK_A_MIN_N;
  // Balanced blocks: never a sliver-thin last block in k or n.
  const std::size_t k_blocks = (k + KC - 1) / KC;
  const std::size_t kc_max = (k + k_blocks - 1) / k_blocks;
  const std::size_t n_blocks = (n + NC - 1) / NC;
  const std::size_t nc_max = std::min(n, ((n + n_blocks - 1) / n_blocks + NR - 1) / NR * NR);

  float* bp = nullptr;
  if (pack_b) {
    bp = scratch(kScratchPackedB, kc_max * ((nc_max + NR - 1) / NR) * NR);
    if (bp == nullptr) return;  // out of memory: leave C as it is rather than crash
  }

  // Rows per sliver, balanced so the last sliver is not a thin one (32 rows: 11+11+10).
  const std::size_t m_slivers = (m + MR - 1) / MR;
  const std::size_t rows = (m + m_slivers - 1) / m_slivers;

  for (std::size_t jc = 0; jc < n; jc += nc_max) {
    const std::size_t nc = std::min(nc_max, n - jc);
    const std::size_t n_slivers = (nc + NR - 1) / NR;
    // Split columns too when the rows alone cannot keep every thread busy.
    std::size_t n_parts = 1;
    if (parallel && m_slivers < 2 * threads) n_parts = std::min(threads, n_slivers);
    const std::size_t slivers_per_part = (n_slivers + n_parts - 1) / n_parts;

    for (std::size_t pc = 0; pc < k; pc += kc_max) {
      const std::size_t kc = std::min(kc_max, k - pc);
      const float beta = pc == 0 ? P.beta : 1.0f;
      const bool last = pc + kc == k;

      if (pack_b) {
        if (parallel && n_slivers > 1) {
          const std::size_t chunks = std::min(threads, n_slivers);
          const std::size_t per = (n_slivers + chunks - 1) / chunks;
          runtime::parallel_for(chunks, [&](std::size_t t) {
            const std::size_t s0 = t * per, s1 = std::min(n_slivers, s0 + per);
            if (s0 < s1) pack_b_slivers<K>(P, pc, jc, kc, nc, s0, s1, bp);
          });
        } else {
          pack_b_slivers<K>(P, pc, jc, kc, nc, 0, n_slivers, bp);
        }
      }

      auto task = [&](std::size_t t) {
        const std::size_t sm = t / n_parts, part = t % n_parts;
        const std::size_t i0 = sm * rows, mr = std::min(rows, m - i0);
        const std::size_t s_begin = part * slivers_per_part;
        const std::size_t s_end = std::min(n_slivers, s_begin + slivers_per_part);
        if (s_begin >= s_end) return;

        Tile tl;
        tl.kc = kc;
        tl.ldc = P.ldc;
        tl.alpha = P.alpha;
        tl.beta = beta;
        bool kmajor;
        if (pack_a) {
          float* ap = scratch(kScratchPackedA, MR * kc_max);
          if (ap == nullptr) return;
          pack_a_sliver<K>(P, i0, pc, mr, kc, ap);
          tl.a = ap;
          tl.a_rs = 1;
          tl.a_ks = MR;
          kmajor = true;
        } else if (P.ta) {
          tl.a = P.a + pc * P.lda + i0;
          tl.a_rs = 1;
          tl.a_ks = P.lda;
          kmajor = true;
        } else {
          tl.a = P.a + i0 * P.lda + pc;
          tl.a_rs = P.lda;
          tl.a_ks = 1;
          kmajor = false;
        }
        for (std::size_t s = s_begin; s < s_end; ++s) {
          const std::size_t j0 = s * NR;
          const std::size_t nr = std::min(NR, nc - j0);
          if (pack_b) {
            tl.b = bp + s * kc * NR;
            tl.b_ks = NR;
          } else {
            tl.b = P.b + pc * P.ldb + jc + j0;
            tl.b_ks = P.ldb;
          }
          tl.nr = nr;
          tl.c = P.c + i0 * P.ldc + jc + j0;
          table.get(kmajor, nr, mr)(tl);
        }
        if (last && P.epilogue) {
          const std::size_t j0 = jc + s_begin * NR;
          const std::size_t j1 = jc + std::min(nc, s_end * NR);
          epilogue(P, i0, mr, j0, j1 - j0);
        }
      };

      const std::size_t tasks = m_slivers * n_parts;
      if (parallel && tasks > 1) {
        runtime::parallel_for(tasks, [&](std::size_t t) { task(t); });
      } else {
        for (std::size_t t = 0; t < tasks; ++t) task(t);
      }
    }
  }
}

}  // namespace gemm
}  // namespace dendrite
