// Entry points of the optimiser family (argument checks, then the kernel):
//   optimizerStep(rule, params, grads, state, hyper)
//     rule: code of OPTIMIZER_RULES; params, grads: arrays of Float32Array (same count, same
//     length per parameter); state: slot-major, state[s][i] is slot s of parameter i, with the
//     rule's slot count (dendrite/optim.h); hyper: Float64Array in OptimHyperIndex order.
//     No parameter or state array may overlap any other array of the call (grads may share
//     memory with each other: they are only read).
//   sumOfSquares(arrays) → Σ x² (double)
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "dendrite/optim.h"
#include "families.h"

namespace dendrite {
namespace binding {
namespace {

std::string indexed(const char* name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

std::string state_name(std::size_t slot, std::size_t i) {
  return indexed("state", slot) + "[" + std::to_string(i) + "]";
}

OptimHyper hyper_arg(const Napi::CallbackInfo& info, std::size_t i, const char* op) {
  Napi::Env env = info.Env();
  Napi::Float64Array a =
      typed_array_value(env, info[i], op, "hyper", napi_float64_array, "Float64Array")
          .As<Napi::Float64Array>();
  if (a.ElementLength() != kHyperCount) {
    throw_range(env, op,
                "hyper has " + std::to_string(a.ElementLength()) + " entries, expected " +
                    std::to_string(kHyperCount));
  }
  static const char* const kNames[kHyperCount] = {
      "lr",        "beta1",    "beta2",   "eps",      "momentum", "dampening", "rho",      "weightDecay",
      "decoupled", "nesterov", "amsgrad", "centered", "step",     "gradScale", "clipValue"};
  double h[kHyperCount];
  for (int k = 0; k < kHyperCount; ++k) {
    h[k] = a[k];
    const bool ok = k == kHyperClipValue ? (h[k] >= 0) : std::isfinite(h[k]);
    if (!ok) {
      throw_range(env, op,
                  std::string("hyper.") + kNames[k] +
                      (k == kHyperClipValue ? " must be >= 0 (Infinity: no clipping), got "
                                            : " must be finite, got ") +
                      std::to_string(h[k]));
    }
  }
  for (int k : {kHyperDecoupled, kHyperNesterov, kHyperAmsgrad, kHyperCentered}) {
    if (h[k] != 0.0 && h[k] != 1.0) {
      throw_range(env, op, std::string("hyper.") + kNames[k] + " must be 0 or 1, got " +
                               std::to_string(h[k]));
    }
  }
  if (h[kHyperStep] < 1.0 || h[kHyperStep] != std::floor(h[kHyperStep])) {
    throw_range(env, op, "hyper.step must be an integer >= 1, got " + std::to_string(h[kHyperStep]));
  }
  OptimHyper out;
  out.lr = h[kHyperLr];
  out.beta1 = h[kHyperBeta1];
  out.beta2 = h[kHyperBeta2];
  out.eps = h[kHyperEps];
  out.momentum = h[kHyperMomentum];
  out.dampening = h[kHyperDampening];
  out.rho = h[kHyperRho];
  out.weight_decay = h[kHyperWeightDecay];
  out.decoupled = h[kHyperDecoupled] != 0.0;
  out.nesterov = h[kHyperNesterov] != 0.0;
  out.amsgrad = h[kHyperAmsgrad] != 0.0;
  out.centered = h[kHyperCentered] != 0.0;
  out.step = h[kHyperStep];
  out.grad_scale = h[kHyperGradScale];
  out.clip_value = h[kHyperClipValue];
  return out;
}

// A byte range of one array of the call, for the overlap check.
struct Span {
  const char* begin;
  const char* end;
  bool written;
  int kind;  // 0 params, 1 grads, 2 state
  std::size_t slot, index;
};

std::string span_name(const Span& s) {
  if (s.kind == 0) return indexed("params", s.index);
  if (s.kind == 1) return indexed("grads", s.index);
  return state_name(s.slot, s.index);
}

// Throws if an array that is written overlaps any other array: sorted by start, an array
// overlaps an earlier one exactly when it starts before the largest end seen so far.
void require_disjoint_spans(Napi::Env env, const char* op, std::vector<Span>& spans) {
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  const Span* far_any = nullptr;      // the earlier span reaching furthest
  const Span* far_written = nullptr;  // likewise among written spans
  for (const Span& s : spans) {
    const Span* hit = nullptr;
    if (s.written && far_any && s.begin < far_any->end) hit = far_any;
    if (!hit && far_written && s.begin < far_written->end) hit = far_written;
    if (hit) {
      throw_range(env, op,
                  span_name(*hit) + " and " + span_name(s) +
                      " share memory: parameters and state must not overlap any other array");
    }
    if (!far_any || s.end > far_any->end) far_any = &s;
    if (s.written && (!far_written || s.end > far_written->end)) far_written = &s;
  }
}

Napi::Value OptimizerStep(const Napi::CallbackInfo& info) {
  const char* op = "optimizerStep";
  Napi::Env env = info.Env();
  require_args(info, 5, op);
  const OptimRule rule = static_cast<OptimRule>(enum_arg(info, 0, op, "rule", kOptimRuleCount));
  Napi::Array params_js = array_arg(info, 1, op, "params");
  Napi::Array grads_js = array_arg(info, 2, op, "grads");
  Napi::Array state_js = array_arg(info, 3, op, "state");
  const OptimHyper hyper = hyper_arg(info, 4, op);

  const std::size_t count = params_js.Length();
  if (grads_js.Length() != count) {
    throw_range(env, op,
                std::to_string(count) + " params but " + std::to_string(grads_js.Length()) +
                    " grads: counts must be equal");
  }
  const std::size_t slots = static_cast<std::size_t>(optim_state_slots(rule, hyper));
  if (state_js.Length() != slots) {
    throw_range(env, op,
                "state has " + std::to_string(state_js.Length()) + " slots, this rule and its " +
                    "options need " + std::to_string(slots));
  }
  std::vector<Napi::Array> slot_arrays;
  for (std::size_t s = 0; s < slots; ++s) {
    Napi::Value v = state_js.Get(static_cast<uint32_t>(s));
    if (!v.IsArray()) throw_type(env, op, indexed("state", s) + " must be an array");
    Napi::Array a = v.As<Napi::Array>();
    if (a.Length() != count) {
      throw_range(env, op,
                  indexed("state", s) + " has " + std::to_string(a.Length()) + " arrays for " +
                      std::to_string(count) + " params");
    }
    slot_arrays.push_back(a);
  }

  // Every element is fetched before any data pointer is taken: fetching can run JS (a getter on
  // the array) that could detach a buffer whose pointer was already taken.
  std::vector<Napi::Value> values;
  values.reserve(count * (2 + slots));
  for (std::size_t i = 0; i < count; ++i) {
    values.push_back(params_js.Get(static_cast<uint32_t>(i)));
    values.push_back(grads_js.Get(static_cast<uint32_t>(i)));
    for (std::size_t s = 0; s < slots; ++s) values.push_back(slot_arrays[s].Get(static_cast<uint32_t>(i)));
  }
  const std::size_t stride = 2 + slots;

  std::vector<OptimParam> params(count);
  std::vector<Span> spans;
  spans.reserve(count * (2 + slots));
  auto add_span = [&](const F32& a, bool written, int kind, std::size_t slot, std::size_t i) {
    if (a.length == 0) return;
    const char* b = reinterpret_cast<const char*>(a.data);
    spans.push_back({b, b + a.length * sizeof(float), written, kind, slot, i});
  };
  for (std::size_t i = 0; i < count; ++i) {
    const Napi::Value* v = &values[i * stride];
    F32 p = f32_value(env, v[0], op, indexed("params", i));
    F32 g = f32_value(env, v[1], op, indexed("grads", i));
    if (g.length != p.length) {
      throw_range(env, op,
                  indexed("grads", i) + " has " + std::to_string(g.length) + " elements, " +
                      indexed("params", i) + " has " + std::to_string(p.length));
    }
    OptimParam& q = params[i];
    q.param = p.data;
    q.grad = g.data;
    q.length = p.length;
    add_span(p, true, 0, 0, i);
    add_span(g, false, 1, 0, i);
    for (std::size_t s = 0; s < slots; ++s) {
      const std::string name = state_name(s, i);
      F32 st = f32_value(env, v[2 + s], op, name);
      if (st.length != p.length) {
        throw_range(env, op,
                    name + " has " + std::to_string(st.length) + " elements, " +
                        indexed("params", i) + " has " + std::to_string(p.length));
      }
      q.state[s] = st.data;
      add_span(st, true, 2, s, i);
    }
  }
  require_disjoint_spans(env, op, spans);
  optimizer_step(rule, hyper, params.data(), count);
  return env.Undefined();
}

Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  const char* op = "sumOfSquares";
  Napi::Env env = info.Env();
  require_args(info, 1, op);
  Napi::Array arrays_js = array_arg(info, 0, op, "arrays");
  const std::size_t count = arrays_js.Length();
  // Fetched first, as in optimizerStep: no JS runs once data pointers are taken.
  std::vector<Napi::Value> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = arrays_js.Get(static_cast<uint32_t>(i));
  std::vector<const float*> data(count);
  std::vector<std::size_t> lengths(count);
  for (std::size_t i = 0; i < count; ++i) {
    F32 a = f32_value(env, values[i], op, indexed("arrays", i));
    data[i] = a.data;
    lengths[i] = a.length;
  }
  return Napi::Number::New(env, sum_of_squares(data.data(), lengths.data(), count));
}

}  // namespace

void init_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("optimizerStep", Napi::Function::New(env, OptimizerStep, "optimizerStep"));
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares, "sumOfSquares"));
}

}  // namespace binding
}  // namespace dendrite
