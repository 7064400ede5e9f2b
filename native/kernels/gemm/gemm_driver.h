// The blocked GEMM driver (Goto/BLIS loop nest), shared by every ISA path. Each ISA's file
// includes it and instantiates blocked<K>() with its register-blocked micro-kernel class K:
//
//   struct K {
//     static constexpr std::size_t MR, NR, VL;  // tile rows, tile columns, floats per vector
//     static constexpr std::size_t KC, NC;      // most depth of a block, columns of a B panel
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
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
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
  if (!P.tb) {
    // Row by row across the slivers: each row of B is read once, front to back, which the
    // hardware prefetcher follows (sliver by sliver would jump a row stride every NR floats).
    const std::size_t j_begin = s_begin * NR, j_end = std::min(nc, s_end * NR);
    const std::size_t full_end = s_begin + (j_end - j_begin) / NR;  // slivers with NR columns
    const std::size_t tail = j_end - (full_end * NR);
    // Fixed-size memcpy compiles to vector moves; the next row is fetched while this one is
    // copied, since B is usually in L3 or memory.
    for (std::size_t p = 0; p < kc; ++p) {
      const float* sp = P.b + (pc + p) * P.ldb + jc;
      const bool next = p + 1 < kc;
      for (std::size_t s = s_begin; s < full_end; ++s) {
        const float* src = sp + s * NR;
        if (next) {
          for (std::size_t l = 0; l < NR; l += 16) prefetch_l1(src + P.ldb + l);
        }
        std::memcpy(out + s * kc * NR + p * NR, src, NR * sizeof(float));
      }
      if (tail != 0) {
        std::memcpy(out + full_end * kc * NR + p * NR, sp + full_end * NR, tail * sizeof(float));
      }
    }
    return;
  }
  for (std::size_t s = s_begin; s < s_end; ++s) {
    const std::size_t j0 = s * NR;
    const std::size_t w = std::min(NR, nc - j0);
    // B is stored n×k: column j of op(B) is row jc + j0 + j of B.
    K::pack_bt(P.b + (jc + j0) * P.ldb + pc, P.ldb, kc, w, out + s * kc * NR);
  }
}

// Packs rows [0, mr) × steps [0, kc) of op(A) as dst[p·MR + r], from A stored row by row
// (A(r, p) = src[r·ld + p]; pack_a) or step by step (A(r, p) = src[p·ld + r]; pack_at). Kernels may
// bring faster versions of either (static pack_a / pack_at with the same signature).
template <std::size_t MR>
void pack_a_generic(const float* src, std::size_t ld, std::size_t kc, std::size_t mr, float* dst) {
  std::size_t r = 0;
  for (; r + 2 <= mr; r += 2) {
    const float* s0 = src + r * ld;
    const float* s1 = s0 + ld;
    for (std::size_t p = 0; p < kc; ++p) {
      dst[p * MR + r] = s0[p];
      dst[p * MR + r + 1] = s1[p];
    }
  }
  for (; r < mr; ++r) {
    const float* s0 = src + r * ld;
    for (std::size_t p = 0; p < kc; ++p) dst[p * MR + r] = s0[p];
  }
}

template <std::size_t MR>
void pack_at_generic(const float* src, std::size_t ld, std::size_t kc, std::size_t mr,
                     float* dst) {
  for (std::size_t p = 0; p < kc; ++p) {
    const float* sp = src + p * ld;
    float* dp = dst + p * MR;
    for (std::size_t r = 0; r < mr; ++r) dp[r] = sp[r];
  }
}

template <class K, class = void>
struct HasPackA : std::false_type {};
template <class K>
struct HasPackA<K, std::void_t<decltype(&K::pack_a)>> : std::true_type {};
template <class K, class = void>
struct HasPackAt : std::false_type {};
template <class K>
struct HasPackAt<K, std::void_t<decltype(&K::pack_at)>> : std::true_type {};

// Packs the mr×kc block of op(A) at (i0, pc) as out[p·MR + r].
template <class K>
void pack_a_sliver(const Params& P, std::size_t i0, std::size_t pc, std::size_t mr,
                   std::size_t kc, float* out) {
  if (P.ta) {
    const float* src = P.a + pc * P.lda + i0;
    if constexpr (HasPackAt<K>::value) K::pack_at(src, P.lda, kc, mr, out);
    else pack_at_generic<K::MR>(src, P.lda, kc, mr, out);
  } else {
    const float* src = P.a + i0 * P.lda + pc;
    if constexpr (HasPackA<K>::value) K::pack_a(src, P.lda, kc, mr, out);
    else pack_a_generic<K::MR>(src, P.lda, kc, mr, out);
  }
}

// Tasks per thread in a parallel region: the pool hands tasks out one at a time, so a thread that
// is held up (preempted, or sharing its core) leaves its remaining tasks to the others.
constexpr std::size_t kTasksPerThread = 4;

// States of one packed A sliver × k block, shared by the tasks of a region.
constexpr std::uint32_t kSliverEmpty = 0, kSliverPacking = 1, kSliverReady = 2;

