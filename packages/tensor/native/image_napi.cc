// JS bindings of the conv2d and its gradients, pooling, im2col/col2im kernels.
#include "bindings.h"
#include "napi_args.h"

namespace dl {

void register_image(Napi::Env env, Napi::Object exports) {}

}  // namespace dl
