// Short SIMD vectors as GCC/Clang vector extensions, for kernels that run on W = B / sizeof(T)
// elements at once whatever the instruction set: B = 16 bytes (SSE2, NEON: the baseline) or 32
// (AVX2, inside functions compiled with DL_TARGET_AVX2). Used by the Winograd transforms, the
// 2x2 max pooling and the GEMM's packing.
//
//   Vec<T, B>::V          the vector type (W lanes of T); Vec<float, B>::I: W lanes of int32
//   even(a, b), odd(a, b) lanes 0, 2, 4, ... / 1, 3, 5, ... of the 2W lanes a ++ b
//   zip_lo(a, b), zip_hi  a0 b0 a1 b1 ... (first / second half of the interleaving)
//   tail(a, b, s)         lanes s .. s + W - 1 of a ++ b (0 <= s <= W, s known at run time)
//   vload<V>(p), vstore   unaligned loads and stores
//   transpose_square<V>(r) r[i] lane j <-> r[j] lane i, for W vectors r[0..W)
//   copy_span<V>(d, s, n) d[0, n) = s[0, n): whole vectors, the last one overlapping the one
//                         before it (n >= W), so short rows take no scalar loop
//
// Example: with x = [0, 1, ..., 15] (floats), W = 8: even(vload(x), vload(x + 8)) = [0, 2, ..., 14].
//
// Every helper is always inlined: a 32-byte vector never crosses a call of baseline code, so GCC's
// -Wpsabi note about the AVX calling convention does not apply (binding.gyp passes -Wno-psabi;
// the pragma below covers builds without it where it can).
#pragma once

#include <cstdint>
#include <cstring>

#define DL_VEC_INLINE __attribute__((always_inline)) inline

