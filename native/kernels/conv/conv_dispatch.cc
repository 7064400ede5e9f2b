// The conv family's drivers: im2col in bounded chunks of output pixels, each chunk multiplied by
// the packed SGEMM, and the pooling loops, spread over the thread pool. The per-ISA kernels
// (conv_kernels.h) are chosen per call, so tests can switch paths at run time.
//
// Threading: when there are enough chunks, each of up to num_threads() slots owns one chunk
// buffer and claims chunks one by one (a late-starting thread simply takes fewer), running its
// im2col and a single-threaded GEMM on data that stays in its own core's cache. GEMMs issued from
// inside a pool task run on that thread (the pool never nests). With a single chunk the GEMM
// itself spreads over the pool.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "conv_kernels.h"
#include "dendrite/activation.h"
#include "dendrite/conv.h"
#include "dendrite/gemm.h"
#include "dendrite/runtime.h"

namespace dendrite {
namespace {

struct Kernels {
  decltype(&scalar::im2col) im2col;
  decltype(&scalar::col2im) col2im;
  decltype(&scalar::column_sums) column_sums;
  decltype(&scalar::max_pool_rows) max_pool_rows;
  decltype(&scalar::avg_pool_rows) avg_pool_rows;
  decltype(&scalar::max_pool_backward) max_pool_backward;
  decltype(&scalar::avg_pool_backward) avg_pool_backward;
};

#define DENDRITE_CONV_KERNELS(ns)                                                              \
  Kernels {                                                                                    \
    ns::im2col, ns::col2im, ns::column_sums, ns::max_pool_rows, ns::avg_pool_rows,             \
        ns::max_pool_backward, ns::avg_pool_backward                                           \
  }

Kernels kernels() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512:
      return DENDRITE_CONV_KERNELS(avx512);
    case Isa::Avx2:
      return DENDRITE_CONV_KERNELS(avx2);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon:
      return DENDRITE_CONV_KERNELS(neon);
#endif
    default:
      return DENDRITE_CONV_KERNELS(scalar);
  }
}
#undef DENDRITE_CONV_KERNELS

// im2col floats per chunk: 512 KiB, so a chunk and the GEMM's packed copy of it fit a 1 MiB L2
// (1 MiB chunks measured no faster on the benchmark CNN's convs).
constexpr std::size_t kColFloats = std::size_t(1) << 17;
// Chunks hold a multiple of this many rows (whole GEMM row panels), and at least this many.
constexpr std::size_t kRowAlign = 16;
// Chunks per thread aimed for, so threads finish together even when one starts late.
constexpr std::size_t kChunksPerThread = 4;
// Below this many flops a call stays on the calling thread (waking the pool costs more).
constexpr double kParallelMinFlops = 4e6;
// Pooling: window reads below which a call stays on the calling thread.
constexpr double kPoolParallelMin = 1 << 17;
// The pool's thread limit (runtime.h clamps to it): slot flags live on the stack.
constexpr std::size_t kMaxSlots = 256;

std::size_t round_up(std::size_t a, std::size_t b) { return (a + b - 1) / b * b; }

// Output pixels per im2col chunk for patches of K floats over `pixels` pixels.
std::size_t chunk_rows(std::size_t K, std::size_t pixels, std::size_t threads) {
  std::size_t rows = kColFloats / std::max<std::size_t>(K, 1);
  rows = std::max(kRowAlign, rows / kRowAlign * kRowAlign);
  if (threads > 1) {
    const std::size_t balanced = round_up((pixels + threads * kChunksPerThread - 1) /
                                              (threads * kChunksPerThread),
                                          kRowAlign);
    rows = std::min(rows, std::max(kRowAlign, balanced));
  }
  return std::min(rows, std::max<std::size_t>(pixels, 1));
}

// Slots to run `items` work items with, given the call's flops.
std::size_t plan_slots(std::size_t items, double flops) {
  const std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  if (threads <= 1 || items <= 1 || flops < kParallelMinFlops) return 1;
  return std::min({threads, items, kMaxSlots});
}

// f(slot, item) for every item in [0, items): slot 0 alone on the caller, or each slot a pool
// task claiming items until none are left.
template <class F>
void run_slots(std::size_t slots, std::size_t items, F&& f) {
  if (slots <= 1) {
    for (std::size_t i = 0; i < items; ++i) f(std::size_t(0), i);
    return;
  }
  std::atomic<std::size_t> next{0};
  runtime::parallel_for(slots, [&](std::size_t slot) {
    for (;;) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= items) return;
      f(slot, i);
    }
  });
}

