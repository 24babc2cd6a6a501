// Each kernel family registers its JS functions on the addon's exports (called from addon.cc).
#pragma once

#include <napi.h>

namespace dl {

void register_elementwise(Napi::Env env, Napi::Object exports);  // elementwise_napi.cc
void register_image(Napi::Env env, Napi::Object exports);        // image_napi.cc: conv, pooling, im2col
void register_reduce(Napi::Env env, Napi::Object exports);       // reduce_napi.cc: reductions, softmax
void register_indexing(Napi::Env env, Napi::Object exports);     // indexing_napi.cc: gather, scatter, index

}  // namespace dl
