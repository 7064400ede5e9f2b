// Native kernel test, built by CMake and run under AddressSanitizer/UBSan (test/build/
// sanitizer.test.ts): every buffer is allocated to its exact size, so an edge tile that reads or
// writes one float too far is reported. Results are checked against naive loops in double.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "dendrite/activation.h"
#include "dendrite/copy.h"
#include "dendrite/elementwise.h"
#include "dendrite/gemm.h"
#include "dendrite/runtime.h"

namespace {

int failures = 0;

#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      ++failures;                                 \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);          \
      std::fprintf(stderr, "\n");                 \
    }                                             \
  } while (0)

// Exactly n floats on the heap (n == 0 gives a null pointer), so ASan sees any overrun.
struct Buf {
  explicit Buf(std::size_t n) : n(n), p(n ? new float[n] : nullptr) {}
  std::size_t n;
  std::unique_ptr<float[]> p;
  float* data() { return p.get(); }
};

std::mt19937 rng(12345);
void fill(Buf& b, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> d(lo, hi);
  for (std::size_t i = 0; i < b.n; ++i) b.p[i] = d(rng);
}

void test_gemm(dendrite::Isa isa) {
  const std::size_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 64, 65, 127, 257};
  std::uniform_int_distribution<int> pick(0, sizeof(sizes) / sizeof(sizes[0]) - 1);
  for (int trial = 0; trial < 120; ++trial) {
    std::size_t m = sizes[pick(rng)], n = sizes[pick(rng)], k = sizes[pick(rng)];
    if (trial % 10 == 0) k = 300 + trial;  // crosses a KC block
    bool ta = trial & 1, tb = trial & 2;
    float alpha = (trial % 3 == 0) ? -0.5f : 1.0f, beta = (trial % 4 == 0) ? 0.5f : 0.0f;
    Buf a(m * k), b(k * n), c(m * n);
    fill(a); fill(b); fill(c);
    std::vector<double> want(m * n);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double s = 0;
        for (std::size_t p = 0; p < k; ++p) {
          double av = ta ? a.p[p * m + i] : a.p[i * k + p];
          double bv = tb ? b.p[j * k + p] : b.p[p * n + j];
          s += av * bv;
        }
        want[i * n + j] = alpha * s + (beta != 0 ? beta * c.p[i * n + j] : 0.0);
      }
    dendrite::sgemm(ta, tb, m, n, k, alpha, a.data(), ta ? m : k, b.data(), tb ? k : n, beta,
                    c.data(), n);
    for (std::size_t i = 0; i < m * n; ++i) {
      double tol = 1e-5 * (k + 1) + 1e-5 * std::fabs(want[i]);
      if (std::fabs(c.p[i] - want[i]) > tol) {
        CHECK(false, "sgemm[%s] m=%zu n=%zu k=%zu ta=%d tb=%d at %zu: %g vs %g",
              dendrite::isa_name(isa), m, n, k, ta, tb, i, c.p[i], want[i]);
        break;
      }
    }
  }
  // Fused bias + relu on an odd shape.
  std::size_t m = 13, n = 19, k = 29;
  Buf a(m * k), b(k * n), bias(n), c(m * n);
  fill(a); fill(b); fill(bias);
  dendrite::sgemm_bias_act(false, false, m, n, k, a.data(), b.data(), bias.data(),
                           dendrite::Activation::Relu, 0, c.data());
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = bias.p[j];
      for (std::size_t p = 0; p < k; ++p) s += double(a.p[i * k + p]) * b.p[p * n + j];
      s = s > 0 ? s : 0;
      CHECK(std::fabs(c.p[i * n + j] - s) < 1e-4, "sgemm_bias_act[%s] (%zu,%zu): %g vs %g",
            dendrite::isa_name(isa), i, j, c.p[i * n + j], s);
    }
}

