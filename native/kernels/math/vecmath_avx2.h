// AVX2 + FMA vector math on __m256 (8 floats), in dendrite::avx2. Include only from *_avx2.cc.
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
#include <immintrin.h>

#include <cstdint>
#include <limits>

namespace dendrite {
namespace avx2 {

using vf = __m256;
using vm = __m256;  // all-ones / all-zeros lanes
constexpr int kWidth = 8;

inline vf vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, vf v) { _mm256_storeu_ps(p, v); }
inline vf vset(float a) { return _mm256_set1_ps(a); }
inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
inline vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
inline vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
inline vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
inline vf vfnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
// The 12-bit rcp_ps would need two correction steps to meet the stated bounds; the divider is
// as fast here.
inline vf vdiv_fast(vf a, vf b) { return _mm256_div_ps(a, b); }
// a/(b + lo), |lo| ≤ ulp(b): the quotient by b, corrected by the residual a − (b + lo)·q.
inline vf vdiv_fast_lo(vf a, vf b, vf lo) {
  vf q = _mm256_div_ps(a, b);
  vf res = _mm256_fnmadd_ps(lo, q, _mm256_fnmadd_ps(b, q, a));
  return _mm256_add_ps(q, _mm256_div_ps(res, b));
}
inline vf vabs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
inline vf vneg(vf a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }
inline vf vcopysign(vf mag, vf sgn) {
  const vf sign = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(_mm256_andnot_ps(sign, mag), _mm256_and_ps(sign, sgn));
}
// x86 max/min return their second operand when either is NaN.
inline vf vmax_nan(vf a, vf x) { return _mm256_max_ps(a, x); }
inline vf vmin_nan(vf a, vf x) { return _mm256_min_ps(a, x); }
inline vm vlt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
inline vm vle(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
inline vm vgt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
inline vm vge(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
inline vm veq(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
inline vm vand_m(vm a, vm b) { return _mm256_and_ps(a, b); }
inline bool vany(vm m) { return _mm256_movemask_ps(m) != 0; }
inline vf vselect(vm m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
inline vf vround(vf x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// p·2ⁿ in two steps (2^⌊n/2⌋ then the rest) so n in [−150, 128] stays exact and denormal
// results round once.
inline vf vldexp(vf p, vf n) {
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i n1 = _mm256_srai_epi32(ni, 1);
  __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  vf s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  vf s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}
inline vf vsplit(vf x, vf* e) {
  // Denormals are scaled by 2²³ first.
  vm tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
  vf xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
  __m256i bits = _mm256_castps_si256(xs);
  __m256i ex = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
  *e = _mm256_sub_ps(_mm256_cvtepi32_ps(ex), _mm256_and_ps(tiny, _mm256_set1_ps(23.0f)));
  __m256i mb = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                               _mm256_set1_epi32(0x3f800000));
  return _mm256_castsi256_ps(mb);
}
inline vf vsquare_err(vf z, vf hi) { return _mm256_fmsub_ps(z, z, hi); }
inline float vhsum(vf v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline float vhmax(vf v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#include "vecmath_common.inc"

}  // namespace avx2
}  // namespace dendrite
