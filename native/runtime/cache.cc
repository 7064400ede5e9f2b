// Data cache sizes (once, at first use): cpuid's deterministic cache parameters on x86, the OS on
// other CPUs, environment overrides on top. The GEMM blocking is sized from these.
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
#endif
#if defined(__linux__) || defined(__APPLE__)
#include <unistd.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

namespace dendrite {
namespace runtime {
namespace {

constexpr std::size_t kDefaultL1 = 32 * 1024, kDefaultL2 = 512 * 1024, kDefaultL3 = 8 << 20;

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

// Walks the deterministic cache parameter leaf (4 on Intel, 0x8000001D on AMD; same layout):
// type in EAX[4:0] (1 data, 3 unified, 0 end), level in EAX[7:5], and ways × partitions × line
// size × sets from EBX and ECX.
void from_cpuid(std::size_t (&size)[4]) {
  unsigned r[4];
  cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  const bool amd = r[1] == 0x68747541u;  // "Auth"
  unsigned leaf = 0;
  if (amd) {
    cpuid(0x80000000u, 0, r);
    const unsigned max_ext = r[0];
    if (max_ext >= 0x8000001Du) {
      cpuid(0x80000001u, 0, r);
      if ((r[2] >> 22) & 1) leaf = 0x8000001Du;  // topology extensions
    }
  } else if (max_leaf >= 4) {
    leaf = 4;
  }
  if (leaf == 0) return;
  for (unsigned sub = 0; sub < 16; ++sub) {
    cpuid(leaf, sub, r);
    const unsigned type = r[0] & 0x1f;
    if (type == 0) break;
    if (type != 1 && type != 3) continue;  // instruction caches
    const unsigned level = (r[0] >> 5) & 0x7;
    if (level < 1 || level > 3) continue;
    const std::size_t ways = ((r[1] >> 22) & 0x3ff) + 1;
    const std::size_t parts = ((r[1] >> 12) & 0x3ff) + 1;
    const std::size_t line = (r[1] & 0xfff) + 1;
    const std::size_t sets = std::size_t(r[2]) + 1;
    size[level] = ways * parts * line * sets;
  }
}
#endif

void from_os(std::size_t (&size)[4]) {
#if defined(__linux__) && defined(_SC_LEVEL1_DCACHE_SIZE)
  const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (size[1] == 0 && l1 > 0) size[1] = static_cast<std::size_t>(l1);
  if (size[2] == 0 && l2 > 0) size[2] = static_cast<std::size_t>(l2);
  if (size[3] == 0 && l3 > 0) size[3] = static_cast<std::size_t>(l3);
#elif defined(__APPLE__)
  const char* names[4] = {nullptr, "hw.l1dcachesize", "hw.l2cachesize", "hw.l3cachesize"};
  for (int level = 1; level <= 3; ++level) {
    long long v = 0;
    std::size_t len = sizeof(v);
    if (size[level] == 0 && sysctlbyname(names[level], &v, &len, nullptr, 0) == 0 && v > 0) {
      size[level] = static_cast<std::size_t>(v);
    }
  }
#else
  (void)size;
#endif
}

// "65536", "48K", "2M" → bytes; 0 for anything else.
std::size_t parse_bytes(const char* s) {
  if (s == nullptr || *s == '\0') return 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s) return 0;
  std::size_t scale = 1;
  if (*end == 'k' || *end == 'K') scale = 1024, ++end;
  else if (*end == 'm' || *end == 'M') scale = std::size_t(1) << 20, ++end;
  if (*end != '\0' || v == 0 || v > (1ull << 40)) return 0;
  return static_cast<std::size_t>(v) * scale;
}

CacheSizes detect_caches() {
  std::size_t size[4] = {0, 0, 0, 0};
#if DENDRITE_X86
  from_cpuid(size);
#endif
  from_os(size);
  const bool detected = size[1] != 0 || size[2] != 0 || size[3] != 0;
  const char* env[4] = {nullptr, "DENDRITE_L1_CACHE", "DENDRITE_L2_CACHE", "DENDRITE_L3_CACHE"};
  for (int level = 1; level <= 3; ++level) {
    const std::size_t v = parse_bytes(std::getenv(env[level]));
    if (v != 0) size[level] = v;
  }
  CacheSizes c;
  c.l1d = size[1] != 0 ? size[1] : kDefaultL1;
  c.l2 = size[2] != 0 ? size[2] : kDefaultL2;
  c.l3 = size[3] != 0 ? size[3] : kDefaultL3;
  c.detected = detected;
  return c;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes c = detect_caches();
  return c;
}

}  // namespace runtime
}  // namespace dendrite
