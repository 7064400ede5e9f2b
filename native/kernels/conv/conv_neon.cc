// NEON (AArch64) conv kernels: conv_impl.inc over 4-lane float32x4_t vectors; partial vectors
// (fewer than 4 floats) go element by element.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "conv_kernels.h"

namespace dendrite {
namespace neon {
namespace {

struct S {
  using V = float32x4_t;
  using VI = int32x4_t;
  using M = uint32x4_t;
  static constexpr std::size_t W = 4;
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  static V set1(float a) { return vdupq_n_f32(a); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static M wins(V v, V best) {
    const M gt = vcgtq_f32(v, best);
    const M v_nan = vmvnq_u32(vceqq_f32(v, v));
    const M best_ok = vceqq_f32(best, best);
    return vorrq_u32(gt, vandq_u32(v_nan, best_ok));
  }
  static V select(M m, V a, V b) { return vbslq_f32(m, a, b); }
  static VI selecti(M m, VI a, VI b) { return vbslq_s32(m, a, b); }
  static VI iota(std::int32_t base) {
    const std::int32_t lanes[4] = {0, 1, 2, 3};
    return vaddq_s32(vdupq_n_s32(base), vld1q_s32(lanes));
  }
  static void storei(std::int32_t* p, VI v) { vst1q_s32(p, v); }
  static void copy_part(float* dst, const float* src, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
  static void add_part(float* dst, const float* src, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
  }
  static void zero_part(float* dst, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) dst[i] = 0.0f;
  }
};

}  // namespace

#include "conv_impl.inc"

}  // namespace neon
}  // namespace dendrite
#endif
