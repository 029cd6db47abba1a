/**
 * One answer per key, shared by every caller while it is on its way and for `ttlMs` after it
 * arrives: a store's status open in many tabs, or an integration polling it, costs the store's loop
 * one query at a time instead of one per request. A failure is not kept; `forget` drops an answer a
 * change has made stale.
 */
export function sharedAnswers<T>(ttlMs: number, load: (key: string) => Promise<T>, now: () => number = Date.now) {
  const answers = new Map<string, { promise: Promise<T>; settledAt: number | null }>();
  const fresh = (entry: { settledAt: number | null }) => entry.settledAt === null || now() - entry.settledAt < ttlMs;

  return {
    get(key: string): Promise<T> {
      const held = answers.get(key);
      if (held && fresh(held)) return held.promise;
      // Keys asked once and never again must not pile up.
      for (const [k, entry] of answers) if (!fresh(entry)) answers.delete(k);
      const entry = { promise: load(key), settledAt: null as number | null };
      answers.set(key, entry);
      entry.promise.then(
        () => {
          entry.settledAt = now();
        },
        () => {
          if (answers.get(key) === entry) answers.delete(key);
        },
      );
      return entry.promise;
    },
    forget(key: string): void {
      answers.delete(key);
    },
  };
}
