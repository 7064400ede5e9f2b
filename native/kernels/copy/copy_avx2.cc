// AVX2 transpose panel: 8×8 tiles transposed in registers (unpack, shuffle, 128-bit lane
// permute); partial tiles at the edges go through the portable blocked loop.
#include <immintrin.h>

#include <cstddef>

#include "copy_kernels.h"

namespace dendrite {
namespace avx2 {
namespace {

constexpr std::size_t kTile = 8;
// Source elements ahead (along each source row) fetched while a tile is transposed.
constexpr std::size_t kPrefetch = 32;

inline void prefetch_rows(const float* x, std::size_t ldx) {
  for (std::size_t k = 0; k < kTile; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(x + kPrefetch + k * ldx), _MM_HINT_T0);
  }
}

// out[c·ldo + k] = x[c + k·ldx] for c, k < 8.
inline void tile8(const float* x, std::size_t ldx, float* out, std::size_t ldo) {
  const __m256 r0 = _mm256_loadu_ps(x);
  const __m256 r1 = _mm256_loadu_ps(x + ldx);
  const __m256 r2 = _mm256_loadu_ps(x + 2 * ldx);
  const __m256 r3 = _mm256_loadu_ps(x + 3 * ldx);
  const __m256 r4 = _mm256_loadu_ps(x + 4 * ldx);
  const __m256 r5 = _mm256_loadu_ps(x + 5 * ldx);
  const __m256 r6 = _mm256_loadu_ps(x + 6 * ldx);
  const __m256 r7 = _mm256_loadu_ps(x + 7 * ldx);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1);
  const __m256 t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3);
  const __m256 t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5);
  const __m256 t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7);
  const __m256 t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(out, _mm256_permute2f128_ps(s0, s4, 0x20));
  _mm256_storeu_ps(out + ldo, _mm256_permute2f128_ps(s1, s5, 0x20));
  _mm256_storeu_ps(out + 2 * ldo, _mm256_permute2f128_ps(s2, s6, 0x20));
  _mm256_storeu_ps(out + 3 * ldo, _mm256_permute2f128_ps(s3, s7, 0x20));
  _mm256_storeu_ps(out + 4 * ldo, _mm256_permute2f128_ps(s0, s4, 0x31));
  _mm256_storeu_ps(out + 5 * ldo, _mm256_permute2f128_ps(s1, s5, 0x31));
  _mm256_storeu_ps(out + 6 * ldo, _mm256_permute2f128_ps(s2, s6, 0x31));
  _mm256_storeu_ps(out + 7 * ldo, _mm256_permute2f128_ps(s3, s7, 0x31));
}

// Rows [i0, i1) × columns [j0, j1) by the portable blocked loop (masked AVX2 loads and stores
// measured slower than this on AMD).
inline void edge(const float* x, std::size_t ldx, float* out, std::size_t ldo, std::size_t i0,
                 std::size_t i1, std::size_t j0, std::size_t j1) {
  if (i0 < i1 && j0 < j1) {
    scalar::copy_transpose(x + i0 + j0 * ldx, ldx, out + i0 * ldo + j0, ldo, i1 - i0, j1 - j0);
  }
}

}  // namespace

void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols) {
  const std::size_t rows_full = rows - rows % kTile;
  // Two tiles side by side per step, so each output row gets a whole 64-byte line at once.
  const std::size_t cols_pair = cols - cols % (2 * kTile);
  const std::size_t cols_full = cols - cols % kTile;
  for (std::size_t j0 = 0; j0 < cols_pair; j0 += 2 * kTile) {
    for (std::size_t i0 = 0; i0 < rows_full; i0 += kTile) {
      if (i0 % 16 == 0) {
        prefetch_rows(x + i0 + j0 * ldx, ldx);
        prefetch_rows(x + i0 + (j0 + kTile) * ldx, ldx);
      }
      tile8(x + i0 + j0 * ldx, ldx, out + i0 * ldo + j0, ldo);
      tile8(x + i0 + (j0 + kTile) * ldx, ldx, out + i0 * ldo + j0 + kTile, ldo);
    }
    edge(x, ldx, out, ldo, rows_full, rows, j0, j0 + 2 * kTile);
  }
  for (std::size_t j0 = cols_pair; j0 < cols_full; j0 += kTile) {
    for (std::size_t i0 = 0; i0 < rows_full; i0 += kTile) {
      tile8(x + i0 + j0 * ldx, ldx, out + i0 * ldo + j0, ldo);
    }
    edge(x, ldx, out, ldo, rows_full, rows, j0, j0 + kTile);
  }
  edge(x, ldx, out, ldo, 0, rows, cols_full, cols);
}

void copy_row(const float* x, float* out, std::size_t n) {
  std::size_t j = 0;
  for (; j + 32 <= n; j += 32) {
    const __m256 a = _mm256_loadu_ps(x + j);
    const __m256 b = _mm256_loadu_ps(x + j + 8);
    const __m256 c = _mm256_loadu_ps(x + j + 16);
    const __m256 d = _mm256_loadu_ps(x + j + 24);
    _mm256_storeu_ps(out + j, a);
    _mm256_storeu_ps(out + j + 8, b);
    _mm256_storeu_ps(out + j + 16, c);
    _mm256_storeu_ps(out + j + 24, d);
  }
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(out + j, _mm256_loadu_ps(x + j));
  for (; j < n; ++j) out[j] = x[j];
}

}  // namespace avx2
}  // namespace dendrite