// (for the whole including file: the note comes where the templates are instantiated)
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl {

// The shuffles of W-lane vectors (any element type).
template <int W>
struct Lanes;
template <>
struct Lanes<8> {
  template <class V> DL_VEC_INLINE static V even(V a, V b) { return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14); }
  template <class V> DL_VEC_INLINE static V odd(V a, V b) { return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15); }
  template <class V> DL_VEC_INLINE static V zip_lo(V a, V b) { return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
  template <class V> DL_VEC_INLINE static V zip_hi(V a, V b) { return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
  template <class V> DL_VEC_INLINE static V tail(V a, V b, int s) {
    switch (s) {
      case 1: return __builtin_shufflevector(a, b, 1, 2, 3, 4, 5, 6, 7, 8);
      case 2: return __builtin_shufflevector(a, b, 2, 3, 4, 5, 6, 7, 8, 9);
      case 3: return __builtin_shufflevector(a, b, 3, 4, 5, 6, 7, 8, 9, 10);
      case 4: return __builtin_shufflevector(a, b, 4, 5, 6, 7, 8, 9, 10, 11);
      case 5: return __builtin_shufflevector(a, b, 5, 6, 7, 8, 9, 10, 11, 12);
      case 6: return __builtin_shufflevector(a, b, 6, 7, 8, 9, 10, 11, 12, 13);
      case 7: return __builtin_shufflevector(a, b, 7, 8, 9, 10, 11, 12, 13, 14);
      default: return s <= 0 ? a : b;
    }
  }
};
template <>
struct Lanes<4> {
  template <class V> DL_VEC_INLINE static V even(V a, V b) { return __builtin_shufflevector(a, b, 0, 2, 4, 6); }
  template <class V> DL_VEC_INLINE static V odd(V a, V b) { return __builtin_shufflevector(a, b, 1, 3, 5, 7); }
  template <class V> DL_VEC_INLINE static V zip_lo(V a, V b) { return __builtin_shufflevector(a, b, 0, 4, 1, 5); }
  template <class V> DL_VEC_INLINE static V zip_hi(V a, V b) { return __builtin_shufflevector(a, b, 2, 6, 3, 7); }
  template <class V> DL_VEC_INLINE static V tail(V a, V b, int s) {
    switch (s) {
      case 1: return __builtin_shufflevector(a, b, 1, 2, 3, 4);
      case 2: return __builtin_shufflevector(a, b, 2, 3, 4, 5);
      case 3: return __builtin_shufflevector(a, b, 3, 4, 5, 6);
      default: return s <= 0 ? a : b;
    }
  }
};
template <>
struct Lanes<2> {
  template <class V> DL_VEC_INLINE static V even(V a, V b) { return __builtin_shufflevector(a, b, 0, 2); }
  template <class V> DL_VEC_INLINE static V odd(V a, V b) { return __builtin_shufflevector(a, b, 1, 3); }
  template <class V> DL_VEC_INLINE static V zip_lo(V a, V b) { return __builtin_shufflevector(a, b, 0, 2); }
  template <class V> DL_VEC_INLINE static V zip_hi(V a, V b) { return __builtin_shufflevector(a, b, 1, 3); }
  template <class V> DL_VEC_INLINE static V tail(V a, V b, int s) {
    return s == 1 ? __builtin_shufflevector(a, b, 1, 2) : s <= 0 ? a : b;
  }
};

// The vector types (spelled out per size: GCC does not take a dependent vector_size in a template).
template <typename T, int B>
struct VecTypes;
template <>
struct VecTypes<float, 32> {
  typedef float V __attribute__((vector_size(32)));
  typedef int32_t I __attribute__((vector_size(32)));
};
template <>
struct VecTypes<float, 16> {
  typedef float V __attribute__((vector_size(16)));
  typedef int32_t I __attribute__((vector_size(16)));
};
template <>
struct VecTypes<double, 32> {
  typedef double V __attribute__((vector_size(32)));
};
template <>
struct VecTypes<double, 16> {
  typedef double V __attribute__((vector_size(16)));
};

template <typename T, int B>
struct Vec : Lanes<B / static_cast<int>(sizeof(T))>, VecTypes<T, B> {
  static constexpr int W = B / static_cast<int>(sizeof(T));
};

template <typename V, typename T>
DL_VEC_INLINE V vload(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <typename V, typename T>
DL_VEC_INLINE void vstore(T* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

// Transposes the W x W block held in r[0..W) (r[i] = row i) in place: log2(W) rounds of zips,
// each pairing row i with row i + W/2 (a perfect shuffle of the lane index bits).
template <typename V>
DL_VEC_INLINE void transpose_square(V* r) {
  constexpr int W = sizeof(V) / sizeof(r[0][0]);
  for (int s = 1; s < W; s *= 2) {
    V t[W];
    for (int i = 0; i < W / 2; ++i) {
      t[2 * i] = Lanes<W>::zip_lo(r[i], r[i + W / 2]);
      t[2 * i + 1] = Lanes<W>::zip_hi(r[i], r[i + W / 2]);
    }
    for (int i = 0; i < W; ++i) r[i] = t[i];
  }
}

// d[j] = s[j] for j in [0, n) with W-lane vectors (d and s must not overlap): for n >= W, the
// vectors at 0, W, 2W, ... with the last one moved back to end at n (rewriting a few elements with
// the same values); below W, element by element. (Written so that GCC does not turn the loops
// into calls of memmove, which cost more than the copy for the short rows this is used for.)
template <typename V, typename T>
DL_VEC_INLINE void copy_span(T* __restrict d, const T* __restrict s, int64_t n) {
  constexpr int64_t W = sizeof(V) / sizeof(T);
  if (n < W) {
    for (int64_t j = 0; j < W; ++j) {
      if (j < n) d[j] = s[j];
    }
    return;
  }
  for (int64_t j = 0; j < n; j += W) {
    const int64_t k = j + W <= n ? j : n - W;
    vstore(d + k, vload<V>(s + k));
  }
}

}  // namespace dl
