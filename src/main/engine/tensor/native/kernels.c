/*
 * Provenant's kernels for the tfjs wasm backend, compiled to a small WebAssembly side module that
 * imports the backend's own linear memory (see native-kernels.ts and
 * docs/decisions/native-kernels.md). Every pointer is a byte offset into that memory, so the
 * functions read and write tfjs tensors in place.
 *
 * - data movement that used to be JavaScript loops: max_pool_grad, transpose_last2,
 *   reduce_leading (bit-identical to those loops), tile32;
 * - the convolutions (conv2d, conv2d_backprop_filter, conv2d_backprop_input) as direct register-
 *   tiled loops: no im2col/col2im matrices and no XNNPACK weight packing per call;
 * - per-channel elementwise ops: bcast_binary, batch_norm.
 *
 * Rules that keep the module importable with no runtime support: no libc, no static data (no
 * const tables, no strings), no address-taken locals that survive inlining (so no shadow stack),
 * no function pointers. scripts/build-native-kernels.sh checks the imports and regenerates
 * kernels-wasm.ts; the tests check that the two match.
 *
 * Register tiles are 4 x 8 floats (8 accumulators): with the operands that keeps to x64's 16
 * vector registers, which V8 uses for wasm SIMD; 6 x 8 spilled and ran at 60% of the speed.
 * There is no fused multiply-add in wasm SIMD (relaxed-simd is not on by default in Node 20), so
 * products and sums are rounded separately, as in XNNPACK's wasm kernels.
 */
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t v128;
typedef unsigned int u32;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers: the sizes here are a few to a few hundred elements, too small for memory.fill */
/* or memory.copy to pay off; large blocks use those (bulk-memory) instead.                     */

INLINE void zero_f32(float *d, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, wasm_f32x4_const_splat(0.0f));
  for (; i < n; i++) d[i] = 0.0f;
}

INLINE void copy_u32(u32 *d, const u32 *s, int n) {
  if (n >= 256) {
    __builtin_memcpy(d, s, (unsigned long)n * 4);
    return;
  }
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, wasm_v128_load(s + i));
  for (; i < n; i++) d[i] = s[i];
}

/* Stores the transpose of the 4x4 block whose rows are a, b, c, d into d0..d3 (4 floats each). */
INLINE void store_transposed4(v128 a, v128 b, v128 c, v128 d, float *d0, float *d1, float *d2, float *d3) {
  v128 ab01 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5);
  v128 cd01 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5);
  v128 ab23 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  v128 cd23 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  wasm_v128_store(d0, wasm_i64x2_shuffle(ab01, cd01, 0, 2));
  wasm_v128_store(d1, wasm_i64x2_shuffle(ab01, cd01, 1, 3));
  wasm_v128_store(d2, wasm_i64x2_shuffle(ab23, cd23, 0, 2));
  wasm_v128_store(d3, wasm_i64x2_shuffle(ab23, cd23, 1, 3));
}

