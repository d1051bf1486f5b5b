/**
 * Priming a DataLoader, with the value also kept for a synchronous answer. A page primes the request's loaders
 * with what its statement read (src/health/health.prefetch.ts); a field resolver then answers from `loadPrimed`
 * without a promise when the value is there (a page of the dashboard resolves hundreds of such fields, and a
 * promise per field was a measurable share of its CPU), and through the loader otherwise. Same values either way.
 */
import type DataLoader from 'dataloader';

/** Per loader (one per request): its primed values by cache key. */
const primed = new WeakMap<object, Map<unknown, unknown>>();

export function prime<K, V, C = K>(loader: DataLoader<K, V, C>, key: K, value: V, cacheKey: C = key as unknown as C): void {
  loader.prime(key, value);
  let values = primed.get(loader);
  if (!values) primed.set(loader, (values = new Map()));
  values.set(cacheKey, value);
}

/** The primed value of `key` at once, else the loader's promise. */
export function loadPrimed<K, V, C = K>(loader: DataLoader<K, V, C>, key: K, cacheKey: C = key as unknown as C): V | Promise<V> {
  const values = primed.get(loader);
  return values?.has(cacheKey) ? values.get(cacheKey) as V : loader.load(key);
}

/** `f` of a value that may still be coming. */
export function then<T, R>(value: T | Promise<T>, f: (v: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}
