// Winograd F(2x2, 3x3) convolution (see winograd.h for the formulas).
#include "winograd.h"

#include <algorithm>
#include <vector>

#include "chunk_sum.h"
#include "cpu.h"
#include "gemm.h"
#include "scratch.h"
#include "simd_vec.h"
#include "threadpool.h"

namespace dl {

namespace {

// Bytes of transformed input and products (V and M) one chunk of tiles may take: about half of a
// core's L2, so that the GEMMs read V and write M in cache.
constexpr int64_t kChunkBytes = int64_t(1) << 19;

// Padding (elements) between the 16 transformed matrices of a chunk (see winograd_forward).
constexpr int64_t kSkew = 16;

// A growable per-thread buffer (scratch.h); `slot` separates the buffers one thread uses at the same time.
template <typename T>
T* scratch(int slot, int64_t n) {
  thread_local ScratchBuffer<T> bufs[3];
  return bufs[slot].get(n);
}

// u[grp][xi][co][ci] = (G g[co, ci] G^T)[xi] for every group, output and input channel.
template <typename T>
void transform_weights(const ConvGeom& g, const T* w, T* u) {
  const int64_t Cg = g.cin_g(), Og = g.cout_g();
  const T h = T(0.5);
  for (int64_t grp = 0; grp < g.G; ++grp) {
    for (int64_t co = 0; co < Og; ++co) {
      for (int64_t ci = 0; ci < Cg; ++ci) {
        const T* k = w + ((grp * Og + co) * Cg + ci) * 9;
        T t[4][3];  // G g
        for (int j = 0; j < 3; ++j) {
          t[0][j] = k[j];
          t[1][j] = (k[j] + k[3 + j] + k[6 + j]) * h;
          t[2][j] = (k[j] - k[3 + j] + k[6 + j]) * h;
          t[3][j] = k[6 + j];
        }
        T* dst = u + (grp * 16 * Og + co) * Cg + ci;  // + xi * Og * Cg
        for (int i = 0; i < 4; ++i) {
          const T a = t[i][0], b = t[i][1], c = t[i][2];
          const T row[4] = {a, (a + b + c) * h, (a - b + c) * h, c};  // (G g) G^T
          for (int j = 0; j < 4; ++j) dst[(i * 4 + j) * Og * Cg] = row[j];
        }
      }
    }
  }
}

// Runs fn(n, ty, tx0, cnt) over the tiles [t0, t1) in runs along one tile row (tiles numbered
// image by image, row by row, tH x tW per image).
template <typename F>
void for_tile_runs(int64_t t0, int64_t t1, int64_t tH, int64_t tW, F&& fn) {
  int64_t n = t0 / (tH * tW), ty = (t0 % (tH * tW)) / tW, tx = t0 % tW;
  for (int64_t t = t0; t < t1;) {
    const int64_t cnt = std::min(tW - tx, t1 - t);
    fn(n, ty, tx, cnt);
    t += cnt;
    tx = 0;
    if (++ty == tH) {
      ty = 0;
      ++n;
    }
  }
}

// The transforms use the vectors of simd_vec.h (Vec<T, B>); B = 16 or 32 bytes, chosen per call.

// The widest vector (elements) any path uses: the slack the buffers keep for a run's last vector.
template <typename T>
constexpr int64_t kMaxLanes = 32 / sizeof(T);

// Elements of the `rows` buffer of a chunk of up to tc tiles, tile rows tW wide: the strip
// transform_input stages input rows in (the larger of a full-width strip over the tile rows a
// chunk may touch in one image and the 4 rows of one run, plus a vector as a margin), which also
// holds transform_grad's 2 rows of a run and transform_output's 2W.
template <typename T>
int64_t rows_size(int64_t tc, int64_t tW) {
  constexpr int64_t W = kMaxLanes<T>;
  const int64_t full = (2 * (tc / tW + 1) + 4) * (2 * tW + 2 * W);
  const int64_t run = 4 * (2 * ((std::min(tc, tW) + W - 1) / W * W) + 2);
  return std::max({full, run, 4 * W}) + W;
}

// Copies rows h0 .. h0 + nrows - 1 of the input plane [H, Win], padded columns [c0, c0 + ldw)
// (padded column c is input column c - pW), to strip (row i at strip + i * ldw), with zeros
// outside the image (ldw >= W).
template <typename Vv, typename T>
DL_VEC_INLINE void stage_rows(const T* plane, int64_t H, int64_t Win, int64_t pW, int64_t h0, int64_t nrows,
                              int64_t c0, int64_t ldw, T* strip) {
  constexpr int64_t W = sizeof(Vv) / sizeof(T);
  const Vv z = {};
  const int64_t ja = std::clamp<int64_t>(pW - c0, 0, ldw), jb = std::clamp<int64_t>(pW + Win - c0, ja, ldw);
  for (int64_t i = 0; i < nrows; ++i) {
    T* r = strip + i * ldw;
    const int64_t h = h0 + i;
    if (h < 0 || h >= H || ja == jb) {
      for (int64_t j = 0; j < ldw; j += W) vstore(r + std::min(j, ldw - W), z);
      continue;
    }
    // zeros first, in whole vectors that may reach into [ja, jb), then the image row over them
    if (ja > 0) vstore(r, z);  // ja <= pW <= 2 <= W
    for (int64_t j = jb; j < ldw; j += W) vstore(r + std::min(j, ldw - W), z);
    copy_span<Vv>(r + ja, plane + h * Win + c0 + ja - pW, jb - ja);
  }
}

// o[xi * vs + k] = (B^T d_k B)[xi] for the cnt tiles k of one tile row, d_k the 4x4 block at
// columns 2k .. 2k + 3 of the rows r, r + ldw, r + 2 ldw, r + 3 ldw: W tiles at a time, the even
// and odd columns giving each tile's 4 columns as vectors. Reads up to 2 ceil(cnt / W) W + 2
// columns; the last group may write up to W - 1 entries past the run.
template <typename T, int B>
DL_VEC_INLINE void input_tiles(const T* r, int64_t ldw, int64_t cnt, T* o, int64_t vs) {
  using Vc = Vec<T, B>;
  using Vv = typename Vc::V;
  constexpr int W = Vc::W;
  for (int64_t k0 = 0; k0 < cnt; k0 += W) {
    Vv d[4][4];
    for (int i = 0; i < 4; ++i) {
      const T* ri = r + i * ldw + 2 * k0;
      const Vv a = vload<Vv>(ri), b = vload<Vv>(ri + W), c = vload<Vv>(ri + 2), e = vload<Vv>(ri + 2 + W);
      d[i][0] = Vc::even(a, b);
      d[i][1] = Vc::odd(a, b);
      d[i][2] = Vc::even(c, e);
      d[i][3] = Vc::odd(c, e);
    }
    for (int j = 0; j < 4; ++j) {  // B^T d, in place
      const Vv r0 = d[0][j] - d[2][j], r1 = d[1][j] + d[2][j], r2 = d[2][j] - d[1][j], r3 = d[1][j] - d[3][j];
      d[0][j] = r0;
      d[1][j] = r1;
      d[2][j] = r2;
      d[3][j] = r3;
    }
    T* ok = o + k0;
    for (int i = 0; i < 4; ++i) {  // (B^T d) B
      vstore(ok + (i * 4 + 0) * vs, d[i][0] - d[i][2]);
      vstore(ok + (i * 4 + 1) * vs, d[i][1] + d[i][2]);
      vstore(ok + (i * 4 + 2) * vs, d[i][2] - d[i][1]);
      vstore(ok + (i * 4 + 3) * vs, d[i][1] - d[i][3]);
    }
  }
}

// V[xi * vs + ci * ldv + t - t0] = (B^T d B)[xi] for the tiles [t0, t1) of group grp, channel by
// channel and image by image. The input rows under the tiles go through `strip`
// (rows_size), with their zero padding: when the chunk holds at least a tile row's worth
// of an image, all the rows under its tile rows at once, full width, so that each input row is
// copied once although two tile rows read it; otherwise the 4 rows under each run, only as wide as
// the run. The last group of a run may write up to W - 1 entries past it (into the next run's
// places or the row's slack: ldv must be at least the tile count + W).
template <typename T, int B>
DL_VEC_INLINE void transform_input(const ConvGeom& g, const T* x, int64_t grp, int64_t t0, int64_t t1, T* V,
                                   int64_t vs, int64_t ldv, T* strip) {
  using Vv = typename Vec<T, B>::V;
  constexpr int64_t W = Vec<T, B>::W;
  const Window2d& v = g.win;
  const int64_t Cg = g.cin_g(), tH = (v.Hout + 1) / 2, tW = (v.Wout + 1) / 2, HW = v.H * v.W, per_image = tH * tW;
  for (int64_t ci = 0; ci < Cg; ++ci) {  // channel by channel: each plane is read in order
    for (int64_t n = t0 / per_image; n * per_image < t1; ++n) {
      const int64_t ta = std::max<int64_t>(t0 - n * per_image, 0), tb = std::min(t1 - n * per_image, per_image);
      const T* plane = x + (n * g.Cin + grp * Cg + ci) * HW;
      // V's place for tile (ty, tx) of this image
      auto out = [&](int64_t ty, int64_t tx) { return V + ci * ldv + (n * per_image + ty * tW + tx - t0); };
      if (tb - ta >= tW) {
        const int64_t ty_a = ta / tW, ty_b = (tb - 1) / tW, ldw = 2 * tW + 2 * W;
        stage_rows<Vv>(plane, v.H, v.W, v.pW, 2 * ty_a - v.pH, 2 * (ty_b - ty_a) + 4, 0, ldw, strip);
        for (int64_t ty = ty_a; ty <= ty_b; ++ty) {
          const int64_t tx0 = ty == ty_a ? ta % tW : 0, tx1 = ty == ty_b ? (tb - 1) % tW + 1 : tW;
          input_tiles<T, B>(strip + 2 * (ty - ty_a) * ldw + 2 * tx0, ldw, tx1 - tx0, out(ty, tx0), vs);
        }
      } else {
        for_tile_runs(ta, tb, tH, tW, [&](int64_t, int64_t ty, int64_t tx0, int64_t cnt) {
          const int64_t ldw = 2 * ((cnt + W - 1) / W * W) + 2;
          stage_rows<Vv>(plane, v.H, v.W, v.pW, 2 * ty - v.pH, 4, 2 * tx0, ldw, strip);
          input_tiles<T, B>(strip, ldw, cnt, out(ty, tx0), vs);
        });
      }
    }
  }
}

// y tiles [t0, t1) of group grp from M[xi * ms + co * ldm + t - t0]: A^T m A + bias, W tiles at a
// time (reading up to W - 1 entries past the run, which must be inside the buffer). A group that
// reaches past the run or the right edge (columns that belong to other runs, possibly on other
// threads) stores only its nout outputs per row: for nout >= W as two overlapping vectors (the
// second shifted into place in registers: reading back a vector just stored in two halves would
// stall), below W element by element through `rows` (2W).
template <typename T, int B>
__attribute__((always_inline)) inline void transform_output(const ConvGeom& g, const T* M, int64_t ms, int64_t ldm, const T* bias, int64_t grp,
                      int64_t t0, int64_t t1, T* y, T* rows) {
  using Vc = Vec<T, B>;
  using Vv = typename Vc::V;
  constexpr int W = Vc::W;
  const Window2d& v = g.win;
  const int64_t Og = g.cout_g(), tH = (v.Hout + 1) / 2, tW = (v.Wout + 1) / 2, L = v.L();
  for (int64_t co = 0; co < Og; ++co) {  // channel by channel: each output plane is written in order
    const T b = bias != nullptr ? bias[grp * Og + co] : T(0);
    for_tile_runs(t0, t1, tH, tW, [&](int64_t n, int64_t ty, int64_t tx0, int64_t cnt) {
      const int64_t i0 = 2 * ty;
      const bool two_rows = i0 + 1 < v.Hout;
      const T* m = M + co * ldm + ((n * tH + ty) * tW + tx0 - t0);
      T* y0 = y + (n * g.Cout + grp * Og + co) * L + i0 * v.Wout;
      T* y1 = y0 + v.Wout;
      for (int64_t k0 = 0; k0 < cnt; k0 += W) {
        Vv s0[4], s1[4];  // A^T m
        for (int j = 0; j < 4; ++j) {
          const Vv a = vload<Vv>(m + j * ms + k0), bb = vload<Vv>(m + (4 + j) * ms + k0),
                   c = vload<Vv>(m + (8 + j) * ms + k0), d = vload<Vv>(m + (12 + j) * ms + k0);
          s0[j] = a + bb + c;
          s1[j] = bb - c - d;
        }
        // (A^T m) A: columns 2k and 2k + 1 of both rows, interleaved into rows of 2W outputs
        const Vv e0 = s0[0] + s0[1] + s0[2] + b, f0 = s0[1] - s0[2] - s0[3] + b;
        const Vv e1 = s1[0] + s1[1] + s1[2] + b, f1 = s1[1] - s1[2] - s1[3] + b;
        const int64_t j0 = 2 * (tx0 + k0), nout = std::min({int64_t(2) * W, 2 * (cnt - k0), v.Wout - j0});
        if (nout == 2 * W) {
          vstore(y0 + j0, Vc::zip_lo(e0, f0));
          vstore(y0 + j0 + W, Vc::zip_hi(e0, f0));
          if (two_rows) {
            vstore(y1 + j0, Vc::zip_lo(e1, f1));
            vstore(y1 + j0 + W, Vc::zip_hi(e1, f1));
          }
        } else if (nout >= W) {
          // the first W outputs, then the W ending at nout (rewriting some with the same values)
          const Vv lo0 = Vc::zip_lo(e0, f0), lo1 = Vc::zip_lo(e1, f1);
          vstore(y0 + j0, lo0);
          vstore(y0 + j0 + nout - W, Vc::tail(lo0, Vc::zip_hi(e0, f0), static_cast<int>(nout - W)));
          if (two_rows) {
            vstore(y1 + j0, lo1);
            vstore(y1 + j0 + nout - W, Vc::tail(lo1, Vc::zip_hi(e1, f1), static_cast<int>(nout - W)));
          }
        } else {
          vstore(rows, Vc::zip_lo(e0, f0));
          vstore(rows + W, Vc::zip_lo(e1, f1));
          for (int64_t j = 0; j < nout; ++j) y0[j0 + j] = rows[j];
          if (two_rows) {
            for (int64_t j = 0; j < nout; ++j) y1[j0 + j] = rows[W + j];
          }
        }
      }
    });
  }
}

// GY[xi * gs + co * ldg + t - t0] = (A gy_t A^T)[xi] for the tiles [t0, t1) of group grp, with
// gy_t the 2x2 block of gy [N, Cout, Hout, Wout] at tile t (0 past an odd edge) and
// A = [[1, 0], [1, 1], [1, -1], [0, -1]]. W tiles at a time, like transform_input (the last group of
// a run may write up to W - 1 entries past it: ldg must be at least the tile count + W). gy must
// be the whole contiguous [N, Cout, Hout, Wout] array: a run inside its plane is read in place,
// its last vector reading on into the next row or plane (never past gy's end); the others go
// through `rows` with their zeros.
template <typename T, int B>
DL_VEC_INLINE void transform_grad(const ConvGeom& g, const T* gy, int64_t grp, int64_t t0, int64_t t1, T* GY,
                                  int64_t gs, int64_t ldg, T* rows) {
  using Vc = Vec<T, B>;
  using Vv = typename Vc::V;
  constexpr int W = Vc::W;
  const Window2d& v = g.win;
  const int64_t Og = g.cout_g(), tH = (v.Hout + 1) / 2, tW = (v.Wout + 1) / 2, L = v.L();
  const int64_t gy_size = g.N * g.Cout * L;
  for (int64_t co = 0; co < Og; ++co) {
    for_tile_runs(t0, t1, tH, tW, [&](int64_t n, int64_t ty, int64_t tx0, int64_t cnt) {
      const int64_t rw = 2 * ((cnt + W - 1) / W * W);
      const int64_t at = (n * g.Cout + grp * Og + co) * L + 2 * ty * v.Wout + 2 * tx0;  // gy's top-left of the run
      // read gy in place when both rows and all the run's columns are inside (the lanes past the
      // run then read other gy values, which only reach places past the run); else copy with zeros
      const T* r = gy + at;
      int64_t ldr = v.Wout;
      if (2 * ty + 1 >= v.Hout || 2 * (tx0 + cnt) > v.Wout || at + v.Wout + rw > gy_size) {
        stage_rows<Vv>(gy + (n * g.Cout + grp * Og + co) * L, v.Hout, v.Wout, 0, 2 * ty, 2, 2 * tx0, rw, rows);
        r = rows;
        ldr = rw;
      }
      T* o = GY + co * ldg + ((n * tH + ty) * tW + tx0 - t0);
      for (int64_t k0 = 0; k0 < cnt; k0 += W) {
        const T* r0 = r + 2 * k0;
        const T* r1 = r + ldr + 2 * k0;
        const Vv a0 = vload<Vv>(r0), b0 = vload<Vv>(r0 + W), a1 = vload<Vv>(r1), b1 = vload<Vv>(r1 + W);
        const Vv g00 = Vc::even(a0, b0), g01 = Vc::odd(a0, b0), g10 = Vc::even(a1, b1), g11 = Vc::odd(a1, b1);
        // A g: rows g0, g0 + g1, g0 - g1, -g1 (g0, g1 the two rows of the block)
        const Vv p[4] = {g00, g00 + g10, g00 - g10, -g10};
        const Vv q[4] = {g01, g01 + g11, g01 - g11, -g11};
        T* ok = o + k0;
        for (int i = 0; i < 4; ++i) {  // (A g) A^T: each row (p, q) becomes (p, p + q, p - q, -q)
          vstore(ok + (i * 4 + 0) * gs, p[i]);
          vstore(ok + (i * 4 + 1) * gs, p[i] + q[i]);
          vstore(ok + (i * 4 + 2) * gs, p[i] - q[i]);
          vstore(ok + (i * 4 + 3) * gs, -q[i]);
        }
      }
    });
  }
}

// acc[xi][co][ci] += sum over the tiles [t0, t1) of group grp of GY[xi][co][t] V[xi][ci][t]: the
// weight gradient in the transformed domain.
template <typename T, int B>
__attribute__((always_inline)) inline void weight_chunk(const ConvGeom& g, const T* gy, const T* x, int64_t grp,
                                                        int64_t t0, int64_t t1, int64_t ld, int64_t vs, int64_t gs,
                                                        T* V, T* GY, T* rows, T* acc) {
  const int64_t Cg = g.cin_g(), Og = g.cout_g(), n = t1 - t0, oc = Og * Cg;
  transform_input<T, B>(g, x, grp, t0, t1, V, vs, ld, rows);
  transform_grad<T, B>(g, gy, grp, t0, t1, GY, gs, ld, rows);
  for (int xi = 0; xi < 16; ++xi) gemm_accumulate(Og, Cg, n, GY + xi * gs, ld, 1, V + xi * vs, 1, ld, acc + xi * oc, Cg);
}

// One chunk of tiles [t0, t1) of group grp: input transform, the 16 GEMMs (u: the group's 16
// transformed weight matrices U[xi], Cout_g x Cin_g, packed), output transform. V, M and rows are
// the caller's buffers, sized as in winograd_forward.
template <typename T, int B>
__attribute__((always_inline)) inline void winograd_chunk(const ConvGeom& g, const T* x, const PackedA<T>* u, const T* bias,
                                                          int64_t grp, int64_t t0, int64_t t1, int64_t ldv,
                                                          int64_t vs, int64_t ms, T* V, T* M, T* rows, T* y) {
  const int64_t n = t1 - t0;
  transform_input<T, B>(g, x, grp, t0, t1, V, vs, ldv, rows);
  for (int xi = 0; xi < 16; ++xi) u[xi].multiply(n, V + xi * vs, ldv, 1, M + xi * ms, n);  // zeros when Cin_g == 0
  transform_output<T, B>(g, M, ms, n, bias, grp, t0, t1, y, rows);
}

template <typename T>
void chunk_base(const ConvGeom& g, const T* x, const PackedA<T>* u, const T* bias, int64_t grp, int64_t t0, int64_t t1,
                int64_t ldv, int64_t vs, int64_t ms, T* V, T* M, T* rows, T* y) {
  winograd_chunk<T, 16>(g, x, u, bias, grp, t0, t1, ldv, vs, ms, V, M, rows, y);
}

template <typename T>
void weight_chunk_base(const ConvGeom& g, const T* gy, const T* x, int64_t grp, int64_t t0, int64_t t1, int64_t ld,
                       int64_t vs, int64_t gs, T* V, T* GY, T* rows, T* acc) {
  weight_chunk<T, 16>(g, gy, x, grp, t0, t1, ld, vs, gs, V, GY, rows, acc);
}

#if defined(DL_X86)
template <typename T>
DL_TARGET_AVX2 void chunk_avx2(const ConvGeom& g, const T* x, const PackedA<T>* u, const T* bias, int64_t grp, int64_t t0,
                               int64_t t1, int64_t ldv, int64_t vs, int64_t ms, T* V, T* M, T* rows, T* y) {
  winograd_chunk<T, 32>(g, x, u, bias, grp, t0, t1, ldv, vs, ms, V, M, rows, y);
}

template <typename T>
DL_TARGET_AVX2 void weight_chunk_avx2(const ConvGeom& g, const T* gy, const T* x, int64_t grp, int64_t t0, int64_t t1,
                                      int64_t ld, int64_t vs, int64_t gs, T* V, T* GY, T* rows, T* acc) {
  weight_chunk<T, 32>(g, gy, x, grp, t0, t1, ld, vs, gs, V, GY, rows, acc);
}
#endif

}  // namespace

bool winograd_fits(const ConvGeom& g) {
  const Window2d& v = g.win;
  return v.kH == 3 && v.kW == 3 && v.sH == 1 && v.sW == 1 && v.dH == 1 && v.dW == 1 && v.pH <= 2 && v.pW <= 2 &&
         v.Hout >= 1 && v.Wout >= 1;
}

template <typename T>
void winograd_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const Window2d& v = g.win;
  const int64_t Cg = g.cin_g(), Og = g.cout_g();
  const int64_t tiles = g.N * ((v.Hout + 1) / 2) * ((v.Wout + 1) / 2);
  if (tiles == 0 || Og == 0) return;
  std::vector<PackedA<T>> packed;  // U[grp][xi], packed once for all chunks
  {
    std::vector<T> u(static_cast<size_t>(g.G * 16 * Og * Cg));
    transform_weights(g, w, u.data());
    packed.reserve(static_cast<size_t>(g.G * 16));
    for (int64_t k = 0; k < g.G * 16; ++k) packed.emplace_back(Og, Cg, u.data() + k * Og * Cg, Cg, 1);
  }
  // Tiles per chunk: V and M within kChunkBytes, a multiple of 16 (whole AVX2 / NEON GEMM
  // panels), and at least 4 chunks per thread when there are enough tiles.
  const int64_t per_tile = 16 * (Cg + Og) * static_cast<int64_t>(sizeof(T));
  int64_t tc = std::max<int64_t>(16, kChunkBytes / per_tile / 16 * 16);
  const int64_t balanced = (tiles + 4 * num_threads() - 1) / (4 * num_threads());
  tc = std::min(tc, std::max<int64_t>(16, (balanced + 15) / 16 * 16));
  const int64_t nchunks = (tiles + tc - 1) / tc;
#if defined(DL_X86)
  const bool avx2 = use_avx2();
#endif
  parallel_for(g.G * nchunks, [&](int64_t task) {
    const int64_t grp = task / nchunks, t0 = (task % nchunks) * tc, t1 = std::min(tiles, t0 + tc), n = t1 - t0;
    // the 16 matrices of V and of M sit 64 bytes further apart than their size, so that the 16
    // streams of a transform do not all map to the same cache sets; V's rows and M's end keep
    // room for a run's last vector
    const int64_t ldv = tc + kMaxLanes<T>, vs = Cg * ldv + kSkew, ms = Og * n + kSkew;
    T* V = scratch<T>(0, 16 * vs);
    T* M = scratch<T>(1, 16 * ms + kMaxLanes<T>);
    T* rows = scratch<T>(2, rows_size<T>(tc, (v.Wout + 1) / 2));
    const PackedA<T>* ug = packed.data() + grp * 16;
#if defined(DL_X86)
    if (avx2) return chunk_avx2<T>(g, x, ug, bias, grp, t0, t1, ldv, vs, ms, V, M, rows, y);
#endif
    chunk_base<T>(g, x, ug, bias, grp, t0, t1, ldv, vs, ms, V, M, rows, y);
  });
}

