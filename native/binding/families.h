// Each kernel family's binding file defines one of these; addon.cc calls them all.
#pragma once
#include <napi.h>

namespace dendrite {
namespace binding {

void init_runtime(Napi::Env env, Napi::Object exports);      // runtime_binding.cc
void init_gemm(Napi::Env env, Napi::Object exports);         // gemm_binding.cc
void init_activation(Napi::Env env, Napi::Object exports);   // activation_binding.cc
void init_elementwise(Napi::Env env, Napi::Object exports);  // elementwise_binding.cc
void init_copy(Napi::Env env, Napi::Object exports);         // copy_binding.cc
void init_conv(Napi::Env env, Napi::Object exports);         // conv_binding.cc (conv, pooling)
void init_optim(Napi::Env env, Napi::Object exports);        // optim_binding.cc (optimiser steps)
void init_loss(Napi::Env env, Napi::Object exports);         // loss_binding.cc (fused losses)

}  // namespace binding
}  // namespace dendrite