// f(x) and f'(x) in double, straight from the definitions in activation.h.
void activation_ref(dendrite::Activation act, double x, double alpha, double* f, double* df) {
  const double lambda = 1.0507009873554805, selu_alpha = 1.6732632423543772;
  const double sig = 1 / (1 + std::exp(-x));
  const double c = std::sqrt(2 / M_PI);
  switch (act) {
    case dendrite::Activation::Identity: *f = x; *df = 1; break;
    case dendrite::Activation::Relu: *f = x > 0 ? x : 0; *df = x > 0 ? 1 : 0; break;
    case dendrite::Activation::LeakyRelu: *f = x > 0 ? x : alpha * x; *df = x > 0 ? 1 : alpha; break;
    case dendrite::Activation::Elu:
      *f = x > 0 ? x : alpha * std::expm1(x); *df = x > 0 ? 1 : alpha * std::exp(x); break;
    case dendrite::Activation::Selu:
      *f = lambda * (x > 0 ? x : selu_alpha * std::expm1(x));
      *df = lambda * (x > 0 ? 1 : selu_alpha * std::exp(x)); break;
    case dendrite::Activation::Sigmoid: *f = sig; *df = sig * (1 - sig); break;
    case dendrite::Activation::HardSigmoid:
      *f = std::min(1.0, std::max(0.0, x / 6 + 0.5)); *df = (x > -3 && x < 3) ? 1.0 / 6 : 0; break;
    case dendrite::Activation::Tanh: *f = std::tanh(x); *df = 1 - *f * *f; break;
    case dendrite::Activation::Softplus:
      *f = std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); *df = sig; break;
    case dendrite::Activation::Softsign:
      *f = x / (1 + std::fabs(x)); *df = 1 / ((1 + std::fabs(x)) * (1 + std::fabs(x))); break;
    case dendrite::Activation::Silu: *f = x * sig; *df = sig + x * sig * (1 - sig); break;
    case dendrite::Activation::GeluTanh: {
      const double u = c * (x + 0.044715 * x * x * x), t = std::tanh(u);
      *f = 0.5 * x * (1 + t);
      *df = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
      break;
    }
    case dendrite::Activation::GeluErf:
      *f = 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
      *df = 0.5 * (1 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-x * x / 2) / std::sqrt(2 * M_PI);
      break;
  }
}

