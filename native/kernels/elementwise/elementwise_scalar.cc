// The portable path: the loops of elementwise_simd.h with one float per "vector".
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../math/vecmath_scalar.h"
#include "elementwise_simd.h"

namespace dendrite {
namespace scalar {
namespace {

struct Simd {
  using V = float;
  static constexpr std::size_t W = 1;
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  // W == 1 leaves no partial vectors; these exist for the shared loops to compile.
  static V load_tail(const float* p, std::size_t n, float fill) { return n ? *p : fill; }
  static void store_tail(float* p, V v, std::size_t n) {
    if (n) *p = v;
  }
  static V set1(float v) { return v; }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V fmadd(V a, V b, V c) { return a * b + c; }
  static V sqrt(V a) { return std::sqrt(a); }
  static V abs(V a) { return std::fabs(a); }
  static V neg(V a) { return -a; }
  static V max_np(V a, V b) { return (a >= b || a != a) ? a : b; }
  static V min_np(V a, V b) { return (a <= b || a != a) ? a : b; }
  static V clamp(V x, V lo, V hi) {
    if (x != x) return x;
    return x < lo ? lo : (x > hi ? hi : x);
  }
  static V exp(V a) { return exp_ps(a); }
  static V log(V a) { return log_ps(a); }
  static std::uint32_t match_mask(V x, V v) { return (x == v || x != x) ? 1u : 0u; }
};

}  // namespace

DENDRITE_ELEMENTWISE_DEFINE(Simd)

}  // namespace scalar
}  // namespace dendrite
