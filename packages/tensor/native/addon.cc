// The addon's entry point (loaded by src/backends/native/addon.ts): the GEMM binding, the settings,
// and the registration of each kernel family's bindings (*_napi.cc, listed in bindings.h).
//
// Every function is synchronous and works on the JS typed arrays directly: inputs are read where
// they are and outputs are written into typed arrays the caller allocated. Arrays, offsets and
// strides are checked (napi_args.h), so a wrong call throws a JS error instead of reading out of
// bounds.
//
//   gemm(a, aOff, aBs, aRs, aCs, b, bOff, bBs, bRs, bCs, out, batch, M, N, K)
//       out[b, i, j] = sum_k a[aOff + b*aBs + i*aRs + k*aCs] * b[bOff + b*bBs + k*bRs + j*bCs]
//   info()                            { simd, cpuSimd, gemmKernelF32, gemmKernelF64, threads, blas, blasError }
//   memoryInfo()                      { scratchBytes, scratchBuffers, threads } (scratch.h says what is counted)
//   setNumThreads(n), setBlas(name), setSimdLevel(name)
#include <napi.h>

#include <cmath>
#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>

#include "bindings.h"
#include "blas.h"
#include "gemm.h"
#include "napi_args.h"
#include "scratch.h"
#include "threadpool.h"

namespace dl {
namespace {

void Gemm(const Args& info) {
  const char* fn = "gemm";
  if (info.Length() != 15) throw Napi::TypeError::New(info.Env(), "gemm: expected 15 arguments");
  const ArrayArg a = array_arg(info, 0, fn), b = array_arg(info, 5, fn), c = array_arg(info, 10, fn);
  if (a.type != b.type || a.type != c.type) {
    throw Napi::TypeError::New(info.Env(), "gemm: a, b and out must have the same type");
  }
  const int64_t a_off = int_arg(info, 1, fn), a_bs = int_arg(info, 2, fn), a_rs = int_arg(info, 3, fn),
                a_cs = int_arg(info, 4, fn);
  const int64_t b_off = int_arg(info, 6, fn), b_bs = int_arg(info, 7, fn), b_rs = int_arg(info, 8, fn),
                b_cs = int_arg(info, 9, fn);
  const int64_t batch = int_arg(info, 11, fn), M = int_arg(info, 12, fn), N = int_arg(info, 13, fn),
                K = int_arg(info, 14, fn);
  check_extent(info, fn, "a", a, a_off, {{batch, a_bs}, {M, a_rs}, {K, a_cs}});
  check_extent(info, fn, "b", b, b_off, {{batch, b_bs}, {K, b_rs}, {N, b_cs}});
  if (static_cast<double>(batch) * M * N != static_cast<double>(c.length)) {
    throw Napi::RangeError::New(info.Env(), "gemm: out must have batch * M * N elements");
  }
  const size_t es = a.type == ElemType::kF32 ? 4 : 8;
  if (overlaps(c.data, c.length * es, a.data, a.length * es) || overlaps(c.data, c.length * es, b.data, b.length * es)) {
    throw Napi::RangeError::New(info.Env(), "gemm: out must not share memory with a or b");
  }
  if (a.type == ElemType::kF32) {
    gemm_batched(batch, M, N, K, StridedBatch<float>{static_cast<const float*>(a.data) + a_off, a_bs, a_rs, a_cs},
                     StridedBatch<float>{static_cast<const float*>(b.data) + b_off, b_bs, b_rs, b_cs},
                     static_cast<float*>(c.data));
  } else {
    gemm_batched(batch, M, N, K,
                     StridedBatch<double>{static_cast<const double*>(a.data) + a_off, a_bs, a_rs, a_cs},
                     StridedBatch<double>{static_cast<const double*>(b.data) + b_off, b_bs, b_rs, b_cs},
                     static_cast<double*>(c.data));
  }
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", simd_level());
  o.Set("cpuSimd", cpu_simd_level());
  o.Set("gemmKernelF32", gemm_kernel_name(false));
  o.Set("gemmKernelF64", gemm_kernel_name(true));
  o.Set("threads", num_threads());
  o.Set("blas", blas_name());
  o.Set("blasError", blas_env_error());
  return o;
}

Napi::Value MemoryInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("scratchBytes", static_cast<double>(g_scratch_bytes.load(std::memory_order_relaxed)));
  o.Set("scratchBuffers", static_cast<double>(g_scratch_buffers.load(std::memory_order_relaxed)));
  o.Set("threads", num_threads());
  return o;
}

void SetNumThreads(const Napi::CallbackInfo& info) {
  const int64_t n = int_arg(info.Env(), info[0], 0, "setNumThreads");
  if (n < 1 || n > 1024) throw Napi::RangeError::New(info.Env(), "setNumThreads: n must be in [1, 1024]");
  set_num_threads(static_cast<int>(n));
}

void SetBlas(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setBlas: name must be a string");
  std::string why;
  if (!set_blas(info[0].As<Napi::String>().Utf8Value(), &why)) {
    throw Napi::Error::New(info.Env(), "setBlas: " + why);
  }
}

Napi::Value SetSimdLevel(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setSimdLevel: name must be a string");
  return Napi::Boolean::New(info.Env(), set_simd_level(info[0].As<Napi::String>().Utf8Value().c_str()));
}

// Large tensor outputs are allocated with malloc (Buffer.allocUnsafeSlow, see allocOutput in
// src/backends/native/addon.ts) and freed when V8 collects them. glibc serves blocks above its
// mmap threshold (128 KiB at first) with fresh mmap'ed pages, so every new output pays a page
// fault per 4 KiB page (about a fifth of a 512x512 sgemm). Raising the threshold keeps freed blocks
// in the heap for reuse, as PyTorch's allocator effectively does. DL_MALLOC_TUNE=0 leaves malloc alone.
void tune_malloc() {
#if defined(__GLIBC__)
  const char* env = std::getenv("DL_MALLOC_TUNE");
  if (env != nullptr && std::string(env) == "0") return;
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tune_malloc();
  export_raw(env, exports, "gemm", hot<Gemm>);
  register_elementwise(env, exports);
  register_image(env, exports);
  register_reduce(env, exports);
  register_indexing(env, exports);
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("memoryInfo", Napi::Function::New(env, MemoryInfo, "memoryInfo"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("setBlas", Napi::Function::New(env, SetBlas, "setBlas"));
  exports.Set("setSimdLevel", Napi::Function::New(env, SetSimdLevel, "setSimdLevel"));
  return exports;
}

}  // namespace dl

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return dl::Init(env, exports); }

NODE_API_MODULE(dl_native, InitAddon)
