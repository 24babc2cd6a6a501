// The thread pool behind dl::parallel_for (see threadpool.h for what it promises).
//
// How a parallel_for runs:
//   1. The caller takes `busy_` (try_lock: if another parallel_for holds it, or the caller is itself
//      a worker or inside a task (`t_inside_pool`), the loop runs serially
//      on the caller instead), publishes a Job under `m_`, bumps the generation counter `gen_` and
//      wakes the workers.
//   2. Workers that notice the new generation register under `m_` (at most job.max_workers of
//      them), then everybody, the caller included, takes task numbers from the job's atomic
//      counter until none are left.
//   3. The caller waits until every task is done, withdraws the job under `m_` (late workers then
//      find nothing to join) and waits for the registered workers to leave it before returning:
//      the Job lives on the caller's stack.
// Idle workers spin for a short while before sleeping on a condition variable, so that the
// back-to-back calls of a training loop find them awake.
#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpu_relax() { asm volatile("yield" ::: "memory"); }
#else
static inline void cpu_relax() {}
#endif

namespace dl {
namespace {

// How long an idle worker polls for new work before going to sleep.
constexpr auto kSpinTime = std::chrono::microseconds(100);

struct Job {
  const std::function<void(int64_t)>* fn = nullptr;
  int64_t ntasks = 0;
  int max_workers = 0;               // workers (besides the caller) allowed to join
  std::atomic<int64_t> next{0};      // next task number to hand out
  std::atomic<int64_t> done{0};      // tasks finished
  std::mutex error_m;
  std::exception_ptr error;          // first exception thrown by a task
};

// Takes tasks from `job` until none are left.
void run_tasks(Job& job) {
  for (;;) {
    const int64_t t = job.next.fetch_add(1, std::memory_order_relaxed);
    if (t >= job.ntasks) return;
    try {
      (*job.fn)(t);
    } catch (...) {
      std::lock_guard<std::mutex> lk(job.error_m);
      if (!job.error) job.error = std::current_exception();
    }
    job.done.fetch_add(1, std::memory_order_release);
  }
}

int env_threads() {
  const char* s = std::getenv("DL_NUM_THREADS");
  if (s != nullptr && *s != '\0') {
    char* end = nullptr;
    const long n = std::strtol(s, &end, 10);
    if (end != s && *end == '\0' && n >= 1 && n <= 1024) return static_cast<int>(n);
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

// True on the pool's workers, and on a caller while it runs its share of a parallel_for: a
// parallel_for issued from there runs serially (never try_lock a mutex this thread holds).
thread_local bool t_inside_pool = false;

class Pool {
 public:
  Pool() : size_(env_threads()) {}

  int size() const { return size_.load(std::memory_order_relaxed); }
  void set_size(int n) { size_.store(n < 1 ? 1 : n, std::memory_order_relaxed); }

  void run(int64_t ntasks, const std::function<void(int64_t)>& fn, int max_threads) {
    int threads = size();
    if (max_threads > 0 && max_threads < threads) threads = max_threads;
    if (threads > ntasks) threads = static_cast<int>(ntasks);
    if (threads <= 1 || t_inside_pool || !busy_.try_lock()) {
      for (int64_t t = 0; t < ntasks; ++t) fn(t);
      return;
    }
    std::exception_ptr error;
    try {
      ensure_workers(threads - 1);
    } catch (...) {
      // Could not start threads (resource limits): run serially.
      busy_.unlock();
      for (int64_t t = 0; t < ntasks; ++t) fn(t);
      return;
    }
    Job job;
    job.fn = &fn;
    job.ntasks = ntasks;
    job.max_workers = threads - 1;
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = &job;
      joined_ = 0;
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();

    t_inside_pool = true;
    run_tasks(job);
    t_inside_pool = false;
    wait_until([&] { return job.done.load(std::memory_order_acquire) >= ntasks; });
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = nullptr;
    }
    wait_until([&] { return active_.load(std::memory_order_acquire) == 0; });
    error = job.error;
    busy_.unlock();
    if (error) std::rethrow_exception(error);
  }

 private:
  template <typename Pred>
  static void wait_until(Pred done) {
    for (int i = 0; !done(); ++i) {
      if (i < 4096) cpu_relax();
      else std::this_thread::yield();
    }
  }

  // Called with busy_ held, so only one thread starts workers at a time.
  void ensure_workers(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      workers_.emplace_back([this] { worker_loop(); });
    }
  }

  void worker_loop() {
    t_inside_pool = true;
    uint64_t seen = 0;
    for (;;) {
      // Wait for a generation we have not seen: poll for kSpinTime, then sleep.
      const auto spin_end = std::chrono::steady_clock::now() + kSpinTime;
      for (int i = 0; gen_.load(std::memory_order_acquire) == seen; ++i) {
        cpu_relax();
        if ((i & 255) == 255 && std::chrono::steady_clock::now() > spin_end) {
          std::unique_lock<std::mutex> lk(m_);
          cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
        }
      }
      Job* job;
      {
        std::lock_guard<std::mutex> lk(m_);
        seen = gen_.load(std::memory_order_acquire);
        job = job_;
        if (job == nullptr || joined_ >= job->max_workers) continue;
        ++joined_;
        active_.fetch_add(1, std::memory_order_relaxed);
      }
      run_tasks(*job);
      active_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::atomic<int> size_;
  std::mutex busy_;                 // held by the caller of the running parallel_for
  std::mutex m_;                    // guards job_ and joined_, and the sleepers' condition
  std::condition_variable cv_;
  Job* job_ = nullptr;
  int joined_ = 0;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> active_{0};      // workers inside the current job
  std::vector<std::thread> workers_;
};

// Never destroyed: the workers sleep forever in the background and die with the process, which
// avoids joining threads from static destructors at exit.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int num_threads() { return pool().size(); }

void set_num_threads(int n) { pool().set_size(n); }

void parallel_for(int64_t ntasks, const std::function<void(int64_t)>& fn, int max_threads) {
  if (ntasks <= 0) return;
  pool().run(ntasks, fn, max_threads);
}

}  // namespace dl
