// Run-time loading of a CBLAS library (see blas.h).
#include "blas.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <mutex>

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define DL_HAVE_DLOPEN 1
#endif

#include "threadpool.h"

namespace dl {
namespace {

// CBLAS constants (cblas.h): row-major order, no transpose / transpose.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

// cblas_?gemm with 32-bit integers (the usual LP64 build, e.g. Debian's libopenblas0).
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float,
                         float*, int);
using DgemmFn = void (*)(int, int, int, int, int, int, double, const double*, int, const double*, int,
                         double, double*, int);
using SetThreadsFn = void (*)(int);

struct Lib {
  std::string name = "builtin";
  SgemmFn sgemm = nullptr;
  DgemmFn dgemm = nullptr;
  SetThreadsFn set_threads = nullptr;  // openblas_set_num_threads, when exported
  int threads_set = 0;                 // the thread count last passed to set_threads
};

std::mutex g_mutex;
Lib g_lib;                             // guarded by g_mutex
bool g_env_read = false;               // DL_BLAS looked at (guarded by g_mutex)
std::atomic<bool> g_env_read_fast{false};  // the same, for the lock-free check of each product
std::string g_env_error;
// Copies of g_lib's entry points, read without locking by every product (null: built-in).
std::atomic<SgemmFn> g_sgemm{nullptr};
std::atomic<DgemmFn> g_dgemm{nullptr};

#if defined(DL_HAVE_DLOPEN)
bool load(const std::string& path, const std::string& label, Lib* out, std::string* why) {
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char* e = dlerror();
    *why = e != nullptr ? e : ("cannot load " + path);
    return false;
  }
  Lib lib;
  lib.name = label;
  lib.sgemm = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
  lib.dgemm = reinterpret_cast<DgemmFn>(dlsym(h, "cblas_dgemm"));
  lib.set_threads = reinterpret_cast<SetThreadsFn>(dlsym(h, "openblas_set_num_threads"));
  if (lib.sgemm == nullptr || lib.dgemm == nullptr) {
    *why = path + " does not export cblas_sgemm and cblas_dgemm";
    dlclose(h);
    return false;
  }
  *out = lib;  // the handle stays open for the life of the process
  return true;
}
#endif

void publish_locked() {
  g_sgemm.store(g_lib.sgemm);
  g_dgemm.store(g_lib.dgemm);
}

bool set_blas_impl(const std::string& name, std::string* why);

bool set_blas_locked(const std::string& name, std::string* why) {
  const bool ok = set_blas_impl(name, why);
  publish_locked();
  return ok;
}

bool set_blas_impl(const std::string& name, std::string* why) {
  if (name.empty() || name == "builtin") {
    g_lib = Lib();
    return true;
  }
#if defined(DL_HAVE_DLOPEN)
  Lib lib;
  if (name == "openblas") {
    std::string e1;
    if (load("libopenblas.so.0", "openblas", &lib, &e1) || load("libopenblas.so", "openblas", &lib, why) ||
        load("libopenblas.dylib", "openblas", &lib, why)) {
      g_lib = lib;
      return true;
    }
    *why = "OpenBLAS not found (" + e1 + "); install it (Debian/Ubuntu: apt install libopenblas0-pthread)";
    return false;
  }
  if (name.find('/') != std::string::npos && load(name, name, &lib, why)) {
    g_lib = lib;
    return true;
  }
  if (why->empty()) *why = "unknown BLAS '" + name + "': use 'builtin', 'openblas' or a library path";
  return false;
#else
  *why = "loading a BLAS at run time is not supported on this platform";
  return false;
#endif
}

void read_env_locked() {
  if (g_env_read) return;
  g_env_read = true;
  g_env_read_fast.store(true);
  const char* s = std::getenv("DL_BLAS");
  if (s == nullptr || *s == '\0') return;
  std::string why;
  if (!set_blas_locked(s, &why)) g_env_error = "DL_BLAS=" + std::string(s) + ": " + why;
}

// Describes one strided matrix (rows x cols, element (i, j) at i * rs + j * cs) in BLAS terms:
// row-major with leading dimension ld (trans = false), or the transpose of a row-major
// cols x rows matrix (trans = true). False when the strides fit neither.
bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
  if ((cs == 1 || cols == 1) && (rows == 1 || rs >= cols)) {
    *trans = false;
    *ld = rows == 1 ? std::max<int64_t>(cols, 1) : rs;
    return true;
  }
  if ((rs == 1 || rows == 1) && (cols == 1 || cs >= rows)) {
    *trans = true;
    *ld = cols == 1 ? std::max<int64_t>(rows, 1) : cs;
    return true;
  }
  return false;
}

template <typename T, typename Fn>
bool run_blas(Fn fn, int64_t batch, int64_t M, int64_t N, int64_t K,
              StridedBatch<T> A, StridedBatch<T> B, T* C) {
  bool ta, tb;
  int64_t lda, ldb;
  if (!blas_layout(M, K, A.rs, A.cs, &ta, &lda) || !blas_layout(K, N, B.rs, B.cs, &tb, &ldb)) return false;
  const int64_t big = INT_MAX;
  if (M > big || N > big || K > big || lda > big || ldb > big) return false;
  {
    // Keep the library's thread count equal to ours (DL_NUM_THREADS / setNumThreads).
    std::lock_guard<std::mutex> lk(g_mutex);
    const int t = num_threads();
    if (g_lib.set_threads != nullptr && g_lib.threads_set != t) {
      g_lib.set_threads(t);
      g_lib.threads_set = t;
    }
  }
  for (int64_t b = 0; b < batch; ++b) {
    fn(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, static_cast<int>(M), static_cast<int>(N),
       static_cast<int>(K), T(1), A.data + b * A.bs, static_cast<int>(lda), B.data + b * B.bs,
       static_cast<int>(ldb), T(0), C + b * M * N, static_cast<int>(N));
  }
  return true;
}

void ensure_env() {
  if (g_env_read_fast.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lk(g_mutex);
  read_env_locked();
}

}  // namespace

bool set_blas(const std::string& name, std::string* why) {
  std::lock_guard<std::mutex> lk(g_mutex);
  g_env_read = true;  // an explicit choice overrides DL_BLAS
  g_env_read_fast.store(true);
  return set_blas_locked(name, why);
}

std::string blas_name() {
  std::lock_guard<std::mutex> lk(g_mutex);
  read_env_locked();
  return g_lib.name;
}

std::string blas_env_error() {
  std::lock_guard<std::mutex> lk(g_mutex);
  read_env_locked();
  return g_env_error;
}

bool blas_gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<float> A,
                       StridedBatch<float> B, float* C) {
  ensure_env();
  const SgemmFn fn = g_sgemm.load(std::memory_order_acquire);
  return fn != nullptr && run_blas<float>(fn, batch, M, N, K, A, B, C);
}

bool blas_gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<double> A,
                       StridedBatch<double> B, double* C) {
  ensure_env();
  const DgemmFn fn = g_dgemm.load(std::memory_order_acquire);
  return fn != nullptr && run_blas<double>(fn, batch, M, N, K, A, B, C);
}

}  // namespace dl
