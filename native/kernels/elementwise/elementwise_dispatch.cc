// The elementwise entry points of dendrite/elementwise.h: shape collapsing, the choice of a
// loop, the split over threads, and dispatch to the active ISA's kernels.
#include <cstddef>
#include <cstdint>
#include <limits>

#include "dendrite/elementwise.h"
#include "../collapse_dims.h"
#include "dendrite/runtime.h"
#include "elementwise_kernels.h"

namespace dendrite {
namespace {

using elementwise::Kernels;
using elementwise::kMaxTile;

#define DENDRITE_ELEMENTWISE_TABLE(ns)                                                     \
  Kernels {                                                                                \
    ns::elem_binary_row, ns::elem_unary, ns::elem_sum_run, ns::elem_sqdev_run,             \
        ns::elem_extreme_run, ns::elem_find_run, ns::elem_reduce_cols,                     \
        ns::elem_arg_reduce_cols                                                           \
  }

const Kernels kScalar = DENDRITE_ELEMENTWISE_TABLE(scalar);
#if defined(__x86_64__) || defined(_M_X64)
const Kernels kAvx2 = DENDRITE_ELEMENTWISE_TABLE(avx2);
const Kernels kAvx512 = DENDRITE_ELEMENTWISE_TABLE(avx512);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
const Kernels kNeon = DENDRITE_ELEMENTWISE_TABLE(neon);
#endif

const Kernels& kernels() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: return kAvx512;
    case Isa::Avx2: return kAvx2;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon: return kNeon;
#endif
    default: return kScalar;
  }
}

// Work below this many elements per chunk stays on one thread (so ~64K elements and more are
// split over two threads).
constexpr std::size_t kMinChunk = 32768;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// ---- binary ------------------------------------------------------------------------------

// Elements of a strided inner run gathered per step, so the op itself still runs vectorised.
constexpr std::size_t kGather = 1024;

// out[i] = a[i·sa] op b[i·sb] for i < n with arbitrary strides.
void binary_run(const Kernels& k, BinaryOp op, const float* a, std::size_t sa, const float* b,
                std::size_t sb, float* out, std::size_t n) {
  if (sa <= 1 && sb <= 1) {
    k.binary_row(op, a, sa, b, sb, out, n);
    return;
  }
  float ta[kGather], tb[kGather];
  for (std::size_t i0 = 0; i0 < n; i0 += kGather) {
    std::size_t m = n - i0 < kGather ? n - i0 : kGather;
    const float* pa = a + i0 * sa;
    const float* pb = b + i0 * sb;
    std::size_t ea = sa, eb = sb;
    if (sa > 1) {
      for (std::size_t i = 0; i < m; ++i) ta[i] = pa[i * sa];
      pa = ta;
      ea = 1;
    }
    if (sb > 1) {
      for (std::size_t i = 0; i < m; ++i) tb[i] = pb[i * sb];
      pb = tb;
      eb = 1;
    }
    k.binary_row(op, pa, ea, pb, eb, out + i0, m);
  }
}

static_assert(kMaxRank <= kStridedMaxRank, "collapse_dims holds every rank binary_strided takes");

}  // namespace

void binary_strided(BinaryOp op, std::size_t rank, const std::size_t* shape, const float* a,
                    const std::size_t* a_strides, const float* b, const std::size_t* b_strides,
                    float* out) {
  if (rank > kMaxRank) return;
  for (std::size_t d = 0; d < rank; ++d) {
    if (shape[d] == 0) return;
  }
  // The output is dense, so only the operands' strides decide what merges (s0: a, s1: b).
  const StridedDims c = collapse_dims(rank, shape, a_strides, b_strides);
  const Kernels& k = kernels();
  if (c.rank == 0) {
    k.binary_row(op, a, 0, b, 0, out, 1);
    return;
  }
  const std::size_t last = c.rank - 1;
  const std::size_t n = c.dims[last];
  const std::size_t isa = c.s0[last], isb = c.s1[last];
  if (c.rank == 1) {
    // One run: split it over threads.
    runtime::parallel_range(n, kMinChunk, [&](std::size_t lo, std::size_t hi) {
      binary_run(k, op, a + lo * isa, isa, b + lo * isb, isb, out + lo, hi - lo);
    });
    return;
  }
  std::size_t rows = 1;
  for (std::size_t d = 0; d < last; ++d) rows *= c.dims[d];
  std::size_t min_rows = kMinChunk / n;
  if (min_rows == 0) min_rows = 1;
  runtime::parallel_range(rows, min_rows, [&](std::size_t lo, std::size_t hi) {
    // Multi-index of row `lo` over the outer dimensions, then an odometer.
    std::size_t idx[kMaxRank];
    std::size_t oa = 0, ob = 0;
    std::size_t rem = lo;
    for (std::size_t d = last; d-- > 0;) {
      idx[d] = rem % c.dims[d];
      rem /= c.dims[d];
      oa += idx[d] * c.s0[d];
      ob += idx[d] * c.s1[d];
    }
    for (std::size_t row = lo; row < hi; ++row) {
      binary_run(k, op, a + oa, isa, b + ob, isb, out + row * n, n);
      for (std::size_t d = last; d-- > 0;) {
        oa += c.s0[d];
        ob += c.s1[d];
        if (++idx[d] < c.dims[d]) break;
        oa -= c.s0[d] * c.dims[d];
        ob -= c.s1[d] * c.dims[d];
        idx[d] = 0;
      }
    }
  });
}

