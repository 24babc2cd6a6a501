// A small persistent thread pool for the native backend's parallel loops (GEMM blocks, large
// elementwise ops). It is deliberately not libuv's pool: calls are synchronous, and the JS thread
// that calls in takes part in the work instead of waiting idle.
//
// Size: std::thread::hardware_concurrency() threads in all (the caller counts as one), or the
// value of the environment variable DL_NUM_THREADS when it is a positive integer, read when the
// pool is first used; setNumThreads() changes it later.
//
// Nesting and concurrency: a parallel_for issued while the pool is busy (from a task, or from a
// second JS thread such as a worker_threads Worker) runs serially on its caller instead of waiting.
#pragma once

#include <cstdint>
#include <functional>

namespace dl {

// Number of threads a parallel_for may use (>= 1, the caller included).
int num_threads();

// Sets the number of threads (n >= 1); extra workers are started lazily, surplus ones stay idle.
void set_num_threads(int n);

// Runs fn(t) for every t in [0, ntasks) and returns when all are done. Tasks are handed out
// dynamically (an atomic counter), so uneven tasks and a noisy machine balance themselves.
// At most max_threads threads take part (0 = all); ntasks <= 1 or max_threads == 1 runs inline.
// An exception thrown by a task is rethrown here after the others have finished.
void parallel_for(int64_t ntasks, const std::function<void(int64_t)>& fn, int max_threads = 0);

}  // namespace dl
