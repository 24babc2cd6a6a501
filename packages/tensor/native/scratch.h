// The addon's long-lived scratch memory, and its accounting for memory() in JS (addon.cc
// memoryInfo): kernels that need a work buffer larger than the stack keep one per thread and
// purpose (thread_local), grown to the largest size asked for and reused by later calls, so that
// the hot loops never allocate. Every such buffer reports its size here; a thread's buffers are
// subtracted again when the thread exits (a worker_threads Worker that used the addon, say).
//
// Not counted: per-call temporaries (std::vector locals freed before the call returns), the
// threads' stacks, and whatever a BLAS library (DL_BLAS) allocates for itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

namespace dl {

// Bytes held by all scratch buffers of all threads, and how many buffers hold memory.
inline std::atomic<int64_t> g_scratch_bytes{0};
inline std::atomic<int64_t> g_scratch_buffers{0};

// Records that one buffer went from `before` to `after` bytes.
inline void scratch_resized(int64_t before, int64_t after) {
  if (before == after) return;
  g_scratch_bytes.fetch_add(after - before, std::memory_order_relaxed);
  g_scratch_buffers.fetch_add(int64_t(after > 0) - int64_t(before > 0), std::memory_order_relaxed);
}

// A growable buffer of T (zeroed when it grows; its contents are not kept across growth): declare
// it thread_local and call get(n) for a pointer to at least n elements.
template <typename T>
class ScratchBuffer {
 public:
  ScratchBuffer() = default;
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  ~ScratchBuffer() { scratch_resized(bytes(), 0); }

  T* get(int64_t n) {
    if (static_cast<int64_t>(v_.size()) < n) {
      const int64_t before = bytes();
      v_.clear();
      v_.shrink_to_fit();  // free the old block before taking the larger one
      try {
        v_.resize(static_cast<size_t>(n));
      } catch (...) {
        scratch_resized(before, bytes());
        throw;
      }
      scratch_resized(before, bytes());
    }
    return v_.data();
  }

 private:
  int64_t bytes() const { return static_cast<int64_t>(v_.capacity() * sizeof(T)); }
  std::vector<T> v_;
};

}  // namespace dl
