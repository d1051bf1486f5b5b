/**
 * One subscriber's events as an async iterator (what a graphql-ws subscription reads): `push` hands an event to a
 * waiting `next()` or queues it (at most `maxQueue`, oldest dropped, `onDrop` told); the iterator ends when the
 * client unsubscribes, and `onEnd` then removes the subscriber from its hub.
 */
export function subscriberQueue<T>(opts: { maxQueue: number; onEnd: () => void; onDrop?: () => void }): { push(value: T): void; iterator: AsyncIterableIterator<T> } {
  const queue: T[] = [];
  let wake: ((r: IteratorResult<T>) => void) | undefined;
  let done = false;
  const finish = (): IteratorResult<T> => {
    if (!done) {
      done = true;
      opts.onEnd();
      wake?.({ value: undefined, done: true });
      wake = undefined;
    }
    return { value: undefined, done: true };
  };
  return {
    push: (value) => {
      if (done) return;
      if (wake) { const w = wake; wake = undefined; w({ value, done: false }); return; }
      queue.push(value);
      if (queue.length > opts.maxQueue) { queue.shift(); opts.onDrop?.(); }
    },
    iterator: {
      next: () => {
        if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => { wake = resolve; });
      },
      return: () => Promise.resolve(finish()),
      throw: (err?: unknown) => { finish(); return Promise.reject(err); },
      [Symbol.asyncIterator]() { return this; },
    },
  };
}
