/**
 * Reference convolution and pooling (NHWC): direct loops, float64 accumulation. These are the
 * ground truth the native kernels are tested against, so they favour plainness over speed.
 * A pooling window that covers no input position at all (possible only with padding at least
 * as large as the window) yields 0 and, for max, argmax −1 (backward skips it).
 */
import type { ActivationName, Conv2dGeometry, Pool2dGeometry } from '../backend.js';
import { activation } from './activation.js';

/**
 * Calls `tap(yBase, xBase, wBase)` for every output pixel and each kernel tap of it that lands
 * inside the input (taps on padding are skipped), in a fixed order: yBase offsets the pixel's outC
 * outputs, xBase the tapped input pixel's inC values, wBase the tap's [inC, outC] weight block.
 */
function forEachTap(g: Conv2dGeometry, tap: (yBase: number, xBase: number, wBase: number) => void): void {
  const { batch, inH, inW, inC, outC, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = g;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const yBase = ((n * outH + oh) * outW + ow) * outC;
        for (let i = 0; i < kH; i++) {
          const ih = oh * strideH - padTop + i * dilationH;
          if (ih < 0 || ih >= inH) continue;
          for (let j = 0; j < kW; j++) {
            const iw = ow * strideW - padLeft + j * dilationW;
            if (iw < 0 || iw >= inW) continue;
            tap(yBase, ((n * inH + ih) * inW + iw) * inC, (i * kW + j) * inC * outC);
          }
        }
      }
    }
  }
}

/** y = act(conv2d(x, w) + bias): x [N,H,W,inC], w [kH,kW,inC,outC], y [N,outH,outW,outC]. */
export function conv2d(
  g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
  act: ActivationName = 'identity', actAlpha = 0,
): void {
  const { batch, inC, outC, outH, outW } = g;
  const acc = new Float64Array(batch * outH * outW * outC);
  if (bias !== null) for (let k = 0; k < acc.length; k++) acc[k] = bias[k % outC]!;
  forEachTap(g, (yBase, xBase, wBase) => {
    for (let ci = 0; ci < inC; ci++) {
      const xv = x[xBase + ci]!;
      const wRow = wBase + ci * outC;
      for (let co = 0; co < outC; co++) acc[yBase + co]! += xv * w[wRow + co]!;
    }
  });
  for (let k = 0; k < acc.length; k++) y[k] = acc[k]!;
  if (act !== 'identity') activation(act, y.subarray(0, acc.length), y.subarray(0, acc.length), actAlpha);
}

/** dx = ∂(Σ dy·conv2d(x, w))/∂x; dx is overwritten. */
export function conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { batch, inH, inW, inC, outC } = g;
  const acc = new Float64Array(batch * inH * inW * inC);
  forEachTap(g, (dyBase, xBase, wBase) => {
    for (let ci = 0; ci < inC; ci++) {
      let s = 0;
      const wRow = wBase + ci * outC;
      for (let co = 0; co < outC; co++) s += dy[dyBase + co]! * w[wRow + co]!;
      acc[xBase + ci]! += s;
    }
  });
  for (let k = 0; k < acc.length; k++) dx[k] = acc[k]!;
}

/** dw = beta·dw + ∂/∂w; db (when given) = beta·db + Σ dy over batch and pixels. */
export function conv2dBackwardFilter(
  g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null, beta: number,
): void {
  const { batch, inC, outC, kH, kW, outH, outW } = g;
  const acc = new Float64Array(kH * kW * inC * outC);
  const accB = new Float64Array(outC);
  const nPixels = batch * outH * outW;
  for (let p = 0; p < nPixels; p++) {
    for (let co = 0; co < outC; co++) accB[co]! += dy[p * outC + co]!;
  }
  forEachTap(g, (dyBase, xBase, wBase) => {
    for (let ci = 0; ci < inC; ci++) {
      const xv = x[xBase + ci]!;
      const wRow = wBase + ci * outC;
      for (let co = 0; co < outC; co++) acc[wRow + co]! += xv * dy[dyBase + co]!;
    }
  });
  // beta is 0 or 1; with 0 the old contents are never read (they may be NaN).
  for (let k = 0; k < acc.length; k++) dw[k] = beta === 0 ? acc[k]! : dw[k]! + acc[k]!;
  if (db !== null) {
    for (let co = 0; co < outC; co++) db[co] = beta === 0 ? accB[co]! : db[co]! + accB[co]!;
  }
}

/** Max or average pooling; max records the flat x index of each window's first maximum. */
export function pool2d(kind: 'max' | 'avg', g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array | null): void {
  const { batch, inH, inW, channels: C, kH, kW, strideH, strideW, padTop, padLeft, outH, outW } = g;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const yBase = ((n * outH + oh) * outW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = 0;
          let bestIdx = -1;
          let sum = 0;
          let count = 0;
          for (let i = 0; i < kH; i++) {
            const ih = oh * strideH - padTop + i;
            if (ih < 0 || ih >= inH) continue;
            for (let j = 0; j < kW; j++) {
              const iw = ow * strideW - padLeft + j;
              if (iw < 0 || iw >= inW) continue;
              const idx = ((n * inH + ih) * inW + iw) * C + c;
              const v = x[idx]!;
              count++;
              sum += v;
              // First maximum wins; NaN beats any number, and the first NaN beats later ones.
              if (bestIdx < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                best = v;
                bestIdx = idx;
              }
            }
          }
          if (kind === 'max') {
            y[yBase + c] = bestIdx < 0 ? 0 : best;
            if (argmax !== null) argmax[yBase + c] = bestIdx;
          } else {
            y[yBase + c] = count === 0 ? 0 : sum / count;
          }
        }
      }
    }
  }
}

/** dx (overwritten) from dy: max scatters to argmax (summing overlaps), avg spreads evenly. */
export function pool2dBackward(
  kind: 'max' | 'avg', g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array | null, dx: Float32Array,
): void {
  const { batch, inH, inW, channels: C, kH, kW, strideH, strideW, padTop, padLeft, outH, outW } = g;
  const acc = new Float64Array(batch * inH * inW * C);
  const nOut = batch * outH * outW * C;
  if (kind === 'max') {
    if (argmax === null) throw new TypeError('dendrite.pool2dBackward: max pooling needs argmax');
    for (let o = 0; o < nOut; o++) {
      const idx = argmax[o]!;
      if (idx >= 0) acc[idx]! += dy[o]!;
    }
  } else {
    for (let n = 0; n < batch; n++) {
      for (let oh = 0; oh < outH; oh++) {
        const h0 = Math.max(0, oh * strideH - padTop);
        const h1 = Math.min(inH, oh * strideH - padTop + kH);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = Math.max(0, ow * strideW - padLeft);
          const w1 = Math.min(inW, ow * strideW - padLeft + kW);
          const count = Math.max(0, h1 - h0) * Math.max(0, w1 - w0);
          if (count === 0) continue;
          const yBase = ((n * outH + oh) * outW + ow) * C;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) {
              const xBase = ((n * inH + ih) * inW + iw) * C;
              for (let c = 0; c < C; c++) acc[xBase + c]! += dy[yBase + c]! / count;
            }
          }
        }
      }
    }
  }
  for (let k = 0; k < acc.length; k++) dx[k] = acc[k]!;
}