// The loop nest (BLIS order with the roles of A and B swapped, since B is the vector operand):
// one region per block of row slivers (usually the whole product), made of tasks that each own a
// group of rows × a group of columns (one task per NC-wide panel on one thread, several finer
// tasks per thread on several):
//   for each KC-deep block of k (outermost on one thread, per task on several):
//     pack the task's kc×NR slivers of op(B) (L2-resident, private to the task);
//     for each of its A slivers (L1-resident): take the shared packed copy of that MR×kc block of
//       op(A) (packing it first if no task has), then run the register tile over the B slivers.
// Tasks never wait for each other: a sliver another task is packing right now is packed again
// privately. Tasks of the same rows start at different slivers so they seldom collide. Small
// products skip packing: A is read in place when there are too few columns to reuse a sliver, B
// when there are too few rows. Untransposed A is also read in place when its rows do not crowd
// an L1 set (rows_collide).
// Whether `rows` rows of A read in place (row stride ld floats) would crowd one L1 set: more than
// six of them in the same 64-byte slot of a 4 KiB page (L1 sets repeat every 4 KiB on common
// 8-way caches). Then their cache lines evict each other at every step of k and A is packed;
// otherwise reading it in place is as fast and saves the packing (measured on the conv and MLP
// products: 10-30% faster).
inline bool rows_collide(std::size_t ld, std::size_t rows) {
  std::uint8_t slot[64] = {};
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t line = (r * ld * sizeof(float)) % 4096 / 64;
    if (++slot[line] > 6) return true;
  }
  return false;
}

// The blocking of kernel K on this CPU (chosen once).
template <class K>
const Blocking& blocking_of() {
  static const Blocking b = choose_blocking(K::MR, K::NR, K::KC, K::NC);
  return b;
}