void unary(UnaryOp op, const float* x, float* y, std::size_t n, float p0, float p1) {
  const Kernels& k = kernels();
  runtime::parallel_range(n, kMinChunk, [&](std::size_t lo, std::size_t hi) {
    k.unary(op, x + lo, y + lo, hi - lo, p0, p1);
  });
}

// ---- reductions --------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxChunks = 256;  // the pool's largest size

inline float combine_extreme(bool is_max, float acc, float v) {
  if (acc != acc) return acc;
  if (v != v) return v;
  return is_max ? (v > acc ? v : acc) : (v < acc ? v : acc);
}

// How many threads one long run of `len` elements is split over (1: not split).
std::size_t run_chunks(std::size_t len) {
  std::size_t chunks = len / kMinChunk;
  std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  if (chunks > threads) chunks = threads;
  if (chunks > kMaxChunks) chunks = kMaxChunks;
  return chunks < 1 ? 1 : chunks;
}

// Σ over a run, over `chunks` threads, the partials added in chunk order.
template <class F>
double chunked_sum(std::size_t len, std::size_t chunks, F part) {
  if (chunks <= 1) return part(std::size_t(0), len);
  double partial[kMaxChunks];
  std::size_t per = (len + chunks - 1) / chunks;
  runtime::parallel_for(chunks, [&](std::size_t t) {
    std::size_t lo = t * per < len ? t * per : len;
    std::size_t hi = lo + per < len ? lo + per : len;
    partial[t] = part(lo, hi);
  });
  double s = 0;
  for (std::size_t t = 0; t < chunks; ++t) s += partial[t];
  return s;
}

float run_extreme(const Kernels& k, bool is_max, const float* p, std::size_t len,
                  std::size_t chunks) {
  if (chunks <= 1) return k.extreme_run(is_max, p, len);
  float partial[kMaxChunks];
  std::size_t per = (len + chunks - 1) / chunks;
  runtime::parallel_for(chunks, [&](std::size_t t) {
    std::size_t lo = t * per < len ? t * per : len;
    std::size_t hi = lo + per < len ? lo + per : len;
    partial[t] = k.extreme_run(is_max, p + lo, hi - lo);
  });
  float r = is_max ? -kInf : kInf;
  for (std::size_t t = 0; t < chunks; ++t) r = combine_extreme(is_max, r, partial[t]);
  return r;
}

// One output of a contiguous run (len >= 1); `chunks` threads share the run.
float run_value(const Kernels& k, ReduceOp op, const float* p, std::size_t len,
                float correction, std::size_t chunks) {
  auto sum = [&](std::size_t lo, std::size_t hi) { return k.sum_run(p + lo, hi - lo); };
  const double dlen = static_cast<double>(len);
  switch (op) {
    case ReduceOp::Sum: return static_cast<float>(chunked_sum(len, chunks, sum));
    case ReduceOp::Mean: return static_cast<float>(chunked_sum(len, chunks, sum) / dlen);
    case ReduceOp::Max: return run_extreme(k, true, p, len, chunks);
    case ReduceOp::Min: return run_extreme(k, false, p, len, chunks);
    case ReduceOp::Variance: {
      const float mean = static_cast<float>(chunked_sum(len, chunks, sum) / dlen);
      double sq = chunked_sum(len, chunks, [&](std::size_t lo, std::size_t hi) {
        return k.sqdev_run(p + lo, hi - lo, mean);
      });
      return static_cast<float>(sq / (dlen - static_cast<double>(correction)));
    }
  }
  return kNaN;
}

