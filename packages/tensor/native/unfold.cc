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

namespace {

// Where tap (ki, kj) of every window reads: input row i * sH + offh and column j * sW + offw, in
// the image for output rows [ilo, ihi) and columns [jlo, jhi).
struct Tap {
  int64_t offh, offw, ilo, ihi, jlo, jhi;
};

std::vector<Tap> taps(const Window2d& g) {
  std::vector<Tap> t(static_cast<size_t>(g.kH * g.kW));
  for (int64_t ki = 0; ki < g.kH; ++ki) {
    for (int64_t kj = 0; kj < g.kW; ++kj) {
      Tap& p = t[static_cast<size_t>(ki * g.kW + kj)];
      p.offh = ki * g.dH - g.pH;
      p.offw = kj * g.dW - g.pW;
      valid_range(p.offh, g.sH, g.H, g.Hout, &p.ilo, &p.ihi);
      valid_range(p.offw, g.sW, g.W, g.Wout, &p.jlo, &p.jhi);
      if (p.ilo >= p.ihi || p.jlo >= p.jhi) p.ilo = p.ihi = p.jlo = p.jhi = 0;  // never in the image
    }
  }
  return t;
}

// With stride 1 and W_out == W ("same" padding along W), entry l = i * W_out + j of a tap's row
// reads input element l + offh * W + offw: the in-image entries of [l0, l1) lie in one span
// [*ls, *le) that maps to consecutive input elements, apart from the columns outside [jlo, jhi),
// which wrap onto the neighbouring rows and must be treated as padding.
bool flat_span(const Window2d& g, const Tap& t, int64_t l0, int64_t l1, int64_t* ls, int64_t* le) {
  *ls = std::max(l0, t.ilo * g.Wout + t.jlo);
  *le = std::min(l1, t.ihi > 0 ? (t.ihi - 1) * g.Wout + t.jhi : 0);
  if (*le <= *ls) *ls = *le = l0;
  return *le > *ls;
}

// Zeroes row[l - l0] for the entries l of [ls, le) whose column is outside [jlo, jhi) (at most a
// few per output row: the taps that reach into the left or right padding).
template <typename T>
void zero_wrapped(const Window2d& g, const Tap& t, int64_t l0, int64_t ls, int64_t le, T* row) {
  if ((t.jlo == 0 && t.jhi == g.Wout) || le <= ls) return;
  const int64_t W = g.Wout, i0 = ls / W, i1 = (le - 1) / W;
  auto clip = [&](int64_t i) {  // first and last rows: intersect with the span
    const int64_t r = i * W;
    for (int64_t l = std::max(ls, r); l < std::min(le, r + t.jlo); ++l) row[l - l0] = T(0);
    for (int64_t l = std::max(ls, r + t.jhi); l < std::min(le, r + W); ++l) row[l - l0] = T(0);
  };
  clip(i0);
  if (i1 == i0) return;
  for (int64_t i = i0 + 1; i < i1; ++i) {  // whole rows in between
    T* p = row + (i * W - l0);
    for (int64_t j = 0; j < t.jlo; ++j) p[j] = T(0);
    for (int64_t j = t.jhi; j < W; ++j) p[j] = T(0);
  }
  clip(i1);
}

}  // namespace