template <typename T>
void winograd_backward_input(const ConvGeom& g, const T* gy, const T* w, T* gx) {
  const int64_t Cg = g.cin_g(), Og = g.cout_g();
  // The transposed problem: gy [N, Cout, Hout, Wout] is the input, gx the output, and the kernel
  // wt [Cin, Cout_g, 3, 3] holds w's taps flipped, with each group's in/out channels swapped.
  ConvGeom t = g;
  t.Cin = g.Cout;
  t.Cout = g.Cin;
  t.win.H = g.win.Hout;
  t.win.W = g.win.Wout;
  t.win.pH = 2 - g.win.pH;
  t.win.pW = 2 - g.win.pW;
  t.win.Hout = g.win.H;
  t.win.Wout = g.win.W;
  std::vector<T> wt(static_cast<size_t>(g.Cin * Og * 9));
  for (int64_t grp = 0; grp < g.G; ++grp) {
    for (int64_t c = 0; c < Cg; ++c) {
      for (int64_t o = 0; o < Og; ++o) {
        const T* src = w + ((grp * Og + o) * Cg + c) * 9;
        T* dst = wt.data() + ((grp * Cg + c) * Og + o) * 9;
        for (int k = 0; k < 9; ++k) dst[k] = src[8 - k];
      }
    }
  }
  winograd_forward(t, gy, wt.data(), static_cast<const T*>(nullptr), gx);
}

