// The copy entry points of dendrite/copy.h: shape collapsing, the choice of a loop (row copies,
// fills, gathers, blocked transposes), the split over threads, and dispatch to the active ISA's
// transpose panel.
#include <cstddef>

#include "copy_kernels.h"
#include "dendrite/copy.h"
#include "../collapse_dims.h"
#include "dendrite/runtime.h"

namespace dendrite {
namespace {

struct Kernels {
  copy::TransposeFn transpose;
  copy::RowFn row;
};

const Kernels kScalar = {scalar::copy_transpose, scalar::copy_row};
#if defined(__x86_64__) || defined(_M_X64)
const Kernels kAvx2 = {avx2::copy_transpose, avx2::copy_row};
const Kernels kAvx512 = {avx512::copy_transpose, avx512::copy_row};
#endif

const Kernels& kernels() {
  switch (runtime::active_isa()) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: return kAvx512;
    case Isa::Avx2: return kAvx2;
#endif
    default: return kScalar;  // arm64 included: a plain blocked loop and memcpy
  }
}

// A chunk of work below this many elements stays on one thread (so copies of ~128K elements and
// more are split over two threads).
constexpr std::size_t kMinChunk = 65536;
// Rows of a transpose panel handed out as one unit of work. Each source row is visited once per
// band, reading kBand contiguous floats, and the band's output rows stay within the TLB's reach
// while the panel sweeps its columns.
constexpr std::size_t kBand = 256;

// x's strides in s0, out's in s1.
using Layout = StridedDims;
static_assert(kCopyMaxRank <= kStridedMaxRank, "collapse_dims holds every rank copy takes");

// Rows shorter than this copy in a plain loop: a call costs more than the copy.
constexpr std::size_t kShortRow = 16;

// out[j·os] = x[j·xs] for j < n.
inline void copy_run(const Kernels& k, const float* x, std::size_t xs, float* out, std::size_t os,
                     std::size_t n) {
  if (os == 1) {
    if (xs == 1) {
      if (n >= kShortRow) {
        k.row(x, out, n);
      } else {
        for (std::size_t j = 0; j < n; ++j) out[j] = x[j];
      }
    } else if (xs == 0) {
      const float v = *x;
      for (std::size_t j = 0; j < n; ++j) out[j] = v;
    } else {
      for (std::size_t j = 0; j < n; ++j) out[j] = x[j * xs];
    }
  } else {
    for (std::size_t j = 0; j < n; ++j) out[j * os] = x[j * xs];
  }
}

// An odometer over a subset of the layout's dimensions, tracking both offsets.
struct Odometer {
  std::size_t count = 0;
  std::size_t which[kCopyMaxRank];  // layout dimensions, outermost first
  std::size_t idx[kCopyMaxRank];
  std::size_t ox = 0, oo = 0;

  // Positions the odometer at flat index `at` (mixed radix over `which`).
  void seek(const Layout& c, std::size_t at) {
    ox = oo = 0;
    for (std::size_t k = count; k-- > 0;) {
      const std::size_t d = which[k];
      idx[k] = at % c.dims[d];
      at /= c.dims[d];
      ox += idx[k] * c.s0[d];
      oo += idx[k] * c.s1[d];
    }
  }

