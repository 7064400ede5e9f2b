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
    if (n_tasks <= 1 || threads <= 1) {
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
    pending_.store(helpers, std::memory_order_relaxed);
    {
      // Generation and helper count travel in one word, so a worker that wakes late can never
      // pair one job's generation with another job's helper count.
      std::lock_guard<std::mutex> lock(mutex_);
      std::uint64_t gen = (job_.load(std::memory_order_relaxed) >> 16) + 1;
      job_.store((gen << 16) | static_cast<std::uint64_t>(helpers), std::memory_order_release);
    }
    wake_.notify_all();

    work();

    // Wait for the helpers to finish their last task (spin first: they usually are close).
    for (int i = 0; pending_.load(std::memory_order_acquire) != 0; ++i) {
      if (i < kSpinIterations) {
        DENDRITE_PAUSE();
      } else {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
        break;
      }
    }
  }

 private:
  void work() {
    for (;;) {
      std::size_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks_) return;
      fn_(ctx_, t);
    }
  }

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
      // Not needed by this job. A job that needs this worker cannot finish without it, so the
      // job fields read below belong to the generation in `word`.
      if (static_cast<std::uint64_t>(index) >= (word & 0xffff)) continue;
      work();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

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
  std::atomic<int> pending_{0};
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
