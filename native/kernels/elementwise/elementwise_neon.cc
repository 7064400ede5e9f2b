// The NEON path (arm64): 4 floats per vector, tails through a small buffer.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../math/partial_neon.h"
#include "../math/vecmath_neon.h"
#include "elementwise_simd.h"

namespace dendrite {
namespace neon {
namespace {

struct Simd {
  using V = float32x4_t;
  static constexpr std::size_t W = 4;
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  static V load_tail(const float* p, std::size_t n, float fill) { return vload_part(p, n, fill); }
  static void store_tail(float* p, V v, std::size_t n) { vstore_part(p, v, n); }
  static V set1(float v) { return vdupq_n_f32(v); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V div(V a, V b) { return vdivq_f32(a, b); }
  static V fmadd(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V sqrt(V a) { return vsqrtq_f32(a); }
  static V abs(V a) { return vabsq_f32(a); }
  static V neg(V a) { return vnegq_f32(a); }
  static uint32x4_t is_nan(V a) { return vmvnq_u32(vceqq_f32(a, a)); }
  // (a >= b || isnan(a)) ? a : b, and the mirror for min.
  static V max_np(V a, V b) { return vbslq_f32(vorrq_u32(vcgeq_f32(a, b), is_nan(a)), a, b); }
  static V min_np(V a, V b) { return vbslq_f32(vorrq_u32(vcleq_f32(a, b), is_nan(a)), a, b); }
  // FMAX / FMIN return NaN when an operand is NaN, so a NaN x stays NaN.
  static V clamp(V x, V lo, V hi) { return vminq_f32(vmaxq_f32(x, lo), hi); }
  static V exp(V a) { return exp_ps(a); }
  static V log(V a) { return log_ps(a); }
  static std::uint32_t match_mask(V x, V v) {
    uint32x4_t m = vorrq_u32(vceqq_f32(x, v), is_nan(x));
    return (vgetq_lane_u32(m, 0) & 1u) | ((vgetq_lane_u32(m, 1) & 1u) << 1) |
           ((vgetq_lane_u32(m, 2) & 1u) << 2) | ((vgetq_lane_u32(m, 3) & 1u) << 3);
  }
};

}  // namespace

DENDRITE_ELEMENTWISE_DEFINE(Simd)

}  // namespace neon
}  // namespace dendrite
#endif  // arm64
