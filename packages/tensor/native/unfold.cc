// im2col / col2im (see unfold.h).
#include "unfold.h"

#include <algorithm>
#include <vector>

namespace dl {

int64_t conv_output_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
  const int64_t span = in + 2 * pad - dil * (k - 1) - 1;
  // floor division (span may be negative)
  const int64_t q = span >= 0 ? span / stride : -ceil_div_pos(-span, stride);
  return q + 1;
}

void valid_range(int64_t off, int64_t stride, int64_t size, int64_t n_out, int64_t* lo, int64_t* hi) {
  int64_t a = off >= 0 ? 0 : ceil_div_pos(-off, stride);
  int64_t b = size - off > 0 ? ceil_div_pos(size - off, stride) : 0;
  a = std::min(a, n_out);
  b = std::min(b, n_out);
  *lo = a;
  *hi = std::max(a, b);
}

template <typename T>
void im2col_block(const Window2d& g, const T* x, int64_t C, int64_t l0, int64_t l1, T* cols) {
  const int64_t Lb = l1 - l0, HW = g.H * g.W;
  if (Lb <= 0) return;
  for (int64_t kj = 0; kj < g.kW; ++kj) {
    const int64_t offw = kj * g.dW - g.pW;  // input column of window j is j * sW + offw
    int64_t jlo, jhi;
    valid_range(offw, g.sW, g.W, g.Wout, &jlo, &jhi);
    for (int64_t c = 0; c < C; ++c) {
      const T* plane = x + c * HW;
      for (int64_t ki = 0; ki < g.kH; ++ki) {
        const int64_t offh = ki * g.dH - g.pH;
        T* row = cols + ((c * g.kH + ki) * g.kW + kj) * Lb;  // row[l - l0] is column l
        for (int64_t l = l0; l < l1;) {
          const int64_t i = l / g.Wout, j0 = l - i * g.Wout;
          const int64_t j1 = std::min(g.Wout, j0 + (l1 - l));
          T* seg = row + (l - l0);  // seg[j - j0] is entry (i, j)
          const int64_t h = i * g.sH + offh;
          if (h < 0 || h >= g.H) {
            std::fill(seg, seg + (j1 - j0), T(0));
          } else {
            const int64_t a = std::min(std::max(j0, jlo), j1), b = std::max(a, std::min(j1, jhi));
            std::fill(seg, seg + (a - j0), T(0));
            const int64_t base = h * g.W + offw;  // + j * sW: the input pixel of entry (i, j)
            if (g.sW == 1) {
              const T* s = plane + (base + a);
              T* d = seg + (a - j0);
              for (int64_t k = 0; k < b - a; ++k) d[k] = s[k];
            } else {
              for (int64_t j = a; j < b; ++j) seg[j - j0] = plane[base + j * g.sW];
            }
            std::fill(seg + (b - j0), seg + (j1 - j0), T(0));
          }
          l += j1 - j0;
        }
      }
    }
  }
}

template <typename T>
void col2im_block_add(const Window2d& g, const T* cols, int64_t C, int64_t l0, int64_t l1, T* x) {
  const int64_t Lb = l1 - l0, HW = g.H * g.W;
  if (Lb <= 0 || HW == 0) return;
  for (int64_t c = 0; c < C; ++c) {
    T* plane = x + c * HW;
    for (int64_t ki = 0; ki < g.kH; ++ki) {
      const int64_t offh = ki * g.dH - g.pH;
      for (int64_t kj = 0; kj < g.kW; ++kj) {
        const int64_t offw = kj * g.dW - g.pW;
        int64_t jlo, jhi;
        valid_range(offw, g.sW, g.W, g.Wout, &jlo, &jhi);
        const T* row = cols + ((c * g.kH + ki) * g.kW + kj) * Lb;
        for (int64_t l = l0; l < l1;) {
          const int64_t i = l / g.Wout, j0 = l - i * g.Wout;
          const int64_t j1 = std::min(g.Wout, j0 + (l1 - l));
          const int64_t h = i * g.sH + offh;
          const int64_t a = std::max(j0, jlo), b = std::min(j1, jhi);
          if (h >= 0 && h < g.H && a < b) {
            const T* seg = row + (l - l0);  // seg[j - j0] is entry (i, j)
            const int64_t base = h * g.W + offw;
            if (g.sW == 1) {
              T* d = plane + (base + a);
              const T* s = seg + (a - j0);
              for (int64_t k = 0; k < b - a; ++k) d[k] += s[k];
            } else {
              for (int64_t j = a; j < b; ++j) plane[base + j * g.sW] += seg[j - j0];
            }
          }
          l += j1 - j0;
        }
      }
    }
  }
}

template <typename T>
void im2col(const Window2d& g, int64_t N, int64_t C, const T* x, T* cols) {
  const int64_t per_plane = g.kk() * g.L(), HW = g.H * g.W;
  for_chunks(N * C, per_plane, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) im2col_block(g, x + p * HW, int64_t(1), int64_t(0), g.L(), cols + p * per_plane);
  });
}

template <typename T>
void col2im(const Window2d& g, int64_t N, int64_t C, const T* cols, T* x) {
  const int64_t per_plane = g.kk() * g.L(), HW = g.H * g.W;
  for_chunks(N * C, per_plane + HW, [&](int64_t p0, int64_t p1) {
    std::vector<double> acc(static_cast<size_t>(HW));
    for (int64_t p = p0; p < p1; ++p) {
      std::fill(acc.begin(), acc.end(), 0.0);
      // Same loop order as the js kernel: each pixel gets its terms in the order (ki, kj).
      const T* cp = cols + p * per_plane;
      for (int64_t ki = 0; ki < g.kH; ++ki) {
        const int64_t offh = ki * g.dH - g.pH;
        int64_t ilo, ihi;
        valid_range(offh, g.sH, g.H, g.Hout, &ilo, &ihi);
        for (int64_t kj = 0; kj < g.kW; ++kj) {
          const int64_t offw = kj * g.dW - g.pW;
          int64_t jlo, jhi;
          valid_range(offw, g.sW, g.W, g.Wout, &jlo, &jhi);
          const T* row = cp + (ki * g.kW + kj) * g.L();
          for (int64_t i = ilo; i < ihi; ++i) {
            const int64_t base = (i * g.sH + offh) * g.W + offw;  // + j * sW: the pixel of (i, j)
            const T* src = row + i * g.Wout;
            for (int64_t j = jlo; j < jhi; ++j) acc[static_cast<size_t>(base + j * g.sW)] += static_cast<double>(src[j]);
          }
        }
      }
      T* out = x + p * HW;
      for (int64_t k = 0; k < HW; ++k) out[k] = static_cast<T>(acc[static_cast<size_t>(k)]);
    }
  });
}

#define DL_UNFOLD_INSTANTIATE(T)                                                                      \
  template void im2col_block<T>(const Window2d&, const T*, int64_t, int64_t, int64_t, T*);            \
  template void col2im_block_add<T>(const Window2d&, const T*, int64_t, int64_t, int64_t, T*);        \
  template void im2col<T>(const Window2d&, int64_t, int64_t, const T*, T*);                           \
  template void col2im<T>(const Window2d&, int64_t, int64_t, const T*, T*);
DL_UNFOLD_INSTANTIATE(float)
DL_UNFOLD_INSTANTIATE(double)
#undef DL_UNFOLD_INSTANTIATE

}  // namespace dl
