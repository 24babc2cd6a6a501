# node-gyp build of the native backend: packages/tensor/build/Release/dl_native.node.
# Sources are in native/. Built for the baseline of the target architecture (no -march=native:
# the binary may run on another machine); wider SIMD (AVX2/FMA, AVX-512) is compiled per function
# with target attributes and picked at run time, NEON is always on for aarch64.
{
  "targets": [
    {
      "target_name": "dl_native",
      "sources": [
        "native/addon.cc",
        "native/napi_args.cc",
        "native/blas.cc",
        "native/conv.cc",
        "native/copy.cc",
        "native/elementwise.cc",
        "native/elementwise_napi.cc",
        "native/gemm.cc",
        "native/image_napi.cc",
        "native/indexing.cc",
        "native/indexing_napi.cc",
        "native/intmatmul.cc",
        "native/pool.cc",
        "native/reduce.cc",
        "native/reduce_napi.cc",
        "native/softmax.cc",
        "native/threadpool.cc",
        "native/unfold.cc",
        "native/vmath.cc",
        "native/winograd.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20", "-O2"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-psabi", "-pthread"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "ldflags": ["-pthread"],
      "libraries": ["-ldl"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