std::unique_ptr<float[]> allocate(std::size_t n) {
  return std::unique_ptr<float[]>(new (std::nothrow) float[std::max<std::size_t>(n, 1)]);
}

// 1×1, stride 1, unpadded, same size: x is already the [pixels, in_c] matrix.
bool is_pointwise(const Conv2dGeometry& g) {
  return g.k_h == 1 && g.k_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
         g.pad_left == 0 && g.out_h == g.in_h && g.out_w == g.in_w;
}

void fill(float* p, std::size_t n, float v) { std::fill(p, p + n, v); }

}  // namespace

bool conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                    float* y, Activation act, float act_alpha) {
  const std::size_t M = g.batch * g.out_h * g.out_w;
  const std::size_t K = g.k_h * g.k_w * g.in_c;
  const std::size_t N = g.out_c;
  if (M == 0 || N == 0) return true;
  if (K == 0) {
    for (std::size_t p = 0; p < M; ++p) {
      for (std::size_t c = 0; c < N; ++c) y[p * N + c] = bias != nullptr ? bias[c] : 0.0f;
    }
    if (act != Activation::Identity) activation_forward(act, y, y, M * N, act_alpha);
    return true;
  }
  if (is_pointwise(g)) {
    sgemm_bias_act(false, false, M, N, K, x, w, bias, act, act_alpha, y);
    return true;
  }
  const Kernels k = kernels();
  const std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  const std::size_t R = chunk_rows(K, M, threads);
  const std::size_t chunks = (M + R - 1) / R;
  const std::size_t slots = plan_slots(chunks, 2.0 * double(M) * double(K) * double(N));
  auto scratch = allocate(slots * R * K);
  if (!scratch) return false;
  run_slots(slots, chunks, [&](std::size_t slot, std::size_t c) {
    const std::size_t p0 = c * R;
    const std::size_t rows = std::min(R, M - p0);
    float* col = scratch.get() + slot * R * K;
    k.im2col(g, x, p0, rows, col);
    sgemm_bias_act(false, false, rows, N, K, col, w, bias, act, act_alpha, y + p0 * N);
  });
  return true;
}

bool conv2d_backward_input(const Conv2dGeometry& g, const float* dy, const float* w, float* dx) {
  const std::size_t in_img = g.in_h * g.in_w * g.in_c;
  const std::size_t pixels = g.out_h * g.out_w;
  const std::size_t M = g.batch * pixels;
  const std::size_t K = g.k_h * g.k_w * g.in_c;
  const std::size_t N = g.out_c;
  if (g.batch * in_img == 0) return true;
  if (M == 0 || N == 0 || K == 0) {
    fill(dx, g.batch * in_img, 0.0f);
    return true;
  }
  if (is_pointwise(g)) {
    // dx [pixels, in_c] = dy [pixels, out_c] · wᵀ (w is [in_c, out_c]).
    sgemm(false, true, M, K, N, 1.0f, dy, N, w, N, 0.0f, dx, K);
    return true;
  }
  const Kernels k = kernels();
  const std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  // Slots own whole images: col2im of neighbouring pixels adds into the same inputs, so two
  // threads must never scatter into one image.
  const std::size_t slots = plan_slots(g.batch, 2.0 * double(M) * double(K) * double(N));
  const std::size_t R = chunk_rows(K, slots > 1 ? pixels : M, slots > 1 ? 1 : threads);
  auto scratch = allocate(slots * R * K);
  if (!scratch) return false;
  // dcol = dy_chunk · wᵀ, then scattered into dx.
  auto chunk = [&](float* dcol, std::size_t p0, std::size_t rows) {
    sgemm(false, true, rows, K, N, 1.0f, dy + p0 * N, N, w, N, 0.0f, dcol, K);
    k.col2im(g, dcol, p0, rows, dx);
  };
  if (slots <= 1) {
    fill(dx, g.batch * in_img, 0.0f);
    for (std::size_t p0 = 0; p0 < M; p0 += R) chunk(scratch.get(), p0, std::min(R, M - p0));
    return true;
  }
  run_slots(slots, g.batch, [&](std::size_t slot, std::size_t img) {
    fill(dx + img * in_img, in_img, 0.0f);
    float* dcol = scratch.get() + slot * R * K;
    const std::size_t end = (img + 1) * pixels;
    for (std::size_t p0 = img * pixels; p0 < end; p0 += R) chunk(dcol, p0, std::min(R, end - p0));
  });
  return true;
}

