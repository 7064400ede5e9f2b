// Shape simplification shared by the strided kernels (elementwise broadcasting, strided copy).
#pragma once
#include <cstddef>

namespace dendrite {

constexpr std::size_t kStridedMaxRank = 8;

// A shape with two element strides per dimension (one per operand).
struct StridedDims {
  std::size_t rank = 0;
  std::size_t dims[kStridedMaxRank];
  std::size_t s0[kStridedMaxRank];
  std::size_t s1[kStridedMaxRank];
};

// Drops unit dimensions and merges a dimension into the one before it when both operands step
// through the pair as through one dimension. rank <= kStridedMaxRank.
inline StridedDims collapse_dims(std::size_t rank, const std::size_t* shape, const std::size_t* s0,
                                 const std::size_t* s1) {
  StridedDims c;
  for (std::size_t d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    const std::size_t r = c.rank;
    if (r > 0 && c.s0[r - 1] == s0[d] * shape[d] && c.s1[r - 1] == s1[d] * shape[d]) {
      c.dims[r - 1] *= shape[d];
      c.s0[r - 1] = s0[d];
      c.s1[r - 1] = s1[d];
    } else {
      c.dims[r] = shape[d];
      c.s0[r] = s0[d];
      c.s1[r] = s1[d];
      c.rank = r + 1;
    }
  }
  return c;
}

}  // namespace dendrite
