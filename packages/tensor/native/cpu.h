// Run-time CPU feature detection and the attributes that compile one function for a wider
// instruction set than the rest of the addon (which is built for the baseline of its target: the
// binary may run on another machine, so there is no -march=native).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define DL_X86 1
#include <immintrin.h>
// Functions marked with these may use AVX2+FMA / AVX-512F intrinsics; call them only after the
// matching check below succeeded.
#define DL_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define DL_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
#endif

#if defined(__aarch64__)
#define DL_NEON 1
#include <arm_neon.h>  // NEON is part of the AArch64 baseline: no run-time check needed
#endif

namespace dl {

// Instruction-set levels, lowest to highest; a CPU supports a prefix of the ones of its kind.
enum class Simd { kScalar = 0, kNeon = 1, kAvx2 = 2, kAvx512 = 3 };

// The best level this CPU (and OS) supports.
inline Simd detect_simd() {
#if defined(DL_X86)
  __builtin_cpu_init();
  // __builtin_cpu_supports also checks that the OS saves the wide registers (XGETBV).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return Simd::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Simd::kAvx2;
  return Simd::kScalar;
#elif defined(DL_NEON)
  return Simd::kNeon;
#else
  return Simd::kScalar;
#endif
}

// The level the GEMM uses by default: the best one, except that AVX-512 is only preferred on
// Intel CPUs. AMD's Zen 4 runs 512-bit FMAs as two 256-bit halves, and there the AVX2 kernel
// measured ~5% faster (the AVX-512 kernel stays selectable with DL_SIMD=avx512f).
inline Simd preferred_simd() {
  const Simd best = detect_simd();
#if defined(DL_X86)
  if (best == Simd::kAvx512 && !__builtin_cpu_is("intel")) return Simd::kAvx2;
#endif
  return best;
}

inline const char* simd_name(Simd s) {
  switch (s) {
    case Simd::kAvx512: return "avx512f";
    case Simd::kAvx2: return "avx2-fma";
    case Simd::kNeon: return "neon";
    default: return "scalar";
  }
}

}  // namespace dl
