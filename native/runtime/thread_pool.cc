// The thread pool: created once, shared by every addon instance (worker_threads included).
// The caller of parallel_for takes part in the work; workers spin briefly before sleeping so
// back-to-back parallel regions (GEMM blocks, per-batch kernels) do not pay a wake-up each time.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "dendrite/runtime.h"

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define DENDRITE_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define DENDRITE_PAUSE() __asm__ volatile("yield")
#else
#define DENDRITE_PAUSE() ((void)0)
#endif

namespace dendrite {
namespace runtime {
namespace {

constexpr int kMaxThreads = 256;
constexpr int kSpinIterations = 20000;

int default_threads() {
  const char* env = std::getenv("DENDRITE_NUM_THREADS");
  if (env != nullptr) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1) return static_cast<int>(std::min<long>(v, kMaxThreads));
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return std::min(n, kMaxThreads);
  }
#endif
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(std::min<unsigned>(hc, kMaxThreads));
}

class Pool {
 public:
  Pool() : threads_(default_threads()) {}

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int n) {
    n = std::max(1, std::min(n, kMaxThreads));
    std::lock_guard<std::mutex> busy(dispatch_);  // never resize under a running job
    threads_.store(n, std::memory_order_relaxed);
  }

  void run(std::size_t n_tasks, TaskFn fn, void* ctx) {
    const int threads = this->threads();
    // A task that starts a parallel region of its own (e.g. a GEMM inside a conv chunk) runs it
    // inline: this thread is already part of the pool's job (and may own dispatch_, which it
    // must not try to lock again).
    if (n_tasks <= 1 || threads <= 1 || tls_in_job) {
      for (std::size_t t = 0; t < n_tasks; ++t) fn(ctx, t);
      return;
    }
    std::unique_lock<std::mutex> busy(dispatch_, std::try_to_lock);
    if (!busy.owns_lock()) {  // another thread (e.g. a worker_thread) owns the pool right now
      for (std::size_t t = 0; t < n_tasks; ++t) fn(ctx, t);
      return;
    }
    const int helpers =
        static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads - 1), n_tasks - 1));
    ensure_workers(helpers);

    fn_ = fn;
    ctx_ = ctx;
    n_tasks_ = n_tasks;
    next_.store(0, std::memory_order_relaxed);
    const std::uint64_t gen = (job_.load(std::memory_order_relaxed) >> 16) + 1;
    entry_.store(entry_tag(gen), std::memory_order_release);  // open, nobody inside
    {
      // Generation and helper count travel in one word, so a worker that wakes late can never
      // pair one job's generation with another job's helper count.
      std::lock_guard<std::mutex> lock(mutex_);
      job_.store((gen << 16) | static_cast<std::uint64_t>(helpers), std::memory_order_release);
    }
    wake_.notify_all();

    work();

    // Every task is claimed. Close the job to latecomers (a helper the OS has not scheduled yet
    // must not hold the caller up) and wait only for the helpers inside, still running a task.
    entry_.fetch_or(kClosed, std::memory_order_acq_rel);
    for (int i = 0; inside(entry_.load(std::memory_order_acquire)) != 0; ++i) {
      if (i < kSpinIterations) {
        DENDRITE_PAUSE();
      } else {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return inside(entry_.load(std::memory_order_acquire)) == 0; });
        break;
      }
    }
  }

 private:
  void work() {
    tls_in_job = true;
    for (;;) {
      std::size_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks_) break;
      fn_(ctx_, t);
    }
    tls_in_job = false;
  }

  static inline thread_local bool tls_in_job = false;

  void ensure_workers(int helpers) {
    while (static_cast<int>(workers_.size()) < helpers) {
      int index = static_cast<int>(workers_.size());
      // The worker starts from the job word as it is now, before the job it is created for is
      // published; reading it inside the new thread could miss that job and sleep through it.
      std::uint64_t start = job_.load(std::memory_order_acquire);
      workers_.emplace_back([this, index, start] { worker_loop(index, start); });
      workers_.back().detach();  // the pool lives for the whole process
    }
  }

  void worker_loop(int index, std::uint64_t seen) {
    for (;;) {
      // Spin a little, then sleep until the next job.
      std::uint64_t word = seen;
      for (int i = 0; i < kSpinIterations; ++i) {
        word = job_.load(std::memory_order_acquire);
        if (word != seen) break;
        DENDRITE_PAUSE();
      }
      if (word == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return job_.load(std::memory_order_acquire) != seen; });
        word = job_.load(std::memory_order_acquire);
      }
      seen = word;
      if (static_cast<std::uint64_t>(index) >= (word & 0xffff)) continue;  // not needed
      // Enter the job of this generation unless it is already closed (or a later one runs):
      // only then are its fields valid, and the caller waits for this helper to leave.
      const std::uint64_t tag = entry_tag(word >> 16);
      std::uint64_t e = entry_.load(std::memory_order_acquire);
      bool entered = false;
      while ((e & ~kInsideMask) == tag) {  // same generation, not closed
        if (entry_.compare_exchange_weak(e, e + 1, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
          entered = true;
          break;
        }
      }
      if (!entered) continue;
      work();
      const std::uint64_t left = entry_.fetch_sub(1, std::memory_order_acq_rel) - 1;
      if (inside(left) == 0 && (left & kClosed) != 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  // entry_ = (generation << 33) | closed << 32 | helpers inside the job.
  static constexpr std::uint64_t kClosed = std::uint64_t(1) << 32;
  static constexpr std::uint64_t kInsideMask = kClosed - 1;
  static std::uint64_t entry_tag(std::uint64_t gen) { return (gen & 0x7fffffffu) << 33; }
  static std::uint64_t inside(std::uint64_t e) { return e & kInsideMask; }

  std::atomic<int> threads_;
  std::mutex dispatch_;  // held by the thread that owns the current job
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<std::uint64_t> job_{0};  // (generation << 16) | helpers of the current job
  std::vector<std::thread> workers_;

  // The current job (written by the owner before publishing job_).
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  std::size_t n_tasks_ = 0;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::uint64_t> entry_{0};  // who is inside the current job (see entry_tag)
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: detached workers may outlive static teardown
  return *p;
}

}  // namespace

int num_threads() { return pool().threads(); }
void set_num_threads(int n) { pool().set_threads(n); }
void parallel_for(std::size_t n_tasks, TaskFn fn, void* ctx) { pool().run(n_tasks, fn, ctx); }

}  // namespace runtime
}  // namespace dendrite
