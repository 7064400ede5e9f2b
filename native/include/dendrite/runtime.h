// CPU dispatch and the thread pool: the only process-wide state of the addon.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace dendrite {

// Instruction-set paths, lowest first. A path is usable when the CPU and the OS support it.
enum class Isa : int { Scalar = 0, Neon = 1, Avx2 = 2, Avx512 = 3 };

const char* isa_name(Isa isa);
// Parses "scalar" | "neon" | "avx2" | "avx512"; returns false for anything else.
bool isa_from_name(const char* name, Isa* out);

namespace runtime {

// The best path this CPU and OS support (detected once).
Isa best_isa();
// True if `isa` can run here (Scalar always can).
bool isa_supported(Isa isa);
// The path kernels use now: best_isa() unless lowered by DENDRITE_ISA at load or set_isa().
Isa active_isa();
// Selects a supported path; returns false (and changes nothing) if `isa` is unsupported here.
bool set_isa(Isa isa);

// Data cache sizes in bytes as one core sees them (L1d and L2 its own, L3 its shared slice's
// whole size), read once from cpuid (leaf 4 on Intel, 0x8000001D on AMD) or the OS, with
// DENDRITE_L1_CACHE / DENDRITE_L2_CACHE / DENDRITE_L3_CACHE (bytes, or with a K/M suffix)
// taking precedence. Unknown levels get common sizes (32 KiB, 512 KiB, 8 MiB).
struct CacheSizes {
  std::size_t l1d, l2, l3;
  bool detected;  // false if every level fell back to a default
};
const CacheSizes& cache_sizes();

// Tunes the C allocator once per process for many large, short-lived buffers (glibc: keep
// freed memory for reuse instead of unmapping it); DENDRITE_MALLOC_TUNING=0 skips it.
void tune_allocator_once();

// Thread pool. The calling thread always takes part, so num_threads() == 1 means no workers.
int num_threads();
// Clamped to [1, 256]. Workers are created lazily and kept.
void set_num_threads(int n);

using TaskFn = void (*)(void* ctx, std::size_t task);

// Runs fn(ctx, t) for every t in [0, n_tasks), spread over the pool, and returns when all are
// done. Runs inline when n_tasks <= 1, when the pool has one thread, or when the pool is busy
// with another caller (e.g. another worker_thread), so it never deadlocks or nests.
void parallel_for(std::size_t n_tasks, TaskFn fn, void* ctx);

template <class F>
inline void parallel_for(std::size_t n_tasks, F&& f) {
  using Fn = std::remove_reference_t<F>;
  auto thunk = [](void* ctx, std::size_t t) { (*static_cast<Fn*>(ctx))(t); };
  parallel_for(n_tasks, +thunk, const_cast<void*>(static_cast<const void*>(&f)));
}

// Splits [0, n) into at most `max_chunks` contiguous chunks of at least `min_chunk` items and
// runs fn(begin, end) for each on the pool. Small n runs inline on the caller.
template <class F>
inline void parallel_range(std::size_t n, std::size_t min_chunk, F&& fn) {
  std::size_t threads = static_cast<std::size_t>(num_threads());
  if (min_chunk == 0) min_chunk = 1;
  std::size_t chunks = n / min_chunk;
  if (chunks > threads) chunks = threads;
  if (chunks <= 1) {
    if (n > 0) fn(std::size_t(0), n);
    return;
  }
  std::size_t per = (n + chunks - 1) / chunks;
  parallel_for(chunks, [&](std::size_t c) {
    std::size_t b = c * per;
    std::size_t e = b + per < n ? b + per : n;
    if (b < e) fn(b, e);
  });
}

}  // namespace runtime
}  // namespace dendrite