template <typename T>
void winograd_backward_weight(const ConvGeom& g, const T* gy, const T* x, T* gw) {
  const Window2d& v = g.win;
  const int64_t Cg = g.cin_g(), Og = g.cout_g(), oc = Og * Cg;
  const int64_t per_image = ((v.Hout + 1) / 2) * ((v.Wout + 1) / 2);
  if (g.Cout * Cg == 0) return;
  // Each chunk of images sums its tiles into its own transformed gradient [G][16][Cout_g][Cin_g]
  // (chunk_sum.h: the result does not depend on scheduling).
  const int64_t per_tile = 16 * (Cg + Og) * static_cast<int64_t>(sizeof(T));
  // the forward's chunk size (here the tiles are the GEMMs' summed dimension; twice as many ran a
  // few percent slower once the packing transposed in registers)
  const int64_t tc = std::max<int64_t>(16, kChunkBytes / per_tile / 16 * 16);
#if defined(DL_X86)
  const bool avx2 = use_avx2();
#endif
  const std::vector<T> sum =
      sum_image_chunks<T>(g.N, image_chunks(g.N, true), g.G * 16 * oc, [&](int64_t n0, int64_t n1, T* part) {
        const int64_t ld = tc + kMaxLanes<T>, vs = Cg * ld + kSkew, gs = Og * ld + kSkew;
        T* V = scratch<T>(0, 16 * vs);
        T* GY = scratch<T>(1, 16 * gs);
        T* rows = scratch<T>(2, rows_size<T>(tc, (v.Wout + 1) / 2));
        for (int64_t grp = 0; grp < g.G; ++grp) {
          T* acc = part + grp * 16 * oc;
          for (int64_t t0 = n0 * per_image; t0 < n1 * per_image; t0 += tc) {
            const int64_t t1 = std::min(n1 * per_image, t0 + tc);
#if defined(DL_X86)
            if (avx2) {
              weight_chunk_avx2<T>(g, gy, x, grp, t0, t1, ld, vs, gs, V, GY, rows, acc);
              continue;
            }
#endif
            weight_chunk_base<T>(g, gy, x, grp, t0, t1, ld, vs, gs, V, GY, rows, acc);
          }
        }
      });
  // gw[co, ci] = G^T M G, G^T = [[1, 1/2, 1/2, 0], [0, 1/2, -1/2, 0], [0, 1/2, 1/2, 1]]
  const T h = T(0.5);
  for (int64_t grp = 0; grp < g.G; ++grp) {
    const T* m = sum.data() + grp * 16 * oc;
    for (int64_t co = 0; co < Og; ++co) {
      for (int64_t ci = 0; ci < Cg; ++ci) {
        T e[4][4];
        for (int xi = 0; xi < 16; ++xi) e[xi / 4][xi % 4] = m[xi * oc + co * Cg + ci];
        T r[3][4];  // G^T M
        for (int j = 0; j < 4; ++j) {
          r[0][j] = e[0][j] + (e[1][j] + e[2][j]) * h;
          r[1][j] = (e[1][j] - e[2][j]) * h;
          r[2][j] = (e[1][j] + e[2][j]) * h + e[3][j];
        }
        T* out = gw + ((grp * Og + co) * Cg + ci) * 9;
        for (int i = 0; i < 3; ++i) {  // (G^T M) G
          out[i * 3 + 0] = r[i][0] + (r[i][1] + r[i][2]) * h;
          out[i * 3 + 1] = (r[i][1] - r[i][2]) * h;
          out[i * 3 + 2] = (r[i][1] + r[i][2]) * h + r[i][3];
        }
      }
    }
  }
}

#define DL_WINOGRAD_INSTANTIATE(T)                                                        \
  template void winograd_forward<T>(const ConvGeom&, const T*, const T*, const T*, T*); \
  template void winograd_backward_input<T>(const ConvGeom&, const T*, const T*, T*);   \
  template void winograd_backward_weight<T>(const ConvGeom&, const T*, const T*, T*);
DL_WINOGRAD_INSTANTIATE(float)
DL_WINOGRAD_INSTANTIATE(double)
#undef DL_WINOGRAD_INSTANTIATE

}  // namespace dl
