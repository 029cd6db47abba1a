import { afterAll, beforeAll } from 'vitest';

/**
 * Something the enclosing suite (the file, or the `describe` it is called in) starts before its tests and
 * stops after them: a sandbox, a database context, a worker, an API. It is handed out at once, as a stand-in
 * that forwards to the real thing once `beforeAll` has made it, so a file declares its setup in a line
 * (`const sandbox = useSandbox()`) and its tests use the variable as they would the thing itself. Hooks run
 * in order and stop in reverse, so what is declared later may use what is declared earlier.
 */
export function suiteResource<T extends object>(
  what: string,
  start: () => Promise<T> | T,
  stop: (started: T) => Promise<void> | void,
): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    const stopping = started;
    started = undefined;
    if (stopping) await stop(stopping);
  });
  const real = (): T => {
    if (!started) throw new Error(`${what} is used outside the tests of the suite that starts it`);
    return started;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // The stand-in's own target is empty, and a proxy may not call a key its target lacks non-configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}
