// Portable conv kernels: conv_impl.inc over one-lane "vectors" (plain floats).
#include <cstddef>
#include <cstdint>

#include "conv_kernels.h"

namespace dendrite {
namespace scalar {
namespace {

struct S {
  using V = float;
  using VI = std::int32_t;
  using M = bool;
  static constexpr std::size_t W = 1;
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static V set1(float a) { return a; }
  static V add(V a, V b) { return a + b; }
  static V mul(V a, V b) { return a * b; }
  static M wins(V v, V best) { return v > best || (v != v && best == best); }
  static V select(M m, V a, V b) { return m ? a : b; }
  static VI selecti(M m, VI a, VI b) { return m ? a : b; }
  static VI iota(std::int32_t base) { return base; }
  static void storei(std::int32_t* p, VI v) { *p = v; }
  // W = 1: no partial vectors ever.
  static void copy_part(float*, const float*, std::size_t) {}
  static void add_part(float*, const float*, std::size_t) {}
  static void zero_part(float*, std::size_t) {}
};

}  // namespace

#include "conv_impl.inc"

}  // namespace scalar
}  // namespace dendrite