template <class K>
void blocked(const Params& P) {
  constexpr std::size_t MR = K::MR, NR = K::NR;
  static const TileTable<K> table;
  const Blocking& blocking = blocking_of<K>();
  const std::size_t KC = blocking.kc, NC = blocking.nc;
  const std::size_t m = P.m, n = P.n, k = P.k;

  const std::size_t threads =
      P.threads ? static_cast<std::size_t>(runtime::num_threads()) : std::size_t(1);
  const bool parallel = threads > 1 && double(m) * double(n) * double(k) >= kParallelMinWork;

  const bool pack_b = P.tb || (m >= K::PACK_B_MIN_M && n > NR);
  const bool pack_a = n >= K::PACK_A_MIN_N && (P.ta || rows_collide(P.lda, MR));
  // Balanced blocks: never a sliver-thin last block in k.
  const std::size_t k_blocks = (k + KC - 1) / KC;
  const std::size_t kc_max = (k + k_blocks - 1) / k_blocks;
  // Rows per sliver, balanced so the last sliver is not a thin one (32 rows: 11+11+10).
  const std::size_t m_slivers0 = (m + MR - 1) / MR;
  const std::size_t rows = (m + m_slivers0 - 1) / m_slivers0;
  const std::size_t m_slivers = (m + rows - 1) / rows;
  const std::size_t n_slivers = (n + NR - 1) / NR;

  // Column groups (in slivers): balanced NC-wide panels, or finer groups when parallel, and row
  // groups when there are too few columns to give every thread several tasks.
  const std::size_t panel_slivers = NC / NR;
  std::size_t cg = (n_slivers + panel_slivers - 1) / panel_slivers;
  std::size_t rg = 1;
  const std::size_t target = threads * kTasksPerThread;
  if (parallel && cg < target) {
    cg = std::min(n_slivers, target);
    if (cg < target) rg = std::min(m_slivers, (target + cg - 1) / cg);
  }
  const std::size_t cg_slivers = (n_slivers + cg - 1) / cg;
  cg = (n_slivers + cg_slivers - 1) / cg_slivers;

  // Row blocks of A within the packing budget, balanced; each is one region. Several threads
  // share packed A for all of k (each task runs through k on its own); one thread packs one k
  // block at a time and reuses the buffer.
  const std::size_t a_depth = parallel ? k : kc_max;
  const std::size_t a_blocks = parallel ? k_blocks : 1;  // packing states per sliver
  std::size_t ab_slivers = m_slivers;
  if (pack_a) {
    // Floats of op(A) packed at once (blocking.mc rows of one k block): all of k for a block of
    // row slivers. Taller products run in several row blocks.
    ab_slivers = std::max<std::size_t>(1, blocking.mc * blocking.kc / (MR * a_depth));
    const std::size_t row_blocks = (m_slivers + ab_slivers - 1) / ab_slivers;
    ab_slivers = (m_slivers + row_blocks - 1) / row_blocks;
  }
  const std::size_t block_max = std::min(ab_slivers, m_slivers);
  float* ap = nullptr;
  std::atomic<std::uint32_t>* state = nullptr;
  if (pack_a) {
    const std::size_t a_floats = (block_max * MR * a_depth + 15) / 16 * 16;
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(float), "state words are floats");
    ap = scratch(kScratchPackedA, a_floats + block_max * a_blocks);
    if (ap == nullptr) return;  // out of memory: leave C as it is rather than crash
    state = reinterpret_cast<std::atomic<std::uint32_t>*>(ap + a_floats);
  }
  auto reset_states = [&](std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) new (state + i) std::atomic<std::uint32_t>(kSliverEmpty);
  };

  for (std::size_t sb0 = 0; sb0 < m_slivers; sb0 += ab_slivers) {
    const std::size_t sb1 = std::min(m_slivers, sb0 + ab_slivers);
    const std::size_t block_slivers = sb1 - sb0;
    const std::size_t rg_slivers = (block_slivers + rg - 1) / rg;
    const std::size_t row_groups = (block_slivers + rg_slivers - 1) / rg_slivers;

    // One k block of task t: its rows × its columns.
    auto step = [&](std::size_t t, std::size_t pc, std::size_t pb) {
      const std::size_t r_idx = t / cg, c_idx = t % cg;
      const std::size_t s0 = sb0 + r_idx * rg_slivers;
      const std::size_t s1 = std::min(sb1, s0 + rg_slivers);
      const std::size_t jc = c_idx * cg_slivers * NR;
      if (s0 >= s1 || jc >= n) return;
      const std::size_t nc = std::min(cg_slivers * NR, n - jc);
      const std::size_t slivers = (nc + NR - 1) / NR;
      const std::size_t count = s1 - s0;
      // Where this task starts in its rows: spread over the tasks sharing them.
      const std::size_t start = parallel ? count * c_idx / cg : 0;
      const std::size_t kc = std::min(kc_max, k - pc);
      const bool last = pc + kc == k;

      float* bp = nullptr;
      if (pack_b) {
        bp = scratch(kScratchPackedB, kc_max * cg_slivers * NR);
        if (bp == nullptr) return;
        pack_b_slivers<K>(P, pc, jc, kc, nc, 0, slivers, bp);
      }
      Tile tl;
      tl.ldc = P.ldc;
      tl.alpha = P.alpha;
      tl.kc = kc;
      tl.beta = pc == 0 ? P.beta : 1.0f;
      for (std::size_t q = 0; q < count; ++q) {
        const std::size_t s = s0 + (start + q) % count;
        const std::size_t i0 = s * rows, mr = std::min(rows, m - i0);
        bool kmajor;
        if (pack_a) {
          float* shared = ap + (s - sb0) * MR * a_depth + (parallel ? pc * MR : 0);
          std::atomic<std::uint32_t>& st = state[(s - sb0) * a_blocks + (parallel ? pb : 0)];
          std::uint32_t seen = st.load(std::memory_order_acquire);
          if (seen == kSliverReady) {
            tl.a = shared;
          } else if (seen == kSliverEmpty &&
                     st.compare_exchange_strong(seen, kSliverPacking, std::memory_order_acq_rel)) {
            pack_a_sliver<K>(P, i0, pc, mr, kc, shared);
            st.store(kSliverReady, std::memory_order_release);
            tl.a = shared;
          } else if (seen == kSliverReady) {
            tl.a = shared;
          } else {
            // Another task is packing it at this moment: a private copy beats waiting.
            float* own = scratch(kScratchPrivateA, MR * kc_max);
            if (own == nullptr) return;
            pack_a_sliver<K>(P, i0, pc, mr, kc, own);
            tl.a = own;
          }
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
        for (std::size_t j = 0; j < slivers; ++j) {
          const std::size_t j0 = j * NR;
          const std::size_t nr = std::min(NR, nc - j0);
          if (pack_b) {
            tl.b = bp + j * kc * NR;
            tl.b_ks = NR;
          } else {
            tl.b = P.b + pc * P.ldb + jc + j0;
            tl.b_ks = P.ldb;
          }
          tl.nr = nr;
          tl.c = P.c + i0 * P.ldc + jc + j0;
          table.get(kmajor, nr, mr)(tl);
        }
        if (last && P.epilogue) epilogue(P, i0, mr, jc, nc);
      }
    };

    const std::size_t tasks = row_groups * cg;
    if (pack_a) reset_states(block_slivers * a_blocks);
    if (parallel) {
      // Each task runs all of k on its own tiles, so no task waits for another.
      runtime::parallel_for(tasks, [&](std::size_t t) {
        for (std::size_t pc = 0, pb = 0; pc < k; pc += kc_max, ++pb) step(t, pc, pb);
      });
    } else {
      // One thread: k blocks outermost, so only one k block of packed A is in use at a time
      // (it stays in L3 while the column panels pass over it).
      for (std::size_t pc = 0, pb = 0; pc < k; pc += kc_max, ++pb) {
        if (pack_a && pc > 0) reset_states(block_slivers);
        for (std::size_t t = 0; t < tasks; ++t) step(t, pc, pb);
      }
    }
  }
}

}  // namespace gemm
}  // namespace dendrite
