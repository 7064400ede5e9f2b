// Strided copies: the data movement behind the layout ops (permute/transpose, broadcast,
// slice, concat/stack).
#pragma once
#include <cstddef>

namespace dendrite {

constexpr std::size_t kCopyMaxRank = 8;

// out[idx] = x[Σ idx_d·strides_d] for every idx of `shape` (rank <= kCopyMaxRank), out dense
// row-major. Strides are in elements; 0 broadcasts. x and out must not overlap.
void copy_strided(std::size_t rank, const std::size_t* shape, const float* x,
                  const std::size_t* strides, float* out);

// The same with the output addressed through out_strides too: out[Σ idx_d·out_strides_d] =
// x[Σ idx_d·x_strides_d] (e.g. writing one input into its block of a concatenation). The output
// positions must be distinct for distinct indices (threads write them concurrently).
void copy_strided_to(std::size_t rank, const std::size_t* shape, const float* x,
                     const std::size_t* x_strides, float* out, const std::size_t* out_strides);

}  // namespace dendrite
