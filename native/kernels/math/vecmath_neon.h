// NEON (AArch64) vector math on float32x4_t (4 floats), in dendrite::neon. Include only from
// *_neon.cc (whose content is wrapped in an arm64 #if).
//
//   exp_ps(x)      eˣ            max error ≤ 2 ulp (denormal results: ≤ 1 ulp of 2⁻¹⁴⁹)
//   expm1_ps(x)    eˣ − 1        ≤ 2 ulp
//   log_ps(x)      ln x          ≤ 2 ulp
//   log1p_ps(u)    ln(1 + u)     ≤ 2 ulp
//   sigmoid_ps(x)  1/(1 + e⁻ˣ)   ≤ 3 ulp
//   tanh_ps(x)     tanh x        ≤ 2 ulp
//   erf_ps(x)      erf x         ≤ 3 ulp
//   erfc_ps(x)     erfc x        ≤ 8 ulp (relative accuracy kept for large x, up to denormals)
// Same algorithm, bounds and special values as vecmath_avx512.h (see vecmath_common.inc).
#pragma once
#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include <cstdint>
#include <limits>

namespace dendrite {
namespace neon {

using vf = float32x4_t;
using vm = uint32x4_t;
constexpr int kWidth = 4;

inline vf vload(const float* p) { return vld1q_f32(p); }
inline void vstore(float* p, vf v) { vst1q_f32(p, v); }
inline vf vset(float a) { return vdupq_n_f32(a); }
inline vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
inline vf vsub(vf a, vf b) { return vsubq_f32(a, b); }
inline vf vmul(vf a, vf b) { return vmulq_f32(a, b); }
inline vf vdiv(vf a, vf b) { return vdivq_f32(a, b); }
inline vf vdiv_fast(vf a, vf b) { return vdivq_f32(a, b); }
// a/(b + lo), |lo| ≤ ulp(b): the quotient by b, corrected by the residual a − (b + lo)·q.
inline vf vdiv_fast_lo(vf a, vf b, vf lo) {
  vf q = vdivq_f32(a, b);
  vf res = vfmsq_f32(vfmsq_f32(a, b, q), lo, q);
  return vaddq_f32(q, vdivq_f32(res, b));
}
inline vf vfma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
inline vf vfnma(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); }
inline vf vabs(vf a) { return vabsq_f32(a); }
inline vf vneg(vf a) { return vnegq_f32(a); }
inline vf vcopysign(vf mag, vf sgn) {
  return vbslq_f32(vdupq_n_u32(0x80000000u), sgn, mag);
}
// NEON max/min propagate NaN from either operand.
inline vf vmax_nan(vf a, vf x) { return vmaxq_f32(a, x); }
inline vf vmin_nan(vf a, vf x) { return vminq_f32(a, x); }
inline vm vlt(vf a, vf b) { return vcltq_f32(a, b); }
inline vm vle(vf a, vf b) { return vcleq_f32(a, b); }
inline vm vgt(vf a, vf b) { return vcgtq_f32(a, b); }
inline vm vge(vf a, vf b) { return vcgeq_f32(a, b); }
inline vm veq(vf a, vf b) { return vceqq_f32(a, b); }
inline vm vand_m(vm a, vm b) { return vandq_u32(a, b); }
inline bool vany(vm m) { return vmaxvq_u32(m) != 0; }
inline vf vselect(vm m, vf a, vf b) { return vbslq_f32(m, a, b); }
inline vf vround(vf x) { return vrndnq_f32(x); }
// p·2ⁿ in two steps (2^⌊n/2⌋ then the rest) so n in [−150, 128] stays exact and denormal
// results round once.
inline vf vldexp(vf p, vf n) {
  int32x4_t ni = vcvtnq_s32_f32(n);
  int32x4_t n1 = vshrq_n_s32(ni, 1);
  int32x4_t n2 = vsubq_s32(ni, n1);
  const int32x4_t bias = vdupq_n_s32(127);
  vf s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
  vf s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));
  return vmulq_f32(vmulq_f32(p, s1), s2);
}
inline vf vsplit(vf x, vf* e) {
  // Denormals are scaled by 2²³ first.
  vm tiny = vcltq_f32(x, vdupq_n_f32(1.17549435e-38f));
  vf xs = vbslq_f32(tiny, vmulq_f32(x, vdupq_n_f32(8388608.0f)), x);
  uint32x4_t bits = vreinterpretq_u32_f32(xs);
  int32x4_t ex = vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(bits, 23)), vdupq_n_s32(127));
  vf tiny23 = vreinterpretq_f32_u32(vandq_u32(tiny, vreinterpretq_u32_f32(vdupq_n_f32(23.0f))));
  *e = vsubq_f32(vcvtq_f32_s32(ex), tiny23);
  uint32x4_t mb = vorrq_u32(vandq_u32(bits, vdupq_n_u32(0x007fffffu)), vdupq_n_u32(0x3f800000u));
  return vreinterpretq_f32_u32(mb);
}
inline vf vsquare_err(vf z, vf hi) { return vfmaq_f32(vnegq_f32(hi), z, z); }
inline float vhsum(vf v) { return vaddvq_f32(v); }
inline float vhmax(vf v) { return vmaxvq_f32(v); }

#include "vecmath_common.inc"

}  // namespace neon
}  // namespace dendrite
#endif