bool conv2d_backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float* dw,
                            float* db, float beta) {
  const std::size_t M = g.batch * g.out_h * g.out_w;
  const std::size_t K = g.k_h * g.k_w * g.in_c;
  const std::size_t N = g.out_c;
  const bool accumulate = beta != 0.0f;
  if (N == 0) return true;
  if (M == 0 || K == 0) {
    if (!accumulate) {
      fill(dw, K * N, 0.0f);
      if (db != nullptr) fill(db, N, 0.0f);
    }
    if (db != nullptr && M > 0) kernels().column_sums(dy, M, N, db);
    return true;
  }
  const Kernels k = kernels();
  if (is_pointwise(g)) {
    // dw [in_c, out_c] = xᵀ · dy.
    sgemm(true, false, K, N, M, 1.0f, x, K, dy, N, beta, dw, N);
    if (db != nullptr) {
      if (!accumulate) fill(db, N, 0.0f);
      k.column_sums(dy, M, N, db);
    }
    return true;
  }
  const std::size_t threads = static_cast<std::size_t>(runtime::num_threads());
  const std::size_t R = chunk_rows(K, M, threads);
  const std::size_t chunks = (M + R - 1) / R;
  const std::size_t slots = plan_slots(chunks, 2.0 * double(M) * double(K) * double(N));
  // Per slot: a chunk buffer and a bias-gradient row; slots after the first also a private dw
  // (the first accumulates straight into dw, starting from the caller's beta).
  const std::size_t col_floats = slots * R * K;
  const std::size_t db_floats = slots * N;
  auto scratch = allocate(col_floats + db_floats + (slots - 1) * K * N);
  if (!scratch) return false;
  float* db_acc = scratch.get() + col_floats;
  float* dw_private = db_acc + db_floats;
  if (db != nullptr) fill(db_acc, db_floats, 0.0f);
  std::array<unsigned char, kMaxSlots> used{};
  run_slots(slots, chunks, [&](std::size_t slot, std::size_t c) {
    const std::size_t p0 = c * R;
    const std::size_t rows = std::min(R, M - p0);
    float* col = scratch.get() + slot * R * K;
    float* target = slot == 0 ? dw : dw_private + (slot - 1) * K * N;
    const float b = used[slot] ? 1.0f : (slot == 0 ? beta : 0.0f);
    k.im2col(g, x, p0, rows, col);
    sgemm(true, false, K, N, rows, 1.0f, col, K, dy + p0 * N, N, b, target, N);
    used[slot] = 1;
    if (db != nullptr) k.column_sums(dy + p0 * N, rows, N, db_acc + slot * N);
  });
  if (!used[0] && !accumulate) fill(dw, K * N, 0.0f);
  for (std::size_t s = 1; s < slots; ++s) {
    if (used[s]) k.column_sums(dw_private + (s - 1) * K * N, 1, K * N, dw);
  }
  if (db != nullptr) {
    if (!accumulate) fill(db, N, 0.0f);
    k.column_sums(db_acc, slots, N, db);
  }
  return true;
}

void pool2d_forward(bool is_max, const Pool2dGeometry& g, const float* x, float* y,
                    std::int32_t* argmax) {
  const std::size_t rows = g.batch * g.out_h;
  if (rows == 0 || g.out_w == 0 || g.channels == 0) return;
  const Kernels k = kernels();
  const double row_work = double(g.out_w) * double(g.channels) * double(g.k_h) * double(g.k_w);
  const std::size_t min_rows =
      static_cast<std::size_t>(std::max(1.0, kPoolParallelMin / std::max(row_work, 1.0)));
  runtime::parallel_range(rows, min_rows, [&](std::size_t r0, std::size_t r1) {
    if (is_max) {
      k.max_pool_rows(g, x, y, argmax, r0, r1);
    } else {
      k.avg_pool_rows(g, x, y, r0, r1);
    }
  });
}

void pool2d_backward(bool is_max, const Pool2dGeometry& g, const float* dy,
                     const std::int32_t* argmax, float* dx) {
  if (g.batch * g.in_h * g.in_w * g.channels == 0) return;
  const Kernels k = kernels();
  const double img_work = double(g.in_h) * double(g.in_w) * double(g.channels) +
                          double(g.out_h) * double(g.out_w) * double(g.channels) *
                              (is_max ? 1.0 : double(g.k_h) * double(g.k_w));
  const std::size_t min_imgs =
      static_cast<std::size_t>(std::max(1.0, kPoolParallelMin / std::max(img_work, 1.0)));
  // Whole images per task: overlapping windows scatter into shared inputs.
  runtime::parallel_range(g.batch, min_imgs, [&](std::size_t n0, std::size_t n1) {
    if (is_max) {
      k.max_pool_backward(g, dy, argmax, dx, n0, n1);
    } else {
      k.avg_pool_backward(g, dy, dx, n0, n1);
    }
  });
}

}  // namespace dendrite
