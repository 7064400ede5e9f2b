// AVX-512 transpose panel: 16×16 tiles transposed in registers (unpack, shuffle, two rounds of
// 128-bit lane shuffles). Edge tiles use the same transpose with masked loads and stores, so no
// element outside the panel is read or written.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "copy_kernels.h"

namespace dendrite {
namespace avx512 {
namespace {

constexpr std::size_t kTile = 16;
// Source elements ahead (along each source row) fetched while a tile is transposed.
constexpr std::size_t kPrefetch = 32;

// In place: r[c] element k becomes the old r[k] element c.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int k = 0; k < 8; ++k) {
    t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
    t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
  }
  // Per 128-bit lane l, r[4g + m] now holds column 4l + m of rows 4g..4g+3.
  for (int g = 0; g < 4; ++g) {
    r[4 * g] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    r[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    r[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    r[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  for (int m = 0; m < 4; ++m) {
    const __m512 u0 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0x88);
    const __m512 u1 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0xDD);
    const __m512 v0 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0xDD);
    t[m] = _mm512_shuffle_f32x4(u0, v0, 0x88);       // column m
    t[4 + m] = _mm512_shuffle_f32x4(u1, v1, 0x88);   // column 4 + m
    t[8 + m] = _mm512_shuffle_f32x4(u0, v0, 0xDD);   // column 8 + m
    t[12 + m] = _mm512_shuffle_f32x4(u1, v1, 0xDD);  // column 12 + m
  }
  for (int c = 0; c < 16; ++c) r[c] = t[c];
}

// out[c·ldo + k] = x[c + k·ldx] for c, k < 16.
inline void tile16(const float* x, std::size_t ldx, float* out, std::size_t ldo) {
  __m512 r[16];
  for (int k = 0; k < 16; ++k) {
    _mm_prefetch(reinterpret_cast<const char*>(x + kPrefetch + k * ldx), _MM_HINT_T0);
    r[k] = _mm512_loadu_ps(x + k * ldx);
  }
  transpose16(r);
  for (int c = 0; c < 16; ++c) _mm512_storeu_ps(out + c * ldo, r[c]);
}

// The same for c < ni, k < nj (both <= 16).
inline void tile16_masked(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                          std::size_t ni, std::size_t nj) {
  const __mmask16 load_mask = static_cast<__mmask16>((1u << ni) - 1u);
  const __mmask16 store_mask = static_cast<__mmask16>((1u << nj) - 1u);
  __m512 r[16];
  for (std::size_t k = 0; k < 16; ++k) {
    r[k] = k < nj ? _mm512_maskz_loadu_ps(load_mask, x + k * ldx) : _mm512_setzero_ps();
  }
  transpose16(r);
  for (std::size_t c = 0; c < ni; ++c) _mm512_mask_storeu_ps(out + c * ldo, store_mask, r[c]);
}

}  // namespace

void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols) {
  const std::size_t rows_full = rows - rows % kTile;
  for (std::size_t j0 = 0; j0 < cols; j0 += kTile) {
    const std::size_t nj = cols - j0 < kTile ? cols - j0 : kTile;
    const float* xj = x + j0 * ldx;
    float* oj = out + j0;
    if (nj == kTile) {
      for (std::size_t i0 = 0; i0 < rows_full; i0 += kTile) tile16(xj + i0, ldx, oj + i0 * ldo, ldo);
    } else {
      for (std::size_t i0 = 0; i0 < rows_full; i0 += kTile) {
        tile16_masked(xj + i0, ldx, oj + i0 * ldo, ldo, kTile, nj);
      }
    }
    if (rows_full < rows) {
      tile16_masked(xj + rows_full, ldx, oj + rows_full * ldo, ldo, rows - rows_full, nj);
    }
  }
}

void copy_row(const float* x, float* out, std::size_t n) {
  std::size_t j = 0;
  for (; j + 64 <= n; j += 64) {
    const __m512 a = _mm512_loadu_ps(x + j);
    const __m512 b = _mm512_loadu_ps(x + j + 16);
    const __m512 c = _mm512_loadu_ps(x + j + 32);
    const __m512 d = _mm512_loadu_ps(x + j + 48);
    _mm512_storeu_ps(out + j, a);
    _mm512_storeu_ps(out + j + 16, b);
    _mm512_storeu_ps(out + j + 32, c);
    _mm512_storeu_ps(out + j + 48, d);
  }
  for (; j + 16 <= n; j += 16) _mm512_storeu_ps(out + j, _mm512_loadu_ps(x + j));
  if (j < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - j)) - 1u);
    _mm512_mask_storeu_ps(out + j, m, _mm512_maskz_loadu_ps(m, x + j));
  }
}

}  // namespace avx512
}  // namespace dendrite