  void next(const Layout& c) {
    for (std::size_t k = count; k-- > 0;) {
      const std::size_t d = which[k];
      ox += c.s0[d];
      oo += c.s1[d];
      if (++idx[k] < c.dims[d]) return;
      ox -= c.s0[d] * c.dims[d];
      oo -= c.s1[d] * c.dims[d];
      idx[k] = 0;
    }
  }
};

// Each unit of work moves `per_unit` elements: enough units per chunk to fill kMinChunk.
std::size_t min_units(std::size_t per_unit) {
  if (per_unit == 0) return 1;
  const std::size_t m = kMinChunk / per_unit;
  return m == 0 ? 1 : m;
}

void copy_layout(const Layout& c, const float* x, float* out) {
  if (c.rank == 0) {
    *out = *x;
    return;
  }
  const Kernels& k = kernels();
  const std::size_t last = c.rank - 1;
  const std::size_t n = c.dims[last];
  const std::size_t xs = c.s0[last], os = c.s1[last];

  // A stride-1 input dimension other than the last, with a dense output row: transpose panels
  // of [dims[p], n], blocked so both sides move whole cache lines.
  std::size_t p = c.rank;
  if (os == 1 && xs > 1) {
    for (std::size_t d = last; d-- > 0;) {
      if (c.s0[d] == 1) {
        p = d;
        break;
      }
    }
  }
  if (p < c.rank) {
    Odometer od;
    for (std::size_t d = 0; d < last; ++d) {
      if (d != p) od.which[od.count++] = d;
    }
    std::size_t outer = 1;
    for (std::size_t k = 0; k < od.count; ++k) outer *= c.dims[od.which[k]];
    const std::size_t rows = c.dims[p];
    const std::size_t ldo = c.s1[p];
    const std::size_t bands = (rows + kBand - 1) / kBand;
    const std::size_t band_rows = rows < kBand ? rows : kBand;
    const copy::TransposeFn fn = k.transpose;
    runtime::parallel_range(outer * bands, min_units(band_rows * n),
                            [&](std::size_t lo, std::size_t hi) {
      Odometer o = od;
      o.seek(c, lo / bands);
      std::size_t b = lo % bands;
      for (std::size_t u = lo; u < hi; ++u) {
        const std::size_t i0 = b * kBand;
        const std::size_t m = rows - i0 < kBand ? rows - i0 : kBand;
        fn(x + o.ox + i0, xs, out + o.oo + i0 * ldo, ldo, m, n);
        if (++b == bands) {
          b = 0;
          o.next(c);
        }
      }
    });
    return;
  }

  if (c.rank == 1) {
    // One run: split it over threads.
    runtime::parallel_range(n, kMinChunk, [&](std::size_t lo, std::size_t hi) {
      copy_run(k, x + lo * xs, xs, out + lo * os, os, hi - lo);
    });
    return;
  }
  if (c.rank == 2) {
    // Rows without an odometer: the common case, and the one with the shortest rows.
    const std::size_t xr = c.s0[0], orow = c.s1[0];
    runtime::parallel_range(c.dims[0], min_units(n), [&](std::size_t lo, std::size_t hi) {
      for (std::size_t row = lo; row < hi; ++row) copy_run(k, x + row * xr, xs, out + row * orow, os, n);
    });
    return;
  }
  Odometer od;
  for (std::size_t d = 0; d < last; ++d) od.which[od.count++] = d;
  std::size_t rows = 1;
  for (std::size_t d = 0; d < last; ++d) rows *= c.dims[d];
  runtime::parallel_range(rows, min_units(n), [&](std::size_t lo, std::size_t hi) {
    Odometer o = od;
    o.seek(c, lo);
    for (std::size_t row = lo; row < hi; ++row) {
      copy_run(k, x + o.ox, xs, out + o.oo, os, n);
      o.next(c);
    }
  });
}

}  // namespace

void copy_strided_to(std::size_t rank, const std::size_t* shape, const float* x,
                     const std::size_t* x_strides, float* out, const std::size_t* out_strides) {
  if (rank > kCopyMaxRank) return;
  for (std::size_t d = 0; d < rank; ++d) {
    if (shape[d] == 0) return;
  }
  copy_layout(collapse_dims(rank, shape, x_strides, out_strides), x, out);
}

void copy_strided(std::size_t rank, const std::size_t* shape, const float* x,
                  const std::size_t* strides, float* out) {
  if (rank > kCopyMaxRank) return;
  std::size_t dense[kCopyMaxRank];
  std::size_t step = 1;
  for (std::size_t d = rank; d-- > 0;) {
    dense[d] = step;
    step *= shape[d];
  }
  copy_strided_to(rank, shape, x, strides, out, dense);
}

}  // namespace dendrite
