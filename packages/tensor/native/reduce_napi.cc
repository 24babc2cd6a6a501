// JS bindings of the reductions, argmax/argmin, cumsum, softmax/logSoftmax kernels.
#include "bindings.h"
#include "napi_args.h"

namespace dl {

void register_reduce(Napi::Env env, Napi::Object exports) {}

}  // namespace dl
