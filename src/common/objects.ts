/**
 * A new object with `source`'s own fields and then `fields`' (as `{ ...source, ...fields }`),
 * for the request path. On Node 20's V8, an object spread followed by any further property
 * (`{ ...source, extra }`, or `{ ...source, ...fields }`) takes a slow path: in isolation it
 * ran 30–50 times slower than `Object.assign`, and what it made reached the old generation at
 * the next scavenge, where only a full collection frees it. One such copy a Bearer request
 * kept old space growing by about 90 KB a scavenge (README, Performance, finding 2).
 *
 * `Object.assign` sets rather than defines, so `source` must be an object the server built (a
 * row, a cached principal or client), never parsed input: a `__proto__` key would set the
 * copy's prototype.
 */
export function extend<S extends object, F extends object>(source: S, fields: F): S & F {
  return Object.assign({}, source, fields);
}