void test_activations(dendrite::Isa isa) {
  for (std::size_t n : {0, 1, 3, 7, 15, 16, 17, 31, 33, 100, 1023}) {
    Buf x(n), y(n), dy(n), dx(n);
    fill(x, -6, 6); fill(dy);
    // Keep away from the kinks (0, ±3) where one-sided derivatives differ.
    for (std::size_t i = 0; i < n; ++i) {
      if (std::fabs(x.p[i]) < 1e-3f) x.p[i] = 0.5f;
      if (std::fabs(std::fabs(x.p[i]) - 3) < 1e-3f) x.p[i] = 2.5f;
    }
    for (int a = 0; a < dendrite::kActivationCount; ++a) {
      auto act = static_cast<dendrite::Activation>(a);
      const float alpha = 0.1f;
      dendrite::activation_forward(act, x.data(), y.data(), n, alpha);
      dendrite::activation_backward(act, x.data(), y.data(), dy.data(), dx.data(), n, alpha);
      for (std::size_t i = 0; i < n; ++i) {
        double f, df;
        activation_ref(act, x.p[i], alpha, &f, &df);
        const double gx = df * dy.p[i];
        if (std::fabs(y.p[i] - f) > 1e-5 + 1e-5 * std::fabs(f) ||
            std::fabs(dx.p[i] - gx) > 1e-5 + 1e-4 * std::fabs(gx)) {
          CHECK(false, "activation %d[%s] n=%zu at x=%g: f %g vs %g, dx %g vs %g", a,
                dendrite::isa_name(isa), n, x.p[i], y.p[i], f, dx.p[i], gx);
          break;
        }
      }
    }
    if (n) {
      for (std::size_t cols : {std::size_t(1), std::size_t(7), n}) {
        if (n % cols) continue;
        std::size_t rows = n / cols;
        dendrite::softmax_rows(x.data(), y.data(), rows, cols, false);
        for (std::size_t r = 0; r < rows; ++r) {
          double mx = -INFINITY, s = 0;
          for (std::size_t j = 0; j < cols; ++j) mx = std::max(mx, double(x.p[r * cols + j]));
          for (std::size_t j = 0; j < cols; ++j) s += std::exp(x.p[r * cols + j] - mx);
          for (std::size_t j = 0; j < cols; ++j) {
            double want = std::exp(x.p[r * cols + j] - mx) / s;
            CHECK(std::fabs(y.p[r * cols + j] - want) < 1e-6 + 1e-5 * want,
                  "softmax[%s] (%zu,%zu): %g vs %g", dendrite::isa_name(isa), r, j,
                  y.p[r * cols + j], want);
          }
        }
        dendrite::softmax_rows_backward(y.data(), dy.data(), dx.data(), rows, cols, false);
        for (std::size_t r = 0; r < rows; ++r) {
          double dot = 0;
          for (std::size_t j = 0; j < cols; ++j) dot += double(dy.p[r * cols + j]) * y.p[r * cols + j];
          for (std::size_t j = 0; j < cols; ++j) {
            double want = y.p[r * cols + j] * (dy.p[r * cols + j] - dot);
            CHECK(std::fabs(dx.p[r * cols + j] - want) < 1e-5, "softmax backward[%s]",
                  dendrite::isa_name(isa));
          }
        }
        dendrite::softmax_rows(x.data(), y.data(), rows, cols, true);
        dendrite::softmax_rows_backward(y.data(), dy.data(), dx.data(), rows, cols, true);
      }
    }
  }
}

void test_elementwise(dendrite::Isa isa) {
  // [r, c] op [c] (row broadcast) and [r, 1] (column broadcast), odd sizes.
  for (std::size_t r : {1, 3, 17}) {
    for (std::size_t c : {1, 7, 16, 33}) {
      Buf a(r * c), row(c), col(r), out(r * c);
      fill(a); fill(row, 0.5, 2); fill(col, 0.5, 2);
      std::size_t shape[2] = {r, c}, sa[2] = {c, 1}, srow[2] = {0, 1}, scol[2] = {1, 0};
      for (int op = 0; op < dendrite::kBinaryOpCount; ++op) {
        dendrite::binary_strided(static_cast<dendrite::BinaryOp>(op), 2, shape, a.data(), sa,
                                 row.data(), srow, out.data());
        dendrite::binary_strided(static_cast<dendrite::BinaryOp>(op), 2, shape, a.data(), sa,
                                 col.data(), scol, out.data());
      }
      dendrite::binary_strided(dendrite::BinaryOp::Add, 2, shape, a.data(), sa, row.data(), srow,
                               out.data());
      for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < c; ++j)
          CHECK(std::fabs(out.p[i * c + j] - (a.p[i * c + j] + row.p[j])) < 1e-6,
                "add row broadcast[%s] (%zu,%zu)", dendrite::isa_name(isa), i, j);
      for (int op = 0; op < dendrite::kUnaryOpCount; ++op) {
        dendrite::unary(static_cast<dendrite::UnaryOp>(op), a.data(), out.data(), r * c, -0.5f, 0.5f);
        for (std::size_t i = 0; i < r * c; ++i) {
          const double v = a.p[i];
          double want = 0;
          switch (static_cast<dendrite::UnaryOp>(op)) {
            case dendrite::UnaryOp::Neg: want = -v; break;
            case dendrite::UnaryOp::Abs: want = std::fabs(v); break;
            case dendrite::UnaryOp::Exp: want = std::exp(v); break;
            case dendrite::UnaryOp::Log: want = std::log(v); break;
            case dendrite::UnaryOp::Sqrt: want = std::sqrt(v); break;
            case dendrite::UnaryOp::Square: want = v * v; break;
            case dendrite::UnaryOp::Reciprocal: want = 1 / v; break;
            case dendrite::UnaryOp::Clamp: want = std::min(0.5, std::max(-0.5, v)); break;
          }
          const bool ok = std::isnan(want) ? std::isnan(out.p[i])
                                           : std::fabs(out.p[i] - want) <= 1e-6 * (1 + std::fabs(want));
          if (!ok) {
            CHECK(false, "unary %d[%s] at %g: %g vs %g", op, dendrite::isa_name(isa), v, out.p[i], want);
            break;
          }
        }
      }
      Buf red(c), redr(r);
      std::vector<std::int32_t> idx(c > r ? c : r);
      for (int op = 0; op < dendrite::kReduceOpCount; ++op) {
        dendrite::reduce_axis(static_cast<dendrite::ReduceOp>(op), a.data(), 1, r, c, red.data(), 0);
        dendrite::reduce_axis(static_cast<dendrite::ReduceOp>(op), a.data(), r, c, 1, redr.data(), 0);
      }
      dendrite::reduce_axis(dendrite::ReduceOp::Sum, a.data(), r, c, 1, redr.data(), 0);
      for (std::size_t i = 0; i < r; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < c; ++j) s += a.p[i * c + j];
        CHECK(std::fabs(redr.p[i] - s) < 1e-5, "sum rows[%s] %zu: %g vs %g", dendrite::isa_name(isa), i, redr.p[i], s);
      }
      dendrite::arg_reduce_axis(true, a.data(), 1, r, c, idx.data());
      dendrite::arg_reduce_axis(false, a.data(), r, c, 1, idx.data());
    }
  }
}

