/**
 * Tensors as JSON: nested arrays in the declared layout, and back to flat numbers.
 *
 * Float32 values are written as JSON.stringify writes the equal float64 (up to 17 digits, e.g.
 * 0.10000000149011612): longer than the shortest float32 form, but every parser — float64 then
 * cast, or straight to float32 — recovers exactly the bits Provenant hashed and recorded.
 */

/** Dimensions of one input on the wire: [h, w, c] for nhwc, [c, h, w] for nchw. */
export function inputDims(shape: [number, number, number], layout: 'nhwc' | 'nchw'): number[] {
  const [h, w, c] = shape;
  return layout === 'nchw' ? [c, h, w] : [h, w, c];
}

/** `count` inputs of `dims` starting at input `first` of `data` (already in the wire layout), as nested arrays. */
export function nestInputs(data: Float32Array, first: number, count: number, dims: number[]): number[][] {
  const size = dims.reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  for (let i = 0; i < count; i++) out.push(nest(data, (first + i) * size, dims) as number[]);
  return out;
}

function nest(data: Float32Array, offset: number, dims: number[]): unknown[] {
  const [d, ...rest] = dims;
  const out: unknown[] = new Array(d);
  if (rest.length === 0) {
    for (let i = 0; i < d; i++) out[i] = data[offset + i];
    return out;
  }
  const stride = rest.reduce((a, b) => a * b, 1);
  for (let i = 0; i < d; i++) out[i] = nest(data, offset + i * stride, rest);
  return out;
}

/** Row-major flattening of a number or nested arrays of numbers; undefined when anything else is inside. */
export function flattenNumbers(value: unknown): number[] | undefined {
  const out: number[] = [];
  const walk = (v: unknown): boolean => {
    if (typeof v === 'number') return out.push(v), true;
    if (Array.isArray(v)) return v.every(walk);
    return false;
  };
  return walk(value) ? out : undefined;
}
