/**
 * Failed authentication, throttled per client address: after `maxFailures` unknown or revoked keys within a window,
 * that address gets 429 (Retry-After) for keys this instance does not already know, without a database lookup, until
 * the window ends. Valid keys are not slowed: a key the cache holds is answered from memory as always, and the check
 * is a map lookup. In memory per instance, on purpose: keys are 192 random bits, so guessing one is hopeless at any
 * rate; what the throttle stops is a client hammering the key lookup (and the log) with bad keys, and N instances
 * allowing N times the rate is still bounded. A shared counter would cost a database round trip per failure, which
 * is the load it is meant to prevent.
 */
import { GraphQLError } from 'graphql';
import type { Caller } from './context';
export interface AuthThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at most (oldest windows dropped first), so that many addresses cannot fill memory. */
  maxTracked?: number;
  now?: () => number;
}

export class AuthThrottle {
  /** By address; a Map iterates in insertion order, so the first entries are the oldest windows. */
  private readonly windows = new Map<string, { start: number; failures: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: AuthThrottleOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Seconds until `address` may present unknown keys again; 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const w = this.windows.get(address);
    if (!w || w.failures < this.opts.maxFailures) return 0;
    const left = w.start + this.opts.windowMs - this.now();
    if (left <= 0) { this.windows.delete(address); return 0; }
    return Math.ceil(left / 1000);
  }

  /** A key presented from `address` was unknown or revoked. */
  failed(address: string): void {
    const now = this.now();
    let w = this.windows.get(address);
    if (!w || w.start + this.opts.windowMs <= now) {
      this.windows.delete(address);
      w = { start: now, failures: 0 };
      this.windows.set(address, w);
      if (this.windows.size > (this.opts.maxTracked ?? 100_000)) this.windows.delete(this.windows.keys().next().value!);
    }
    w.failures++;
  }
}

/** What `authenticate` needs of the key cache (src/workspaces/api-key.cache.ts). */
interface KeyLookup {
  authenticate(key: string): Promise<Caller | undefined>;
  peek(key: string): Caller | undefined;
}

/** A key's caller; an address with too many failed keys gets only the keys this instance already holds, else 429. */
export async function authenticate(keys: KeyLookup, key: string, throttle?: { limiter: AuthThrottle; address: string }): Promise<Caller | undefined> {
  if (!throttle) return await keys.authenticate(key);
  const wait = throttle.limiter.retryAfterSeconds(throttle.address);
  if (wait) {
    const known = keys.peek(key);
    if (known) return known;
    throw new GraphQLError(`Too many failed authentications from your address; retry in ${wait} s with a valid API key.`,
      { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: wait, http: { status: 429, headers: new Map([['retry-after', String(wait)]]) } } });
  }
  const caller = await keys.authenticate(key);
  if (!caller) throttle.limiter.failed(throttle.address);
  return caller;
}
