// The per-ISA building blocks of the copy family: a cache-blocked 2-D transpose and a contiguous
// row copy. The dispatcher (copy_dispatch.cc) collapses shapes, picks a path, splits work over
// threads and calls these on panels and rows; each ISA namespace (scalar, avx2, avx512) defines
// both. Plain declarations: no intrinsics here, so any file may include this header.
#pragma once
#include <cstddef>

namespace dendrite {
namespace copy {

// out[i·ldo + j] = x[i + j·ldx] for i < rows, j < cols.
using TransposeFn = void (*)(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                             std::size_t rows, std::size_t cols);
// out[j] = x[j] for j < n (x and out do not overlap).
using RowFn = void (*)(const float* x, float* out, std::size_t n);

}  // namespace copy

namespace scalar {
void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols);
void copy_row(const float* x, float* out, std::size_t n);
}
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 {
void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols);
void copy_row(const float* x, float* out, std::size_t n);
}
namespace avx512 {
void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols);
void copy_row(const float* x, float* out, std::size_t n);
}
#endif

}  // namespace dendrite
