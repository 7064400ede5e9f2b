// Elementwise binary ops with broadcasting, unary ops, and reductions along an axis.
#pragma once
#include <cstddef>
#include <cstdint>

namespace dendrite {

// Numbering shared with TypeScript (src/backend/backend.ts): keep in step.
enum class BinaryOp : int { Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Maximum = 5, Minimum = 6 };
constexpr int kBinaryOpCount = 7;

enum class UnaryOp : int {
  Neg = 0, Abs = 1, Exp = 2, Log = 3, Sqrt = 4, Square = 5, Reciprocal = 6,
  Clamp = 7,  // clamp(x, p0, p1); NaN stays NaN
};
constexpr int kUnaryOpCount = 8;

enum class ReduceOp : int {
  Sum = 0, Mean = 1, Max = 2, Min = 3,
  Variance = 4,  // Σ(x − mean)² / (len − correction)
};
constexpr int kReduceOpCount = 5;

constexpr std::size_t kMaxRank = 8;

// out[idx] = a[idx·a_strides] op b[idx·b_strides] for every idx of `shape` (rank <= kMaxRank),
// out dense row-major. Strides are in elements; a broadcast dimension has stride 0.
// maximum/minimum propagate NaN (like numpy.maximum / torch.maximum).
void binary_strided(BinaryOp op, std::size_t rank, const std::size_t* shape, const float* a,
                    const std::size_t* a_strides, const float* b, const std::size_t* b_strides,
                    float* out);

// y = op(x) over n elements; p0, p1 are clamp's bounds. x and y may alias.
void unary(UnaryOp op, const float* x, float* y, std::size_t n, float p0, float p1);

// x viewed as [outer, len, inner]; reduces the middle axis into out [outer, inner].
// len == 0: sum 0, mean NaN, max -Inf, min +Inf, variance NaN. max/min propagate NaN.
void reduce_axis(ReduceOp op, const float* x, std::size_t outer, std::size_t len, std::size_t inner,
                 float* out, float correction);

// Index of the first maximum (is_max) or minimum along the middle axis; NaN counts as the
// extreme (first NaN wins, as in numpy/PyTorch). len must be >= 1.
void arg_reduce_axis(bool is_max, const float* x, std::size_t outer, std::size_t len,
                     std::size_t inner, std::int32_t* out);

}  // namespace dendrite
