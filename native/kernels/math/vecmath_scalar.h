// Scalar vector math (one float per "vector"), in dendrite::scalar: the same algorithm and
// error bounds as vecmath_avx512.h / vecmath_avx2.h / vecmath_neon.h (see vecmath_common.inc),
// so the fallback path agrees with the SIMD ones. Baseline ISA: no FMA instruction is assumed.
//
//   exp_ps ≤ 2 ulp, expm1_ps ≤ 2 ulp, log_ps ≤ 2 ulp, log1p_ps ≤ 2 ulp, sigmoid_ps ≤ 3 ulp,
//   tanh_ps ≤ 2 ulp, erf_ps ≤ 3 ulp, erfc_ps ≤ 8 ulp.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <cstring>

namespace dendrite {
namespace scalar {

using vf = float;
using vm = bool;
constexpr int kWidth = 1;

inline vf vload(const float* p) { return *p; }
inline void vstore(float* p, vf v) { *p = v; }
inline vf vset(float a) { return a; }
inline vf vadd(vf a, vf b) { return a + b; }
inline vf vsub(vf a, vf b) { return a - b; }
inline vf vmul(vf a, vf b) { return a * b; }
inline vf vdiv(vf a, vf b) { return a / b; }
inline vf vdiv_fast(vf a, vf b) { return a / b; }
// a/(b + lo) in double (no FMA is assumed on this path).
inline vf vdiv_fast_lo(vf a, vf b, vf lo) {
  return static_cast<float>(static_cast<double>(a) / (static_cast<double>(b) + lo));
}
// Fused like the SIMD paths' FMA: a·b is exact in double, so only the sum rounds (twice: to
// double, then to float, which is off from a single rounding only in rare near-ties).
inline vf vfma(vf a, vf b, vf c) {
  return static_cast<float>(static_cast<double>(a) * b + c);
}
inline vf vfnma(vf a, vf b, vf c) {
  return static_cast<float>(c - static_cast<double>(a) * b);
}
inline vf vabs(vf a) { return std::fabs(a); }
inline vf vneg(vf a) { return -a; }
inline vf vcopysign(vf mag, vf sgn) { return std::copysign(mag, sgn); }
inline vf vmax_nan(vf a, vf x) { return x < a ? a : x; }
inline vf vmin_nan(vf a, vf x) { return x > a ? a : x; }
inline vm vlt(vf a, vf b) { return a < b; }
inline vm vle(vf a, vf b) { return a <= b; }
inline vm vgt(vf a, vf b) { return a > b; }
inline vm vge(vf a, vf b) { return a >= b; }
inline vm veq(vf a, vf b) { return a == b; }
inline vm vand_m(vm a, vm b) { return a && b; }
inline bool vany(vm m) { return m; }
inline vf vselect(vm m, vf a, vf b) { return m ? a : b; }
inline vf vround(vf x) {
  // Adding and removing 1.5·2²³ rounds |x| < 2²² to the nearest integer (ties to even).
  if (!(std::fabs(x) < 4194304.0f)) return x;
  const float big = 12582912.0f;
  return (x + big) - big;
}
inline float bits_to_float(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
inline vf vldexp(vf p, vf n) {
  if (!(n == n)) return p + n;  // NaN
  int ni = static_cast<int>(n);
  int n1 = ni >> 1;  // arithmetic shift: floor(n/2)
  int n2 = ni - n1;
  return p * bits_to_float(static_cast<std::uint32_t>(n1 + 127) << 23) *
         bits_to_float(static_cast<std::uint32_t>(n2 + 127) << 23);
}
inline vf vsplit(vf x, vf* e) {
  bool tiny = x < 1.17549435e-38f;
  float xs = tiny ? x * 8388608.0f : x;
  std::uint32_t b;
  std::memcpy(&b, &xs, sizeof b);
  *e = static_cast<float>(static_cast<int>(b >> 23) - 127) - (tiny ? 23.0f : 0.0f);
  return bits_to_float((b & 0x007fffffu) | 0x3f800000u);
}
inline vf vsquare_err(vf z, vf hi) {
  // A product of two floats is exact in double.
  return static_cast<float>(static_cast<double>(z) * z - hi);
}
inline float vhsum(vf v) { return v; }
inline float vhmax(vf v) { return v; }

#include "vecmath_common.inc"

}  // namespace scalar
}  // namespace dendrite
