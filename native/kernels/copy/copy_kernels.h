// The per-ISA building block of the copy family: a cache-blocked 2-D transpose. The dispatcher
// (copy_dispatch.cc) collapses shapes, picks a path, splits work over threads and calls this on
// panels; each ISA namespace (scalar, avx2, avx512) defines it. Plain declarations: no
// intrinsics here, so any file may include this header.
#pragma once
#include <cstddef>

namespace dendrite {
namespace copy {

// out[i·ldo + j] = x[i + j·ldx] for i < rows, j < cols.
using TransposeFn = void (*)(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                             std::size_t rows, std::size_t cols);

}  // namespace copy

namespace scalar {
void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols);
}
#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 {
void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols);
}
namespace avx512 {
void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols);
}
#endif

}  // namespace dendrite
