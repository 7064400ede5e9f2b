// Portable transpose panel (the scalar path, and the fallback on arm64): 16×16 tiles walked
// column block by column block, so each tile touches 16 source and 16 destination lines.
#include <cstddef>

#include "copy_kernels.h"

namespace dendrite {
namespace scalar {
namespace {
constexpr std::size_t kTile = 16;
}

void copy_transpose(const float* x, std::size_t ldx, float* out, std::size_t ldo,
                    std::size_t rows, std::size_t cols) {
  for (std::size_t j0 = 0; j0 < cols; j0 += kTile) {
    const std::size_t j1 = j0 + kTile < cols ? j0 + kTile : cols;
    for (std::size_t i0 = 0; i0 < rows; i0 += kTile) {
      const std::size_t i1 = i0 + kTile < rows ? i0 + kTile : rows;
      for (std::size_t i = i0; i < i1; ++i) {
        float* o = out + i * ldo;
        const float* s = x + i;
        for (std::size_t j = j0; j < j1; ++j) o[j] = s[j * ldx];
      }
    }
  }
}

}  // namespace scalar
}  // namespace dendrite