// Column tiling of [outer, len, inner] with inner > 1: tasks are (outer row, column tile),
// tiles narrowed when there are fewer tasks than threads.
struct Tiling {
  std::size_t width;
  std::size_t per_row;
  std::size_t tasks;
};

Tiling tiling(std::size_t outer, std::size_t len, std::size_t inner) {
  std::size_t width = inner < kMaxTile ? inner : kMaxTile;
  std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  std::size_t per_row = (inner + width - 1) / width;
  if (outer * per_row < threads && outer * len * inner >= 2 * kMinChunk) {
    std::size_t want = (threads + outer - 1) / outer;  // tiles per row
    std::size_t w = (inner + want - 1) / want;
    w = (w + 15) / 16 * 16;
    if (w < width) width = w;
    per_row = (inner + width - 1) / width;
  }
  return Tiling{width, per_row, outer * per_row};
}

template <class F>
void for_tiles(std::size_t outer, std::size_t len, std::size_t inner, F body) {
  const Tiling t = tiling(outer, len, inner);
  std::size_t work = len * t.width;
  std::size_t min_tasks = work >= kMinChunk ? 1 : kMinChunk / (work ? work : 1);
  runtime::parallel_range(t.tasks, min_tasks, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t task = lo; task < hi; ++task) {
      std::size_t o = task / t.per_row;
      std::size_t c0 = (task % t.per_row) * t.width;
      std::size_t cols = inner - c0 < t.width ? inner - c0 : t.width;
      body(o, c0, cols);
    }
  });
}

}  // namespace

void reduce_axis(ReduceOp op, const float* x, std::size_t outer, std::size_t len,
                 std::size_t inner, float* out, float correction) {
  const std::size_t n_out = outer * inner;
  if (n_out == 0) return;
  if (len == 0) {
    float v = kNaN;
    if (op == ReduceOp::Sum) v = 0.0f;
    if (op == ReduceOp::Max) v = -kInf;
    if (op == ReduceOp::Min) v = kInf;
    for (std::size_t i = 0; i < n_out; ++i) out[i] = v;
    return;
  }
  const Kernels& k = kernels();
  if (inner == 1) {
    std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
    if (outer < threads && len >= 2 * kMinChunk) {
      std::size_t chunks = run_chunks(len);
      for (std::size_t o = 0; o < outer; ++o) out[o] = run_value(k, op, x + o * len, len, correction, chunks);
      return;
    }
    std::size_t min_rows = kMinChunk / len;
    runtime::parallel_range(outer, min_rows ? min_rows : 1, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t o = lo; o < hi; ++o) out[o] = run_value(k, op, x + o * len, len, correction, 1);
    });
    return;
  }
  for_tiles(outer, len, inner, [&](std::size_t o, std::size_t c0, std::size_t cols) {
    k.reduce_cols(op, x + o * len * inner + c0, len, inner, cols, out + o * inner + c0, correction);
  });
}

void arg_reduce_axis(bool is_max, const float* x, std::size_t outer, std::size_t len,
                     std::size_t inner, std::int32_t* out) {
  const std::size_t n_out = outer * inner;
  if (n_out == 0) return;
  if (len == 0) {  // excluded by the contract; defined anyway
    for (std::size_t i = 0; i < n_out; ++i) out[i] = -1;
    return;
  }
  const Kernels& k = kernels();
  if (inner == 1) {
    // The extreme first, then the first position holding it (or the first NaN).
    std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
    if (outer < threads && len >= 2 * kMinChunk) {
      std::size_t chunks = run_chunks(len);
      for (std::size_t o = 0; o < outer; ++o) {
        const float* p = x + o * len;
        float m = run_extreme(k, is_max, p, len, chunks);
        out[o] = static_cast<std::int32_t>(k.find_run(p, len, m));
      }
      return;
    }
    std::size_t min_rows = kMinChunk / len;
    runtime::parallel_range(outer, min_rows ? min_rows : 1, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t o = lo; o < hi; ++o) {
        const float* p = x + o * len;
        float m = k.extreme_run(is_max, p, len);
        out[o] = static_cast<std::int32_t>(k.find_run(p, len, m));
      }
    });
    return;
  }
  for_tiles(outer, len, inner, [&](std::size_t o, std::size_t c0, std::size_t cols) {
    k.arg_reduce_cols(is_max, x + o * len * inner + c0, len, inner, cols, out + o * inner + c0);
  });
}

}  // namespace dendrite
