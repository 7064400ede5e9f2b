// Fused losses.
#pragma once
#include <cstddef>
#include <cstdint>

namespace dendrite {

// Row-wise softmax cross-entropy of logits [rows, cols] against class indices `labels` (rows
// entries, each in [0, cols): the caller checks) or a target distribution `target` [rows, cols]
// (exactly one is non-null). With m the row max and S = Σ exp(x − m):
//   loss[r] = ln S + m·(1 − Σt) − Σ_{t≠0} t·(x − m)    (= logsumexp(x) − Σ t·x, without
//   cancellation for huge logits; terms with t = 0 are skipped, so −Inf logits are allowed
//   where the target is 0). For labels Σt = 1 and the last term is x[label] − m.
// When grad is non-null it receives softmax(x) − target. A row holding NaN or +Inf, or only
// −Inf, gives NaN. grad may be logits itself (in place) but must not overlap target or loss.
void softmax_cross_entropy(const float* logits, std::size_t rows, std::size_t cols,
                           const std::int32_t* labels, const float* target, float* loss,
                           float* grad);

}  // namespace dendrite
