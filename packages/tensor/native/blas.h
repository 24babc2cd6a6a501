// Optional system BLAS, loaded at run time with dlopen (never linked, so the addon builds and runs
// without it). When enabled, products whose operands have a BLAS layout (each matrix row-major or
// transposed, with a leading dimension) go to cblas_sgemm / cblas_dgemm; everything else, and
// everything when it is disabled, uses the built-in kernel of gemm.cc.
//
// Selection: the environment variable DL_BLAS, read at the first product: "openblas" (tries
// libopenblas.so.0, then libopenblas.so), a path to a shared library exporting cblas_sgemm and
// cblas_dgemm, or "builtin"/unset for the built-in kernel. set_blas() changes it at run time.
#pragma once

#include <cstdint>
#include <string>

#include "gemm.h"

namespace dl {

// Switches to "builtin", "openblas" or a library path. On failure returns false, keeps the
// previous choice and puts the reason in *why.
bool set_blas(const std::string& name, std::string* why);

// "builtin" or the loaded library's name.
std::string blas_name();

// Why the library named by DL_BLAS could not be loaded ("" when it was, or was not asked for).
std::string blas_env_error();

// C[b] = A[b] . B[b] with the enabled BLAS; false when BLAS is disabled or the layout or the
// sizes do not suit it (the caller then uses the built-in kernel).
bool blas_gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<float> A,
                       StridedBatch<float> B, float* C);
bool blas_gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<double> A,
                       StridedBatch<double> B, double* C);

}  // namespace dl
