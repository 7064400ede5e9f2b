// AVX-512 vector math on __m512 (16 floats), in dendrite::avx512. Include only from *_avx512.cc.
//
//   exp_ps(x)      eˣ            max error ≤ 2 ulp (denormal results: ≤ 1 ulp of 2⁻¹⁴⁹)
//   expm1_ps(x)    eˣ − 1        ≤ 2 ulp
//   log_ps(x)      ln x          ≤ 2 ulp
//   log1p_ps(u)    ln(1 + u)     ≤ 2 ulp
//   sigmoid_ps(x)  1/(1 + e⁻ˣ)   ≤ 3 ulp
//   tanh_ps(x)     tanh x        ≤ 2 ulp
//   erf_ps(x)      erf x         ≤ 3 ulp
//   erfc_ps(x)     erfc x        ≤ 8 ulp (relative accuracy kept for large x, up to denormals)
// Errors are against the correctly rounded result and are asserted by test/kernels/vecmath.test.ts
// on every ISA path. Special values follow IEEE / the mathematical limits: NaN in, NaN out;
// exp(+Inf) = +Inf, exp(−Inf) = 0, log(0) = −Inf, log(x < 0) = NaN, tanh(±Inf) = ±1,
// sigmoid(+Inf) = 1, sigmoid(−Inf) = 0, erf(±Inf) = ±1. All paths share one algorithm
// (vecmath_common.inc), so they agree to rounding.
#pragma once
#include <immintrin.h>

#include <cstdint>
#include <limits>

namespace dendrite {
namespace avx512 {

using vf = __m512;
using vm = __mmask16;
constexpr int kWidth = 16;

inline vf vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, vf v) { _mm512_storeu_ps(p, v); }
inline vf vset(float a) { return _mm512_set1_ps(a); }
inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
inline vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
inline vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
inline vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
inline vf vfnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
inline vf vabs(vf a) { return _mm512_abs_ps(a); }
inline vf vneg(vf a) {
  return _mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN)));
}
inline vf vcopysign(vf mag, vf sgn) {
  // bit select: sign bit from sgn, the rest from mag
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
      _mm512_set1_epi32(INT32_MAX), _mm512_castps_si512(mag), _mm512_castps_si512(sgn), 0xca));
}
// x86 max/min return their second operand when either is NaN. (The all-lanes mask forms avoid
// GCC 12's false "uninitialized" warnings on the unmasked intrinsics.)
constexpr __mmask16 kAll = 0xffff;
inline vf vmax_nan(vf a, vf x) { return _mm512_mask_max_ps(a, kAll, a, x); }
inline vf vmin_nan(vf a, vf x) { return _mm512_mask_min_ps(a, kAll, a, x); }
// a/b for b in [2⁻¹²⁵, 2¹²⁵] (1/b must be normal: rcp14 flushes denormal results): the 14-bit
// reciprocal estimate and one residual correction, q + r·(a − b·q), give the quotient within
// 0.5 ulp + 2⁻²⁸ relative, cheaper than the divider (one FMA-pipe op per stage on Zen 4).
inline vf vdiv_fast(vf a, vf b) {
  vf r = _mm512_mask_rcp14_ps(b, kAll, b);
  vf q = _mm512_mul_ps(a, r);
  return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(b, q, a), q);
}
// a/(b + lo) for a divisor known as an unevaluated sum, |lo| ≤ ulp(b), b as for vdiv_fast.
inline vf vdiv_fast_lo(vf a, vf b, vf lo) {
  vf r = _mm512_mask_rcp14_ps(b, kAll, b);
  vf q = _mm512_mul_ps(a, r);
  vf res = _mm512_fnmadd_ps(lo, q, _mm512_fnmadd_ps(b, q, a));
  return _mm512_fmadd_ps(r, res, q);
}
inline vm vlt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
inline vm vle(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
inline vm vgt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
inline vm vge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
inline vm veq(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
inline vm vand_m(vm a, vm b) { return static_cast<vm>(a & b); }
inline bool vany(vm m) { return m != 0; }
inline vf vselect(vm m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
inline vf vround(vf x) {
  return _mm512_mask_roundscale_ps(x, kAll, x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
inline vf vldexp(vf p, vf n) { return _mm512_mask_scalef_ps(p, kAll, p, n); }
inline vf vsplit(vf x, vf* e) {
  // getexp/getmant normalise denormals themselves.
  *e = _mm512_mask_getexp_ps(x, kAll, x);
  return _mm512_mask_getmant_ps(x, kAll, x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
}
inline vf vsquare_err(vf z, vf hi) { return _mm512_fmsub_ps(z, z, hi); }
inline float vhsum(vf v) {
  __m256 lo = _mm512_mask_extractf32x8_ps(_mm256_setzero_ps(), 0xff, v, 0);
  __m256 h = _mm256_add_ps(lo, _mm512_mask_extractf32x8_ps(lo, 0xff, v, 1));
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline float vhmax(vf v) {
  __m256 lo = _mm512_mask_extractf32x8_ps(_mm256_setzero_ps(), 0xff, v, 0);
  __m256 h = _mm256_max_ps(lo, _mm512_mask_extractf32x8_ps(lo, 0xff, v, 1));
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#include "vecmath_common.inc"

}  // namespace avx512
}  // namespace dendrite
