import { setTimeout as sleep } from 'node:timers/promises';
import { isKaspiError } from '../kaspi/errors';
import type { ProxyModule } from '../domain/plans';
import type { ReadCapacity, ReadOutcome } from './read-capacity';

/** A read's error as the proxy's health sees it. */
export type ReadFailure = 'banned' | 'proxy_auth' | 'proxy_failed' | 'kaspi';

/**
 * Kaspi's per-IP ban (403 on the storefront) and proxy faults are the proxy's business; any other
 * failure (a missing product, a malformed body, Kaspi down) says nothing about the proxy.
 */
export function classifyReadError(error: unknown): ReadFailure {
  if (isKaspiError(error, 'ip_throttled')) return 'banned';
  if (isKaspiError(error, 'proxy_auth')) return 'proxy_auth';
  if (isKaspiError(error, 'proxy_failed') || isKaspiError(error, 'anti_bot')) return 'proxy_failed';
  return 'kaspi';
}

export interface ReadResult<I, R> {
  item: I;
  result?: R;
  error?: unknown;
}

/** Reads failed because of the proxy are tried again on another one, this many times in all. */
const TRIES_PER_ITEM = 3;

/**
 * Performs one read per item with capacity leased for `(userId, module)`: through the user's proxies
 * (rotating as leases run out, and moving reads off a proxy that gets banned or refuses us), or
 * directly at the allowed pace for users without proxies. Every lease is reported. Results come back
 * in the items' order; a read that failed keeps its last error.
 */
export async function readThroughPool<I, R>(
  capacity: ReadCapacity,
  request: { userId: string; module: ProxyModule; items: I[]; read: (item: I, proxyUrl: string | undefined) => Promise<R> },
): Promise<ReadResult<I, R>[]> {
  const results: ReadResult<I, R>[] = request.items.map((item) => ({ item }));
  const tries = new Array<number>(results.length).fill(0);
  const queue = results.map((_, i) => i);
  while (queue.length > 0) {
    const grant = await capacity.acquire({ userId: request.userId, module: request.module, wanted: queue.length });
    if (grant.kind === 'wait') {
      await sleep(grant.retryAfterMs);
      continue;
    }
    if (grant.kind === 'direct') {
      for (const i of queue.splice(0)) {
        try {
          results[i]!.result = await request.read(results[i]!.item, undefined);
        } catch (error) {
          results[i]!.error = error;
        }
        await sleep(1000 / grant.maxReadsPerSecond);
      }
      continue;
    }
    const outcome: Required<Pick<ReadOutcome, 'succeeded' | 'failed'>> & ReadOutcome = { succeeded: 0, failed: 0 };
    const useBy = Date.now() + grant.useWithinMs;
    for (const i of queue.splice(0, grant.permits)) {
      if (outcome.banned || outcome.proxyAuthFailed || Date.now() >= useBy) {
        queue.push(i);
        continue;
      }
      tries[i]!++;
      try {
        results[i]!.result = await request.read(results[i]!.item, grant.proxyUrl);
        results[i]!.error = undefined;
        outcome.succeeded++;
      } catch (error) {
        results[i]!.error = error;
        const failure = classifyReadError(error);
        if (failure === 'kaspi') {
          outcome.succeeded++;
          continue;
        }
        if (failure === 'banned') outcome.banned = true;
        else if (failure === 'proxy_auth') outcome.proxyAuthFailed = true;
        else outcome.failed++;
        outcome.lastError = (error as Error).message;
        if (tries[i]! < TRIES_PER_ITEM) queue.push(i);
      }
    }
    await capacity.report(grant, outcome);
  }
  return results;
}