void test_copy(dendrite::Isa isa) {
  // Transposes of odd shapes (edge tiles) and a 3-D permute, against index arithmetic.
  for (std::size_t r : {1, 3, 15, 16, 17, 33, 257}) {
    for (std::size_t c : {1, 5, 16, 31, 40}) {
      Buf x(r * c), out(r * c);
      fill(x);
      std::size_t shape[2] = {c, r}, strides[2] = {1, c};
      dendrite::copy_strided(2, shape, x.data(), strides, out.data());
      for (std::size_t j = 0; j < c; ++j)
        for (std::size_t i = 0; i < r; ++i)
          if (out.p[j * r + i] != x.p[i * c + j]) {
            CHECK(false, "transpose[%s] %zux%zu at (%zu,%zu)", dendrite::isa_name(isa), r, c, i, j);
            return;
          }
    }
  }
  const std::size_t a = 5, b = 17, c = 19;
  Buf x(a * b * c), out(a * b * c);
  fill(x);
  std::size_t shape[3] = {c, a, b}, strides[3] = {1, b * c, c};  // [a,b,c] -> [c,a,b]
  dendrite::copy_strided(3, shape, x.data(), strides, out.data());
  for (std::size_t k = 0; k < c; ++k)
    for (std::size_t i = 0; i < a; ++i)
      for (std::size_t j = 0; j < b; ++j)
        CHECK(out.p[(k * a + i) * b + j] == x.p[(i * b + j) * c + k], "permute[%s]", dendrite::isa_name(isa));
}

}  // namespace

int main() {
  for (int i = 0; i <= static_cast<int>(dendrite::Isa::Avx512); ++i) {
    auto isa = static_cast<dendrite::Isa>(i);
    if (!dendrite::runtime::isa_supported(isa)) continue;
    dendrite::runtime::set_isa(isa);
    for (int threads : {1, 2}) {
      dendrite::runtime::set_num_threads(threads);
      test_gemm(isa);
      test_activations(isa);
      test_elementwise(isa);
      test_copy(isa);
    }
    std::printf("%s: checked\n", dendrite::isa_name(isa));
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("all native kernel checks passed\n");
  return 0;
}
