// JS bindings of the gather, scatterAdd, indexSelect, indexAdd kernels.
#include "bindings.h"
#include "napi_args.h"

namespace dl {

void register_indexing(Napi::Env env, Napi::Object exports) {}

}  // namespace dl
