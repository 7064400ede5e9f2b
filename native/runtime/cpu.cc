// CPU feature detection (once, at load) and the active instruction-set path.
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "dendrite/runtime.h"

#if defined(__x86_64__) || defined(_M_X64)
#define DENDRITE_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#define DENDRITE_ARM64 1
#endif

namespace dendrite {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Neon: return "neon";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "scalar";
}

bool isa_from_name(const char* name, Isa* out) {
  static const Isa all[] = {Isa::Scalar, Isa::Neon, Isa::Avx2, Isa::Avx512};
  for (Isa isa : all) {
    if (std::strcmp(name, isa_name(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

namespace runtime {
namespace {

#if DENDRITE_X86
void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if defined(_MSC_VER)
  int regs[4];
  __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(sub));
  for (int i = 0; i < 4; ++i) r[i] = static_cast<unsigned>(regs[i]);
#else
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

unsigned long long xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
#endif
}

Isa detect() {
  unsigned r[4];
  cpuid(0, 0, r);
  unsigned max_leaf = r[0];
  if (max_leaf < 7) return Isa::Scalar;
  cpuid(1, 0, r);
  const bool osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1, fma = (r[2] >> 12) & 1;
  if (!osxsave || !avx) return Isa::Scalar;
  // The OS must save the YMM (and, for AVX-512, opmask and ZMM) state on context switches.
  const unsigned long long xcr0 = xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;
  cpuid(7, 0, r);
  const unsigned ebx = r[1];
  const bool avx2 = (ebx >> 5) & 1;
  const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
  const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
  if (!ymm_state || !avx2 || !fma) return Isa::Scalar;
  if (zmm_state && avx512f && avx512dq && avx512bw && avx512vl) return Isa::Avx512;
  return Isa::Avx2;
}
#elif DENDRITE_ARM64
Isa detect() { return Isa::Neon; }  // Advanced SIMD is part of the AArch64 baseline.
#else
Isa detect() { return Isa::Scalar; }
#endif

Isa initial_isa(Isa best) {
  const char* env = std::getenv("DENDRITE_ISA");
  Isa wanted;
  if (env == nullptr || !isa_from_name(env, &wanted)) return best;
  // Take the highest supported path at or below the one asked for.
  for (int i = static_cast<int>(wanted); i >= 0; --i) {
    Isa isa = static_cast<Isa>(i);
    if (isa_supported(isa)) return isa;
  }
  return Isa::Scalar;
}

const Isa kBest = detect();
std::atomic<int> g_active{static_cast<int>(initial_isa(kBest))};

}  // namespace

Isa best_isa() { return kBest; }

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return true;
    case Isa::Neon: return kBest == Isa::Neon;
    case Isa::Avx2: return kBest == Isa::Avx2 || kBest == Isa::Avx512;
    case Isa::Avx512: return kBest == Isa::Avx512;
  }
  return false;
}

Isa active_isa() { return static_cast<Isa>(g_active.load(std::memory_order_relaxed)); }

bool set_isa(Isa isa) {
  if (!isa_supported(isa)) return false;
  g_active.store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

}  // namespace runtime
}  // namespace dendrite
