// The public GEMM entry points: zero-sized products, dispatch to the active ISA path, batches,
// and the helpers every path shares (scratch buffers, the bias+activation epilogue).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "dendrite/activation.h"
#include "dendrite/gemm.h"
#include "dendrite/runtime.h"
#include "gemm_internal.h"

namespace dendrite {
namespace gemm {
namespace {

constexpr int kScratchSlots = 4;
constexpr std::size_t kScratchAlign = 64;

struct Scratch {
  float* data[kScratchSlots] = {};
  std::size_t capacity[kScratchSlots] = {};
  ~Scratch() {
    for (int i = 0; i < kScratchSlots; ++i) release(i);
  }
  void release(int i) {
    if (data[i] != nullptr) ::operator delete(data[i], std::align_val_t(kScratchAlign));
    data[i] = nullptr;
    capacity[i] = 0;
  }
};

thread_local Scratch tls_scratch;

// C = beta·C on an m×n block (beta == 0 writes zeros without reading C).
void scale_c(float* c, std::size_t ldc, std::size_t m, std::size_t n, float beta) {
  for (std::size_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      std::fill(row, row + n, 0.0f);
    } else if (beta != 1.0f) {
      for (std::size_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

void run(const Params& p) {
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) {
    scale_c(p.c, p.ldc, p.m, p.n, p.beta);
    epilogue(p, 0, p.m, 0, p.n);
    return;
  }
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512:
      avx512::sgemm(p);
      return;
    case Isa::Avx2:
      avx2::sgemm(p);
      return;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon:
      neon::sgemm(p);
      return;
#endif
    default:
      scalar::sgemm(p);
      return;
  }
}

}  // namespace

float* scratch(int slot, std::size_t n) {
  Scratch& s = tls_scratch;
  if (n <= s.capacity[slot]) return s.data[slot];
  s.release(slot);
  // Round up so small growth steps do not reallocate each time.
  std::size_t want = std::max<std::size_t>(n, 4096);
  want = (want + 1023) / 1024 * 1024;
  void* mem = ::operator new(want * sizeof(float), std::align_val_t(kScratchAlign), std::nothrow);
  if (mem == nullptr) return nullptr;
  s.data[slot] = static_cast<float*>(mem);
  s.capacity[slot] = want;
  return s.data[slot];
}

namespace {

std::size_t env_size(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return 0;
  char* end = nullptr;
  const unsigned long n = std::strtoul(v, &end, 10);
  return end != v && *end == '\0' && n > 0 && n < (1ul << 20) ? static_cast<std::size_t>(n) : 0;
}

}  // namespace

Blocking choose_blocking(std::size_t mr, std::size_t nr, std::size_t kc_max, std::size_t nc_max) {
  const runtime::CacheSizes& caches = runtime::cache_sizes();
  const std::size_t f = sizeof(float);
  // The A sliver takes up to three quarters of L1: it is read at every step of every tile,
  // while each B sliver streams through once per tile.
  std::size_t kc = std::min(kc_max, caches.l1d * 3 / 4 / (mr * f));
  kc = std::max<std::size_t>(64, kc / 8 * 8);
  if (const std::size_t v = env_size("DENDRITE_GEMM_KC")) kc = v;
  // The kc×nc B panel takes up to three quarters of L2.
  std::size_t nc = std::min(nc_max, caches.l2 * 3 / 4 / (kc * f)) / nr * nr;
  nc = std::max(nc, 4 * nr);
  if (const std::size_t v = env_size("DENDRITE_GEMM_NC")) nc = std::max(nr, v / nr * nr);
  // Packed A: a block of rows × one k block takes up to half of L3 (at least 16 slivers, at most
  // 16 MiB), so it stays there while the B panels pass over it.
  std::size_t mc = std::min<std::size_t>(caches.l3 / 2, std::size_t(16) << 20) / (kc * f);
  mc = std::max(mc / mr, std::size_t(16)) * mr;
  return Blocking{mr, nr, kc, nc, mc};
}

void epilogue(const Params& p, std::size_t i0, std::size_t rows, std::size_t j0,
              std::size_t cols) {
  if (!p.epilogue || cols == 0) return;
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = p.c + (i0 + r) * p.ldc + j0;
    if (p.bias != nullptr) {
      const float* bias = p.bias + j0;
      for (std::size_t j = 0; j < cols; ++j) row[j] += bias[j];
    }
    if (p.act != Activation::Identity) activation_forward(p.act, row, row, cols, p.act_alpha);
  }
}

}  // namespace gemm

GemmBlocking gemm_blocking() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: return gemm::avx512::blocking();
    case Isa::Avx2: return gemm::avx2::blocking();
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::Neon: return gemm::neon::blocking();
#endif
    default: return gemm::scalar::blocking();
  }
}

namespace {

// The product C = alpha·op(A)·op(B) + beta·C with the given row strides.
gemm::Params product(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                     float alpha, const float* a, std::size_t lda, const float* b,
                     std::size_t ldb, float beta, float* c, std::size_t ldc) {
  gemm::Params p;
  p.ta = trans_a;
  p.tb = trans_b;
  p.m = m;
  p.n = n;
  p.k = k;
  p.alpha = alpha;
  p.a = a;
  p.lda = lda;
  p.b = b;
  p.ldb = ldb;
  p.beta = beta;
  p.c = c;
  p.ldc = ldc;
  return p;
}

// The same for dense row-major operands (row strides follow from the shapes).
gemm::Params dense_product(bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                           std::size_t k, float alpha, const float* a, const float* b, float beta,
                           float* c) {
  return product(trans_a, trans_b, m, n, k, alpha, a, trans_a ? m : k, b, trans_b ? k : n, beta,
                 c, n);
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc) {
  gemm::run(product(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
}

void sgemm_batched(std::size_t batch, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                   std::size_t k, float alpha, const float* a, std::size_t stride_a,
                   const float* b, std::size_t stride_b, float beta, float* c,
                   std::size_t stride_c) {
  if (batch == 0 || m == 0 || n == 0) return;
  gemm::Params p = dense_product(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  const bool small = double(m) * double(n) * double(k) < gemm::kParallelMinWork;
  if (small && batch > 1 && runtime::num_threads() > 1 &&
      double(batch) * double(m) * double(n) * double(k) >= gemm::kParallelMinWork) {
    // Many small products: one product per task, each on one thread.
    runtime::parallel_for(batch, [&](std::size_t i) {
      gemm::Params q = p;
      q.a = a + i * stride_a;
      q.b = b + i * stride_b;
      q.c = c + i * stride_c;
      q.threads = false;
      gemm::run(q);
    });
    return;
  }
  for (std::size_t i = 0; i < batch; ++i) {
    p.a = a + i * stride_a;
    p.b = b + i * stride_b;
    p.c = c + i * stride_c;
    gemm::run(p);
  }
}

void sgemm_bias_act(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                    const float* a, const float* b, const float* bias, Activation act,
                    float act_alpha, float* c) {
  gemm::Params p = dense_product(trans_a, trans_b, m, n, k, 1.0f, a, b, 0.0f, c);
  p.epilogue = bias != nullptr || act != Activation::Identity;
  p.bias = bias;
  p.act = act;
  p.act_alpha = act_alpha;
  gemm::run(p);
}

}  // namespace dendrite