template <typename T>
void im2col_block(const Window2d& g, const T* x, int64_t C, int64_t l0, int64_t l1, T* cols) {
  const int64_t Lb = l1 - l0, HW = g.H * g.W;
  if (Lb <= 0) return;
  const std::vector<Tap> tp = taps(g);
  const bool flat = g.sH == 1 && g.sW == 1 && g.W == g.Wout;
  const int64_t ia = l0 / g.Wout, ib = (l1 - 1) / g.Wout;  // output rows the block touches
  for (int64_t c = 0; c < C; ++c) {
    const T* plane = x + c * HW;
    for (size_t k = 0; k < tp.size(); ++k) {
      const Tap& t = tp[k];
      T* row = cols + (c * static_cast<int64_t>(tp.size()) + static_cast<int64_t>(k)) * Lb;  // row[l - l0]
      if (flat) {
        int64_t ls, le;
        flat_span(g, t, l0, l1, &ls, &le);
        std::fill(row, row + (ls - l0), T(0));
        const T* src = plane + (ls + t.offh * g.W + t.offw);
        T* dst = row + (ls - l0);
        for (int64_t q = 0; q < le - ls; ++q) dst[q] = src[q];
        std::fill(row + (le - l0), row + Lb, T(0));
        zero_wrapped(g, t, l0, ls, le, row);
        continue;
      }
      for (int64_t i = ia; i <= ib; ++i) {
        const int64_t j0 = i == ia ? l0 - ia * g.Wout : 0, j1 = i == ib ? l1 - ib * g.Wout : g.Wout;
        T* seg = row + (i * g.Wout + j0 - l0);  // seg[j - j0] is entry (i, j)
        if (i < t.ilo || i >= t.ihi) {
          std::fill(seg, seg + (j1 - j0), T(0));
          continue;
        }
        const int64_t a = std::min(std::max(j0, t.jlo), j1), b = std::max(a, std::min(j1, t.jhi));
        std::fill(seg, seg + (a - j0), T(0));
        const int64_t base = (i * g.sH + t.offh) * g.W + t.offw;  // + j * sW: the input pixel of (i, j)
        if (g.sW == 1) {
          const T* s = plane + (base + a);
          T* d = seg + (a - j0);
          for (int64_t q = 0; q < b - a; ++q) d[q] = s[q];
        } else {
          for (int64_t j = a; j < b; ++j) seg[j - j0] = plane[base + j * g.sW];
        }
        std::fill(seg + (b - j0), seg + (j1 - j0), T(0));
      }
    }
  }
}

template <typename T>
void col2im_block_add(const Window2d& g, T* cols, int64_t C, int64_t l0, int64_t l1, T* x) {
  const int64_t Lb = l1 - l0, HW = g.H * g.W;
  if (Lb <= 0 || HW == 0) return;
  const std::vector<Tap> tp = taps(g);
  const bool flat = g.sH == 1 && g.sW == 1 && g.W == g.Wout;
  const int64_t ia = l0 / g.Wout, ib = (l1 - 1) / g.Wout;
  for (int64_t c = 0; c < C; ++c) {
    T* plane = x + c * HW;
    for (size_t k = 0; k < tp.size(); ++k) {
      const Tap& t = tp[k];
      T* row = cols + (c * static_cast<int64_t>(tp.size()) + static_cast<int64_t>(k)) * Lb;
      if (flat) {
        int64_t ls, le;
        if (!flat_span(g, t, l0, l1, &ls, &le)) continue;
        // entries whose column is in the padding would land on a neighbouring row: drop them
        zero_wrapped(g, t, l0, ls, le, row);
        T* dst = plane + (ls + t.offh * g.W + t.offw);
        const T* src = row + (ls - l0);
        for (int64_t q = 0; q < le - ls; ++q) dst[q] += src[q];
        continue;
      }
      for (int64_t i = std::max(ia, t.ilo); i <= std::min(ib, t.ihi - 1); ++i) {
        const int64_t j0 = i == ia ? l0 - ia * g.Wout : 0, j1 = i == ib ? l1 - ib * g.Wout : g.Wout;
        const int64_t a = std::max(j0, t.jlo), b = std::min(j1, t.jhi);
        if (a >= b) continue;
        const T* seg = row + (i * g.Wout + j0 - l0);  // seg[j - j0] is entry (i, j)
        const int64_t base = (i * g.sH + t.offh) * g.W + t.offw;
        if (g.sW == 1) {
          T* d = plane + (base + a);
          const T* s = seg + (a - j0);
          for (int64_t q = 0; q < b - a; ++q) d[q] += s[q];
        } else {
          for (int64_t j = a; j < b; ++j) plane[base + j * g.sW] += seg[j - j0];
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
  template void col2im_block_add<T>(const Window2d&, T*, int64_t, int64_t, int64_t, T*);             \
  template void im2col<T>(const Window2d&, int64_t, int64_t, const T*, T*);                           \
  template void col2im<T>(const Window2d&, int64_t, int64_t, const T*, T*);
DL_UNFOLD_INSTANTIATE(float)
DL_UNFOLD_INSTANTIATE(double)
#undef DL_UNFOLD_INSTANTIATE

}  // namespace dl
