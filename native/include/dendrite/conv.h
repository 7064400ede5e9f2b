// 2-D convolution (im2col + packed SGEMM) and pooling over NHWC tensors.
#pragma once
#include <cstddef>

#include "dendrite/activation.h"
#include <cstdint>

namespace dendrite {

// x [batch, in_h, in_w, in_c], kernel w [k_h, k_w, in_c, out_c], y [batch, out_h, out_w, out_c].
// Output pixel (oh, ow) reads input rows oh·stride_h − pad_top + i·dilation_h (i < k_h), likewise
// columns; positions outside the input read as zero. The binding guarantees every field is below
// 2^31 and strides, dilations and kernel sizes are at least 1; any out_h/out_w is then safe
// (every read is bounds-checked), the caller decides which padding they imply.
struct Conv2dGeometry {
  std::size_t batch, in_h, in_w, in_c, out_c, k_h, k_w, stride_h, stride_w, dilation_h,
      dilation_w, pad_top, pad_left, out_h, out_w;
};
constexpr std::size_t kConv2dGeometryFields = 15;

// x [batch, in_h, in_w, channels] pooled into y [batch, out_h, out_w, channels] over k_h×k_w
// windows; padded positions never win a max and are not counted in an average. A window with no
// input position at all gives 0 (and argmax −1).
struct Pool2dGeometry {
  std::size_t batch, in_h, in_w, channels, k_h, k_w, stride_h, stride_w, pad_top, pad_left, out_h,
      out_w;
};
constexpr std::size_t kPool2dGeometryFields = 12;

// The conv entry points return false only when their scratch memory (a few MiB at most) cannot
// be allocated; they have written nothing meaningful then.

// y = act(conv2d(x, w) + bias) (bias: out_c elements or null), the activation applied to each
// chunk of output rows while it is still in cache.
bool conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                    float* y, Activation act = Activation::Identity, float act_alpha = 0.0f);
// dx (overwritten) = gradient of Σ dy·conv2d(x, w) with respect to x.
bool conv2d_backward_input(const Conv2dGeometry& g, const float* dy, const float* w, float* dx);
// dw = beta·dw + gradient with respect to w; db (when not null) = beta·db + Σ dy over pixels.
// beta is 0 (dw, db write-only) or 1.
bool conv2d_backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float* dw,
                            float* db, float beta);

// Max pooling (argmax may be null; otherwise it receives the flat x index of each window's first
// maximum, NaN winning) or average pooling (argmax ignored).
void pool2d_forward(bool is_max, const Pool2dGeometry& g, const float* x, float* y,
                    std::int32_t* argmax);
// dx (overwritten) from dy. Max: dy scattered to argmax (every entry −1 or an index inside its
// own image, which the binding checks); avg: dy spread evenly over each window's counted inputs.
void pool2d_backward(bool is_max, const Pool2dGeometry& g, const float* dy,
                     const std::int32_t* argmax, float* dx);

}  // namespace dendrite
