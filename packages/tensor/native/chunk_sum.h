// Sums over the images of a batch in a fixed order, for the conv weight gradients (conv.cc and
// winograd.cc): the images [0, N) are cut into image_chunks(N, parallel) chunks, a number that
// depends on N and the thread count only; range(n0, n1, acc) adds the contribution of the images
// [n0, n1) into its own zeroed buffer acc; the chunks run on the pool and their buffers are added
// in chunk order, so the result depends on the thread count but never on scheduling.
//
// Example: N = 100 on 2 threads gives 4 chunks of 25 images; the sum is ((c0 + c1) + c2) + c3.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "threadpool.h"

namespace dl {

// Chunks for N images: 2 per thread (at most N) when `parallel`, else 1.
inline int64_t image_chunks(int64_t N, bool parallel) {
  const int t = num_threads();
  return parallel && t > 1 && N >= 2 ? std::min<int64_t>(N, 2 * static_cast<int64_t>(t)) : 1;
}

// The sum over nchunks chunks of `size` elements each (see above), in the first `size` elements.
template <typename T, typename F>
std::vector<T> sum_image_chunks(int64_t N, int64_t nchunks, int64_t size, F&& range) {
  std::vector<T> part(static_cast<size_t>(nchunks * size), T(0));
  if (nchunks == 1) {
    range(int64_t(0), N, part.data());
  } else {
    parallel_for(nchunks, [&](int64_t c) { range(N * c / nchunks, N * (c + 1) / nchunks, part.data() + c * size); });
  }
  for (int64_t c = 1; c < nchunks; ++c) {
    const T* p = part.data() + c * size;
    T* q = part.data();
    for (int64_t k = 0; k < size; ++k) q[k] += p[k];
  }
  part.resize(static_cast<size_t>(size));
  return part;
}

}  // namespace dl
