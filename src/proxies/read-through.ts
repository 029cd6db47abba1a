import { isKaspiError, type KaspiError } from '../kaspi/errors';
import type { ProxyModule } from '../domain/plans';
import type { ReadChannel, ReadOutcome, UsableGrant } from './read-channel';

export interface ReadResult<I, R> {
  item: I;
  result?: R;
  /** The last error of an item that could not be read. */
  error?: unknown;
}

export interface ReadThroughRequest<I, R> {
  userId: string;
  module: ProxyModule;
  storeId: string;
  items: readonly I[];
  /** One read; `proxyUrl` is undefined for reads from the process's own address. */
  read(item: I, proxyUrl: string | undefined): Promise<R>;
  /** How long to wait when the channel has nothing free; longer waits end the call with `blockedUntil`. */
  waitUpToMs: number;
}

export interface ReadThroughDeps {
  channel: ReadChannel;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** Items whose reads the proxy cut short (ban, 407, broken tunnel) are tried on another grant, this many times in all. */
const TRIES_PER_ITEM = 3;

/**
 * One read per item through a read channel, keeping within each grant (its count, pace and deadline),
 * reporting every grant once, and moving reads off an address that is banned or a proxy that fails.
 * Kaspi's other answers (a missing product, a malformed body, Kaspi down) are the item's error, not the
 * address's. Results come back in the items' order; `blockedUntil` is set when the channel had no
 * capacity within `waitUpToMs` (the items not yet read are left unread).
 */
export async function readThrough<I, R>(
  deps: ReadThroughDeps,
  request: ReadThroughRequest<I, R>,
): Promise<{ results: ReadResult<I, R>[]; blockedUntil: Date | null }> {
  const results: ReadResult<I, R>[] = request.items.map((item) => ({ item }));
  const tries = results.map(() => 0);
  const queue = results.map((_, i) => i);
  while (queue.length > 0) {
    const grant = await deps.channel.acquire({
      userId: request.userId,
      module: request.module,
      storeId: request.storeId,
      reads: queue.length,
    });
    if (grant.kind === 'wait') {
      const waitMs = grant.until.getTime() - deps.now();
      if (waitMs > request.waitUpToMs) return { results, blockedUntil: grant.until };
      await deps.sleep(Math.max(0, waitMs));
      continue;
    }
    const outcome = await useGrant(deps, grant, request, results, tries, queue);
    await deps.channel.report(grant, outcome);
  }
  return { results, blockedUntil: null };
}

async function useGrant<I, R>(
  deps: ReadThroughDeps,
  grant: UsableGrant,
  request: ReadThroughRequest<I, R>,
  results: ReadResult<I, R>[],
  tries: number[],
  queue: number[],
): Promise<ReadOutcome> {
  const outcome: ReadOutcome = { ok: 0, failed: 0 };
  const spacingMs = grant.readsPerSecond ? 1000 / grant.readsPerSecond : 0;
  let nextAtMs = grant.notBefore?.getTime() ?? deps.now();
  for (let used = 0; used < grant.maxReads && queue.length > 0; used++) {
    if (grant.kind === 'proxy' && deps.now() >= grant.until.getTime()) break;
    const waitMs = nextAtMs - deps.now();
    if (waitMs > 0) await deps.sleep(waitMs);
    // Another read of ours met a ban on this address meanwhile: stop, and ask the channel again.
    if (!deps.channel.holds(grant)) break;
    nextAtMs = Math.max(deps.now(), nextAtMs) + spacingMs;
    const index = queue.shift()!;
    tries[index]!++;
    try {
      results[index]!.result = await request.read(
        results[index]!.item,
        grant.kind === 'proxy' ? grant.proxyUrl : undefined,
      );
      results[index]!.error = undefined;
      outcome.ok++;
    } catch (error) {
      results[index]!.error = error;
      const cause = addressFault(error);
      if (!cause) {
        // Kaspi answered; the address is fine.
        outcome.ok++;
        continue;
      }
      if (exitRefused(cause))
        outcome.banned = cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs };
      else if (cause.kind === 'proxy_auth') outcome.proxyAuthFailed = true;
      else outcome.failed++;
      if (tries[index]! < TRIES_PER_ITEM) queue.unshift(index);
      break;
    }
  }
  return outcome;
}

/** Failures that are the address's or the proxy's doing, not the item's. */
function addressFault(error: unknown): KaspiError | undefined {
  if (!isKaspiError(error)) throw error;
  if (exitRefused(error)) return error;
  return ['proxy_auth', 'proxy_failed', 'anti_bot'].includes(error.kind) ? error : undefined;
}

/**
 * Kaspi refusing this exit address: its 403 ban, and on the storefront a 429, an HTML check page or a
 * redirect to one. Each benches the address like a ban, so the next reads go through another.
 */
function exitRefused(error: KaspiError): boolean {
  if (error.kind === 'ip_throttled') return true;
  return error.surface === 'public' && (error.kind === 'rate_limited' || error.kind === 'anti_bot');
}