/* The range [*lo, *hi) of output positions o with 0 <= o*stride + k - pad < size. */
INLINE void valid_range(int outSize, int stride, int k, int pad, int size, int *lo, int *hi) {
  int first = pad - k;                       /* need o*stride >= first */
  int last = size - 1 + pad - k;             /* need o*stride <= last */
  int l = first <= 0 ? 0 : (first + stride - 1) / stride;
  int h = last < 0 ? 0 : last / stride + 1;
  if (h > outSize) h = outSize;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

/* ------------------------------------------------------------------------------------------ */
/* MaxPoolGrad: dx = 0; for every output pixel and channel, dy is added at the first strict
 * maximum of the (clipped) input window in row-major order, so ties (whole windows of zeros after
 * ReLU) go to the first position, as in tfjs's cpu backend and PyTorch. Four channels at a time:
 * f32x4 compare + bitselect track the maximum and its window position; the scatter then adds dy
 * masked to the lanes whose argmax is each position (adding +0 elsewhere). */
EXPORT void max_pool_grad(const float *x, const float *dy, float *dx, int N, int H, int W, int C, int OH,
                          int OW, int SH, int SW, int FH, int FW, int padTop, int padLeft) {
  const int C4 = C & ~3;
  __builtin_memset(dx, 0, (unsigned long)N * H * W * C * 4);
  const float *g = dy;
  for (int n = 0; n < N; n++) {
    for (int oh = 0; oh < OH; oh++) {
      int fhLo, fhHi;
      valid_range(FH, 1, oh * SH, padTop, H, &fhLo, &fhHi);
      for (int ow = 0; ow < OW; ow++, g += C) {
        int fwLo, fwHi;
        valid_range(FW, 1, ow * SW, padLeft, W, &fwLo, &fwHi);
        if (fhLo >= fhHi || fwLo >= fwHi) continue;
        const int rowStride = W * C;
        const int base = ((n * H + oh * SH + fhLo - padTop) * W + ow * SW + fwLo - padLeft) * C;
        const int fw = fwHi - fwLo;
        int c = 0;
        for (; c < C4; c += 4) {
          const float *xs = x + base + c;
          v128 best = wasm_v128_load(xs);
          v128 at = wasm_i32x4_const_splat(0);
          int k = 0;
          for (int fh = fhLo; fh < fhHi; fh++, xs += rowStride) {
            for (int j = 0; j < fw; j++, k++) {
              v128 v = wasm_v128_load(xs + j * C);
              v128 gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              at = wasm_v128_bitselect(wasm_i32x4_splat(k), at, gt);
            }
          }
          const v128 gv = wasm_v128_load(g + c);
          float *p = dx + base + c;
          k = 0;
          for (int fh = fhLo; fh < fhHi; fh++, p += rowStride) {
            for (int j = 0; j < fw; j++, k++) {
              v128 hit = wasm_i32x4_eq(at, wasm_i32x4_splat(k));
              wasm_v128_store(p + j * C, wasm_f32x4_add(wasm_v128_load(p + j * C), wasm_v128_and(gv, hit)));
            }
          }
        }
        for (; c < C; c++) {
          const float *xs = x + base + c;
          int at = 0;
          float best = xs[0];
          for (int fh = fhLo; fh < fhHi; fh++) {
            for (int j = 0; j < fw; j++) {
              const int off = (fh - fhLo) * rowStride + j * C;
              if (xs[off] > best) {
                best = xs[off];
                at = off;
              }
            }
          }
          dx[base + c + at] += g[c];
        }
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Batched transpose: dst[b] = src[b]^T for src [B,R,C], dst [B,C,R]; 32x32 tiles of 4x4 blocks. */
EXPORT void transpose_last2(const float *src, float *dst, int B, int R, int C) {
  const int T = 32;
  for (int b = 0; b < B; b++) {
    const float *s = src + b * R * C;
    float *d = dst + b * R * C;
    for (int r0 = 0; r0 < R; r0 += T) {
      const int r1 = r0 + T < R ? r0 + T : R;
      for (int c0 = 0; c0 < C; c0 += T) {
        const int c1 = c0 + T < C ? c0 + T : C;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
          int c = c0;
          for (; c + 4 <= c1; c += 4) {
            const float *p = s + r * C + c;
            float *q = d + c * R + r;
            store_transposed4(wasm_v128_load(p), wasm_v128_load(p + C), wasm_v128_load(p + 2 * C),
                              wasm_v128_load(p + 3 * C), q, q + R, q + 2 * R, q + 3 * R);
          }
          for (; c < c1; c++) {
            for (int i = 0; i < 4; i++) d[c * R + r + i] = s[(r + i) * C + c];
          }
        }
        for (; r < r1; r++) {
          for (int c = c0; c < c1; c++) d[c * R + r] = s[r * C + c];
        }
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Sum over leading axes: dst[j] = (float)(scale * sum_i src[i*inner + j]), accumulated in float64
 * in row order (exactly what the JavaScript loop did). Column blocks of 16 keep 8 f64x2
 * accumulators in registers across all rows; then blocks of 4, then single columns. */
INLINE v128 lo_f64(v128 a) { return wasm_f64x2_promote_low_f32x4(a); }
INLINE v128 hi_f64(v128 a) { return wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(a, a, 1, 1)); }
INLINE v128 to_f32x4(v128 lo, v128 hi, v128 scale) {
  v128 a = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(lo, scale));
  v128 b = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(hi, scale));
  return wasm_i64x2_shuffle(a, b, 0, 2);
}

EXPORT void reduce_leading(const float *src, float *dst, int outer, int inner, double scale) {
  const v128 sc = wasm_f64x2_splat(scale);
  int j = 0;
  for (; j + 16 <= inner; j += 16) {
    v128 a0 = wasm_f64x2_const_splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const float *p = src + j;
    for (int i = 0; i < outer; i++, p += inner) {
      v128 v0 = wasm_v128_load(p), v1 = wasm_v128_load(p + 4), v2 = wasm_v128_load(p + 8), v3 = wasm_v128_load(p + 12);
      a0 = wasm_f64x2_add(a0, lo_f64(v0));
      a1 = wasm_f64x2_add(a1, hi_f64(v0));
      a2 = wasm_f64x2_add(a2, lo_f64(v1));
      a3 = wasm_f64x2_add(a3, hi_f64(v1));
      a4 = wasm_f64x2_add(a4, lo_f64(v2));
      a5 = wasm_f64x2_add(a5, hi_f64(v2));
      a6 = wasm_f64x2_add(a6, lo_f64(v3));
      a7 = wasm_f64x2_add(a7, hi_f64(v3));
    }
    wasm_v128_store(dst + j, to_f32x4(a0, a1, sc));
    wasm_v128_store(dst + j + 4, to_f32x4(a2, a3, sc));
    wasm_v128_store(dst + j + 8, to_f32x4(a4, a5, sc));
    wasm_v128_store(dst + j + 12, to_f32x4(a6, a7, sc));
  }
  for (; j + 4 <= inner; j += 4) {
    v128 a0 = wasm_f64x2_const_splat(0), a1 = a0;
    const float *p = src + j;
    for (int i = 0; i < outer; i++, p += inner) {
      v128 v0 = wasm_v128_load(p);
      a0 = wasm_f64x2_add(a0, lo_f64(v0));
      a1 = wasm_f64x2_add(a1, hi_f64(v0));
    }
    wasm_v128_store(dst + j, to_f32x4(a0, a1, sc));
  }
  for (; j < inner; j++) {
    double acc = 0;
    const float *p = src + j;
    for (int i = 0; i < outer; i++, p += inner) acc += *p;
    dst[j] = (float)(acc * scale);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Tile of 4-byte elements (float32, int32): out.shape[i] = in.shape[i] * reps[i]. `dims` points
 * at [shape[0..rank-1], reps[0..rank-1]] (written by the caller into a scratch block). Built
 * depth-first: the input's sub-block for each index of a dimension is tiled into place, then the
 * finished block is copied reps-1 times after itself (large copies use memory.copy). */
static void tile_dim(const u32 *src, u32 *dst, const int *shape, const int *reps, int rank) {
  const int s = shape[0], r = reps[0];
  if (rank == 1) {
    if (s == 1) {
      const v128 v = wasm_i32x4_splat((int)src[0]);
      int i = 0;
      for (; i + 4 <= r; i += 4) wasm_v128_store(dst + i, v);
      for (; i < r; i++) dst[i] = src[0];
      return;
    }
    for (int i = 0; i < r; i++) copy_u32(dst + i * s, src, s);
    return;
  }
  int inIn = 1, outIn = 1;
  for (int i = 1; i < rank; i++) {
    inIn *= shape[i];
    outIn *= shape[i] * reps[i];
  }
  for (int i = 0; i < s; i++) tile_dim(src + i * inIn, dst + i * outIn, shape + 1, reps + 1, rank - 1);
  const int block = s * outIn;
  for (int i = 1; i < r; i++) copy_u32(dst + i * block, dst, block);
}

EXPORT void tile32(const u32 *src, u32 *dst, const int *dims, int rank) {
  tile_dim(src, dst, dims, dims + rank, rank);
}


/* ------------------------------------------------------------------------------------------ */
/* Conv2DBackpropFilter without im2col and without XNNPACK's weight packing:
 * dW[k][co] = sum over m of x(m, k) * dy[m][co], k = (kh*KW+kw)*CI+ci, m = (n*OH+oh)*OW+ow, in
 * float32, blocked by image: each image's sum is accumulated in registers from 0 and then added to
 * dW. (A GEMM over the im2col matrix sums all N*OH*OW terms in one chain; at 50k terms its error
 * reaches 1e-5 of the result, the blocked sum stays ~10x below.) Per image, x(m, k) = img[oh*SH*RS + ow*SW*CI + off(k)]
 * with off(k) = kh*RS + kw*CI + ci, RS the image's row stride, so a register tile of 4 k-rows x 8
 * channels walks the whole image once, reading dy's rows as vectors and x as scalar splats. An
 * image whose windows reach into the padding is first copied, zero-padded, into `pad`
 * (HP*WP*CI floats, HP = (OH-1)*SH+KH, WP = (OW-1)*SW+KW). */

#define FMA(acc, s, g) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(s, g))
#define SPLAT(p) wasm_v128_load32_splat(p)
#define ADDROW(i, off, a) if (rows > i) wasm_v128_store(d + i * CO + off, wasm_f32x4_add(wasm_v128_load(d + i * CO + off), a))

typedef struct {
  const float *img; /* the image (padded copy or x itself) */
  int rowStep;      /* SH * row stride */
  int sx;           /* SW * CI */
  int OH, OW, CO;
} DwWalk;

/* 4 k-rows at offsets o0..o3 x 8 channels; `rows` of them are real (the rest repeat the last).
 * 4x8 keeps 8 accumulators + 2 dy vectors + splat + product within x64's 16 vector registers
 * (a 6x8 tile spills and runs slower under V8). */
INLINE void dw_tile_4x8(DwWalk w, int o0, int o1, int o2, int o3, const float *g, float *d, int rows) {
  const int CO = w.CO;
  v128 a00 = wasm_f32x4_const_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const int contiguous = o1 == o0 + 1 && o2 == o0 + 2 && o3 == o0 + 3;
  const float *row = w.img;
  for (int oh = 0; oh < w.OH; oh++, row += w.rowStep) {
    if (contiguous) {
      const float *p = row + o0;
      for (int ow = 0; ow < w.OW; ow++, p += w.sx, g += CO) {
        const v128 g0 = wasm_v128_load(g), g1 = wasm_v128_load(g + 4);
        v128 s;
        s = SPLAT(p + 0); FMA(a00, s, g0); FMA(a01, s, g1);
        s = SPLAT(p + 1); FMA(a10, s, g0); FMA(a11, s, g1);
        s = SPLAT(p + 2); FMA(a20, s, g0); FMA(a21, s, g1);
        s = SPLAT(p + 3); FMA(a30, s, g0); FMA(a31, s, g1);
      }
    } else {
      const float *p = row;
      for (int ow = 0; ow < w.OW; ow++, p += w.sx, g += CO) {
        const v128 g0 = wasm_v128_load(g), g1 = wasm_v128_load(g + 4);
        v128 s;
        s = SPLAT(p + o0); FMA(a00, s, g0); FMA(a01, s, g1);
        s = SPLAT(p + o1); FMA(a10, s, g0); FMA(a11, s, g1);
        s = SPLAT(p + o2); FMA(a20, s, g0); FMA(a21, s, g1);
        s = SPLAT(p + o3); FMA(a30, s, g0); FMA(a31, s, g1);
      }
    }
  }
  ADDROW(0, 0, a00); ADDROW(0, 4, a01); ADDROW(1, 0, a10); ADDROW(1, 4, a11);
  ADDROW(2, 0, a20); ADDROW(2, 4, a21); ADDROW(3, 0, a30); ADDROW(3, 4, a31);
}

INLINE void dw_tile_4x4(DwWalk w, int o0, int o1, int o2, int o3, const float *g, float *d, int rows) {
  const int CO = w.CO;
  v128 a0 = wasm_f32x4_const_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  const float *row = w.img;
  for (int oh = 0; oh < w.OH; oh++, row += w.rowStep) {
    const float *p = row;
    for (int ow = 0; ow < w.OW; ow++, p += w.sx, g += CO) {
      const v128 g0 = wasm_v128_load(g);
      FMA(a0, SPLAT(p + o0), g0); FMA(a1, SPLAT(p + o1), g0); FMA(a2, SPLAT(p + o2), g0); FMA(a3, SPLAT(p + o3), g0);
    }
  }
  ADDROW(0, 0, a0); ADDROW(1, 0, a1); ADDROW(2, 0, a2); ADDROW(3, 0, a3);
}

/* Copies input row ih of image n into a zero-padded row of WP pixels starting at pixel -padLeft. */
INLINE void pad_row(const float *x, float *row, int n, int ih, int H, int W, int CI, int WP, int padLeft) {
  int lo = padLeft < WP ? padLeft : WP;
  int hi = W + padLeft < WP ? W + padLeft : WP;
  if (hi < lo) hi = lo;
  zero_f32(row, lo * CI);
  copy_u32((u32 *)row + lo * CI, (const u32 *)(x + ((n * H + ih) * W + lo - padLeft) * CI), (hi - lo) * CI);
  zero_f32(row + hi * CI, (WP - hi) * CI);
}

INLINE int dw_offset(int k, int KWC, int RS) {
  const int kh = k / KWC;
  return kh * RS + (k - kh * KWC);
}

EXPORT void conv2d_backprop_filter(const float *x, const float *dy, float *dw, float *pad, int N, int H, int W,
                                   int CI, int KH, int KW, int OH, int OW, int CO, int SH, int SW, int padTop,
                                   int padLeft) {
  const int K = KH * KW * CI, KWC = KW * CI;
  const int WP = (OW - 1) * SW + KW, HP = (OH - 1) * SH + KH;
  const int padded = padTop > 0 || padLeft > 0 || HP - padTop > H || WP - padLeft > W;
  const int RS = padded ? WP * CI : W * CI;
  __builtin_memset(dw, 0, (unsigned long)K * CO * 4);
  for (int n = 0; n < N; n++) {
    if (padded) {
      for (int r = 0; r < HP; r++) {
        const int ih = r - padTop;
        if (ih >= 0 && ih < H) pad_row(x, pad + r * RS, n, ih, H, W, CI, WP, padLeft);
        else zero_f32(pad + r * RS, RS);
      }
    }
    const DwWalk w = {padded ? pad : x + n * H * W * CI, SH * RS, SW * CI, OH, OW, CO};
    const float *g = dy + n * OH * OW * CO;
    for (int k0 = 0; k0 < K; k0 += 4) {
      const int rows = K - k0 < 4 ? K - k0 : 4;
#define OFF(i) dw_offset(k0 + (i < rows ? i : rows - 1), KWC, RS)
      const int o0 = OFF(0), o1 = OFF(1), o2 = OFF(2), o3 = OFF(3);
#undef OFF
      float *d = dw + k0 * CO;
      int c = 0;
      for (; c + 8 <= CO; c += 8) dw_tile_4x8(w, o0, o1, o2, o3, g + c, d + c, rows);
      for (; c + 4 <= CO; c += 4) dw_tile_4x4(w, o0, o1, o2, o3, g + c, d + c, rows);
      for (; c < CO; c++) {
        for (int i = 0; i < rows; i++) {
          const int o = dw_offset(k0 + i, KWC, RS);
          float acc = 0.0f;
          const float *row = w.img, *gc = g + c;
          for (int oh = 0; oh < OH; oh++, row += w.rowStep)
            for (int ow = 0; ow < OW; ow++, gc += CO) acc += row[ow * w.sx + o] * *gc;
          d[i * CO + c] += acc;
        }
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Conv2DBackpropInput without materialising dcol = dy * W^T: per image, the gradient is
 * accumulated in a zero-padded image `pad` (HP*WP*CI floats + 8 slack, HP = (OH-1)*SH+KH,
 * WP = (OW-1)*SW+KW) and its interior is then copied to dx. For output row (n, oh) and filter row
 * kh, pad_row(oh*SH+kh)[ow*SW*CI + j] += sum_co dy[m][co] * wT[co][kh*KW*CI + j] for j = kw*CI+ci in
 * [0, KW*CI): a register tile of 4 output pixels x 8 (or 4) consecutive j, summed over co in float32
 * (as a GEMM over dcol does), then added into the padded row one pixel after another (the pixels'
 * ranges may overlap when SW*CI < 8). wT is [CO, KH*KW*CI] (+4 slack floats); lanes past KW*CI in the
 * last block are computed from slack/neighbouring weights and masked to +0 before the add. */
INLINE void dx_add(float *p, v128 a, v128 mask) { wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), wasm_v128_and(a, mask))); }

INLINE void dx_tile_4x8(const float *g0, const float *g1, const float *g2, const float *g3, const float *w, int K, int CO,
                        float *p, int sx, int rows) {
  v128 a00 = wasm_f32x4_const_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  for (int co = 0; co < CO; co++, w += K) {
    const v128 w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 4);
    v128 s;
    s = SPLAT(g0 + co); FMA(a00, s, w0); FMA(a01, s, w1);
    s = SPLAT(g1 + co); FMA(a10, s, w0); FMA(a11, s, w1);
    s = SPLAT(g2 + co); FMA(a20, s, w0); FMA(a21, s, w1);
    s = SPLAT(g3 + co); FMA(a30, s, w0); FMA(a31, s, w1);
  }
  const v128 all = wasm_i32x4_const_splat(-1);
  dx_add(p, a00, all); dx_add(p + 4, a01, all);
  if (rows > 1) { dx_add(p + sx, a10, all); dx_add(p + sx + 4, a11, all); }
  if (rows > 2) { dx_add(p + 2 * sx, a20, all); dx_add(p + 2 * sx + 4, a21, all); }
  if (rows > 3) { dx_add(p + 3 * sx, a30, all); dx_add(p + 3 * sx + 4, a31, all); }
}

INLINE void dx_tile_4x4(const float *g0, const float *g1, const float *g2, const float *g3, const float *w, int K, int CO,
                        float *p, int sx, int rows, v128 mask) {
  v128 a0 = wasm_f32x4_const_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  for (int co = 0; co < CO; co++, w += K) {
    const v128 w0 = wasm_v128_load(w);
    FMA(a0, SPLAT(g0 + co), w0); FMA(a1, SPLAT(g1 + co), w0); FMA(a2, SPLAT(g2 + co), w0); FMA(a3, SPLAT(g3 + co), w0);
  }
  dx_add(p, a0, mask);
  if (rows > 1) dx_add(p + sx, a1, mask);
  if (rows > 2) dx_add(p + 2 * sx, a2, mask);
  if (rows > 3) dx_add(p + 3 * sx, a3, mask);
}

EXPORT void conv2d_backprop_input(const float *dy, const float *wT, float *dx, float *pad, int N, int H, int W, int CI,
                                  int KH, int KW, int OH, int OW, int CO, int SH, int SW, int padTop, int padLeft) {
  const int K = KH * KW * CI, KWC = KW * CI, sx = SW * CI;
  const int WP = (OW - 1) * SW + KW, HP = (OH - 1) * SH + KH, RS = WP * CI;
  for (int n = 0; n < N; n++) {
    __builtin_memset(pad, 0, ((unsigned long)HP * RS + 8) * 4);
    for (int oh = 0; oh < OH; oh++) {
      const float *g = dy + (n * OH + oh) * OW * CO;
      for (int kh = 0; kh < KH; kh++) {
        float *row = pad + (oh * SH + kh) * RS;
        const float *wk = wT + kh * KWC;
        for (int ow0 = 0; ow0 < OW; ow0 += 4) {
          const int rows = OW - ow0 < 4 ? OW - ow0 : 4;
          const float *g0 = g + ow0 * CO;
          const float *g1 = g0 + (rows > 1 ? CO : 0), *g2 = g0 + (rows > 2 ? 2 : rows - 1) * CO, *g3 = g0 + (rows - 1) * CO;
          float *p = row + ow0 * sx;
          int j = 0;
          for (; j + 8 <= KWC; j += 8) dx_tile_4x8(g0, g1, g2, g3, wk + j, K, CO, p + j, sx, rows);
          for (; j + 4 <= KWC; j += 4) dx_tile_4x4(g0, g1, g2, g3, wk + j, K, CO, p + j, sx, rows, wasm_i32x4_const_splat(-1));
          if (j < KWC) {
            const int left = KWC - j;
            const v128 mask = wasm_i32x4_gt(wasm_i32x4_splat(left), wasm_i32x4_make(0, 1, 2, 3));
            dx_tile_4x4(g0, g1, g2, g3, wk + j, K, CO, p + j, sx, rows, mask);
          }
        }
      }
    }
    /* interior of the padded image -> dx[n]; rows/columns the windows never reached are 0 */
    for (int ih = 0; ih < H; ih++) {
      float *d = dx + (n * H + ih) * W * CI;
      const int r = ih + padTop;
      if (r >= HP) {
        zero_f32(d, W * CI);
        continue;
      }
      int cols = WP - padLeft < W ? WP - padLeft : W;
      if (cols < 0) cols = 0;
      copy_u32((u32 *)d, (const u32 *)(pad + r * RS + padLeft * CI), cols * CI);
      zero_f32(d + cols * CI, (W - cols) * CI);
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Conv2D (forward), optionally + bias[co] and ReLU: y[m][co] = sum_k x(m, k) * W[k][co], the sum
 * over k = (kh*KW+kw)*CI+ci in order in float32, then + bias, then max(., 0). Per image (copied
 * zero-padded into `pad` when the windows reach outside, as for conv2d_backprop_filter), a
 * register tile of 4 output pixels of one row x 8 channels runs over k: for each kh, x's values
 * for fixed pixel are contiguous in (kw, ci), and so are W's rows. `flags`: 1 = bias, 2 = relu. */
INLINE v128 conv_out(v128 a, const float *bias, int flags, v128 z) {
  if (flags & 1) a = wasm_f32x4_add(a, wasm_v128_load(bias));
  if (flags & 2) a = wasm_f32x4_max(a, z);
  return a;
}

INLINE void conv_tile_4x8(const float *r0, int sx, const float *w, int KH, int KWC, int rowStride, int CO, float *y,
                          int rows, const float *bias, int flags) {
  v128 a00 = wasm_f32x4_const_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const int s1 = rows > 1 ? sx : 0, s2 = rows > 2 ? 2 * sx : s1, s3 = (rows - 1) * sx;
  for (int kh = 0; kh < KH; kh++, r0 += rowStride) {
    const float *p = r0;
    for (int j = 0; j < KWC; j++, p++, w += CO) {
      const v128 w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 4);
      v128 s;
      s = SPLAT(p); FMA(a00, s, w0); FMA(a01, s, w1);
      s = SPLAT(p + s1); FMA(a10, s, w0); FMA(a11, s, w1);
      s = SPLAT(p + s2); FMA(a20, s, w0); FMA(a21, s, w1);
      s = SPLAT(p + s3); FMA(a30, s, w0); FMA(a31, s, w1);
    }
  }
  const v128 z = wasm_f32x4_const_splat(0.0f);
  wasm_v128_store(y, conv_out(a00, bias, flags, z));
  wasm_v128_store(y + 4, conv_out(a01, bias + 4, flags, z));
  if (rows > 1) { wasm_v128_store(y + CO, conv_out(a10, bias, flags, z)); wasm_v128_store(y + CO + 4, conv_out(a11, bias + 4, flags, z)); }
  if (rows > 2) { wasm_v128_store(y + 2 * CO, conv_out(a20, bias, flags, z)); wasm_v128_store(y + 2 * CO + 4, conv_out(a21, bias + 4, flags, z)); }
  if (rows > 3) { wasm_v128_store(y + 3 * CO, conv_out(a30, bias, flags, z)); wasm_v128_store(y + 3 * CO + 4, conv_out(a31, bias + 4, flags, z)); }
}

INLINE void conv_tile_4x4(const float *r0, int sx, const float *w, int KH, int KWC, int rowStride, int CO, float *y,
                          int rows, const float *bias, int flags) {
  v128 a0 = wasm_f32x4_const_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  const int s1 = rows > 1 ? sx : 0, s2 = rows > 2 ? 2 * sx : s1, s3 = (rows - 1) * sx;
  for (int kh = 0; kh < KH; kh++, r0 += rowStride) {
    const float *p = r0;
    for (int j = 0; j < KWC; j++, p++, w += CO) {
      const v128 w0 = wasm_v128_load(w);
      FMA(a0, SPLAT(p), w0); FMA(a1, SPLAT(p + s1), w0); FMA(a2, SPLAT(p + s2), w0); FMA(a3, SPLAT(p + s3), w0);
    }
  }
  const v128 z = wasm_f32x4_const_splat(0.0f);
  wasm_v128_store(y, conv_out(a0, bias, flags, z));
  if (rows > 1) wasm_v128_store(y + CO, conv_out(a1, bias, flags, z));
  if (rows > 2) wasm_v128_store(y + 2 * CO, conv_out(a2, bias, flags, z));
  if (rows > 3) wasm_v128_store(y + 3 * CO, conv_out(a3, bias, flags, z));
}

EXPORT void conv2d(const float *x, const float *w, const float *bias, float *y, float *pad, int flags, int N, int H,
                   int W, int CI, int KH, int KW, int OH, int OW, int CO, int SH, int SW, int padTop, int padLeft) {
  const int KWC = KW * CI, sx = SW * CI;
  const int WP = (OW - 1) * SW + KW, HP = (OH - 1) * SH + KH;
  const int padded = padTop > 0 || padLeft > 0 || HP - padTop > H || WP - padLeft > W;
  const int RS = padded ? WP * CI : W * CI;
  for (int n = 0; n < N; n++) {
    if (padded) {
      for (int r = 0; r < HP; r++) {
        const int ih = r - padTop;
        if (ih >= 0 && ih < H) pad_row(x, pad + r * RS, n, ih, H, W, CI, WP, padLeft);
        else zero_f32(pad + r * RS, RS);
      }
    }
    const float *img = padded ? pad : x + n * H * W * CI;
    for (int oh = 0; oh < OH; oh++) {
      const float *row = img + oh * SH * RS;
      float *yr = y + (n * OH + oh) * OW * CO;
      for (int ow0 = 0; ow0 < OW; ow0 += 4) {
        const int rows = OW - ow0 < 4 ? OW - ow0 : 4;
        const float *r0 = row + ow0 * sx;
        float *yt = yr + ow0 * CO;
        int c = 0;
        for (; c + 8 <= CO; c += 8) conv_tile_4x8(r0, sx, w + c, KH, KWC, RS, CO, yt + c, rows, bias + c, flags);
        for (; c + 4 <= CO; c += 4) conv_tile_4x4(r0, sx, w + c, KH, KWC, RS, CO, yt + c, rows, bias + c, flags);
        for (; c < CO; c++) {
          for (int i = 0; i < rows; i++) {
            float acc = 0.0f;
            const float *p = r0 + i * sx, *wc = w + c;
            for (int kh = 0; kh < KH; kh++, p += RS)
              for (int j = 0; j < KWC; j++, wc += CO) acc += p[j] * *wc;
            if (flags & 1) acc += bias[c];
            if ((flags & 2) && !(acc >= 0.0f) && acc == acc) acc = 0.0f;
            yt[i * CO + c] = acc;
          }
        }
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Binary op of a tensor [outer, C] with a [C] vector broadcast over the rows (batch-norm scales,
 * biases, means): out[i][c] = full[i][c] OP vec[c] (or vec[c] OP full[i][c] when `swap`). The
 * backend's broadcasting path costs ~4x a plain elementwise op. op: 0 add, 1 mul, 2 sub, 3 div. */
#define BCAST_LOOP(VOP, SOP)                                                                      \
  for (int i = 0; i < outer; i++, full += C, out += C) {                                          \
    int c = 0;                                                                                    \
    if (swap) {                                                                                   \
      for (; c + 4 <= C; c += 4) wasm_v128_store(out + c, VOP(wasm_v128_load(vec + c), wasm_v128_load(full + c))); \
      for (; c < C; c++) out[c] = vec[c] SOP full[c];                                             \
    } else {                                                                                      \
      for (; c + 4 <= C; c += 4) wasm_v128_store(out + c, VOP(wasm_v128_load(full + c), wasm_v128_load(vec + c))); \
      for (; c < C; c++) out[c] = full[c] SOP vec[c];                                             \
    }                                                                                             \
  }

EXPORT void bcast_binary(const float *full, const float *vec, float *out, int outer, int C, int op, int swap) {
  switch (op) {
    case 0: BCAST_LOOP(wasm_f32x4_add, +) break;
    case 1: BCAST_LOOP(wasm_f32x4_mul, *) break;
    case 2: BCAST_LOOP(wasm_f32x4_sub, -) break;
    case 3: BCAST_LOOP(wasm_f32x4_div, /) break;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* FusedBatchNorm (inference form, also the forward pass of training, which passes the batch
 * moments): y = (x - mean[c]) * k[c] + offset[c] with k[c] = scale[c] / sqrt(var[c] + eps), k
 * computed in float64 into kb[0..C) and offset copied to kb[C..2C) (scratch), then one float32
 * pass over x [outer, C]. flags: 1 = scale given, 2 = offset given. */
EXPORT void batch_norm(const float *x, const float *mean, const float *var, const float *scale, const float *offset,
                       float *y, float *kb, int outer, int C, double eps, int flags) {
  for (int c = 0; c < C; c++) {
    kb[c] = (float)((flags & 1 ? (double)scale[c] : 1.0) / __builtin_sqrt((double)var[c] + eps));
    kb[C + c] = flags & 2 ? offset[c] : 0.0f;
  }
  for (int i = 0; i < outer; i++, x += C, y += C) {
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const v128 d = wasm_f32x4_sub(wasm_v128_load(x + c), wasm_v128_load(mean + c));
      wasm_v128_store(y + c, wasm_f32x4_add(wasm_f32x4_mul(d, wasm_v128_load(kb + c)), wasm_v128_load(kb + C + c)));
    }
    for (; c < C; c++) y[c] = (x[c] - mean[c]) * kb[c] + kb[C + c];
  }
}
