// Entry point of the copy family (argument checks, then the kernel):
// copyStrided(x, out, shape, strides, outStrides?).
#include <algorithm>
#include <cstddef>
#include <string>

#include "args.h"
#include "dendrite/copy.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

// Output strides must send distinct indices to distinct elements (threads write concurrently).
// Sufficient test: sorted by stride, each dimension of size > 1 steps past everything the
// smaller ones reach.
void require_distinct_positions(Napi::Env env, const char* op, std::size_t rank,
                                const std::size_t* shape, const std::size_t* strides) {
  std::size_t order[kCopyMaxRank];
  std::size_t n = 0;
  for (std::size_t d = 0; d < rank; ++d) {
    if (shape[d] > 1) order[n++] = d;
  }
  std::sort(order, order + n, [&](std::size_t a, std::size_t b) { return strides[a] < strides[b]; });
  std::size_t reach = 0;  // largest offset the dimensions so far reach
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t d = order[k];
    if (strides[d] <= reach) {
      throw_range(env, op,
                  "outStrides[" + std::to_string(d) + "] = " + std::to_string(strides[d]) +
                      " makes different indices write the same element of out");
    }
    reach = checked_add(env, op, reach, checked_mul(env, op, shape[d] - 1, strides[d]));
  }
}

Napi::Value CopyStrided(const Napi::CallbackInfo& info) {
  const char* op = "copyStrided";
  Napi::Env env = info.Env();
  require_args(info, 4, op);
  F32 x = f32_arg(info, 0, op, "x");
  F32 out = f32_arg(info, 1, op, "out");
  std::size_t shape[kCopyMaxRank], xs[kCopyMaxRank], os[kCopyMaxRank];
  const std::size_t rank = dims_array_arg(info, 2, op, "shape", shape, kCopyMaxRank);
  const std::size_t rs = dims_array_arg(info, 3, op, "strides", xs, kCopyMaxRank);
  if (rs != rank) {
    throw_range(env, op,
                "shape and strides must have the same length, got " + std::to_string(rank) +
                    " and " + std::to_string(rs));
  }
  const bool strided_out = info.Length() > 4 && !info[4].IsUndefined() && !info[4].IsNull();
  if (strided_out) {
    const std::size_t ro = dims_array_arg(info, 4, op, "outStrides", os, kCopyMaxRank);
    if (ro != rank) {
      throw_range(env, op,
                  "shape and outStrides must have the same length, got " + std::to_string(rank) +
                      " and " + std::to_string(ro));
    }
  }
  std::size_t total = 1;
  for (std::size_t d = 0; d < rank; ++d) total = checked_mul(env, op, total, shape[d]);
  if (total == 0) return env.Undefined();  // nothing is read or written
  std::size_t out_need = total;
  if (strided_out) {
    require_distinct_positions(env, op, rank, shape, os);
    out_need = checked_add(env, op, last_index(env, op, rank, shape, os), 1);
  }
  require_length(env, op, "out", out.length, out_need);
  const std::size_t x_need = checked_add(env, op, last_index(env, op, rank, shape, xs), 1);
  if (x.length < x_need) {
    throw_range(env, op,
                "x has " + std::to_string(x.length) + " elements, but its strides reach index " +
                    std::to_string(x_need - 1));
  }
  require_no_alias(env, op, "out", out, out_need, "x", x, x_need);
  if (strided_out) {
    copy_strided_to(rank, shape, x.data, xs, out.data, os);
  } else {
    copy_strided(rank, shape, x.data, xs, out.data);
  }
  return env.Undefined();
}

}  // namespace

void init_copy(Napi::Env env, Napi::Object exports) {
  exports.Set("copyStrided", Napi::Function::New(env, CopyStrided, "copyStrided"));
}

}  // namespace binding
}  // namespace dendrite
