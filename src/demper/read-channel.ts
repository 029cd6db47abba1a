import { randomUUID } from 'node:crypto';

/**
 * Where the demper's storefront reads go out from. Kaspi limits reads per source IP (≈10/s safe, 403
 * bans above ≈15/s), so read capacity is something to ask for, not assume: a reader asks for a batch
 * of reads, gets one grant, uses it within its limits, and reports how it went. One implementation
 * sends from this process's own address at a conservative rate; a proxy pool leases its proxies
 * through the same interface.
 */
export interface ReadChannel {
  acquire(request: ReadRequest): Promise<ReadGrant>;
  /** How a grant's reads went; a channel benches or retires what failed. Called once per grant. */
  report(grant: UsableGrant, outcome: ReadOutcome): Promise<void>;
}

export interface ReadRequest {
  /** The merchant whose (demper) proxies the reads may use. */
  userId: string;
  storeId: string;
  /** Reads wanted; a grant may allow fewer. */
  reads: number;
}

/** Send from our own address: at most `maxReads` reads, spaced by `readsPerSecond`, not before `notBefore`. */
export interface DirectGrant {
  kind: 'direct';
  leaseId: string;
  maxReads: number;
  readsPerSecond: number;
  notBefore: Date;
}

/** Send through `proxyUrl`: at most `maxReads` reads until `until`. */
export interface ProxyGrant {
  kind: 'proxy';
  leaseId: string;
  proxyUrl: string;
  maxReads: number;
  until: Date;
  /** Spacing between reads, when the pool wants one. */
  readsPerSecond?: number;
}

/** Nothing is free: ask again at `until`. */
export interface WaitGrant {
  kind: 'wait';
  until: Date;
}

export type UsableGrant = DirectGrant | ProxyGrant;
export type ReadGrant = UsableGrant | WaitGrant;

export interface ReadOutcome {
  /** Reads answered. */
  ok: number;
  /** The address was banned (HTTP 403 or 405 on the storefront); `retryAfterMs` when Kaspi said. */
  banned?: { retryAfterMs?: number };
  /** The proxy refused our credentials (407). */
  proxyAuthFailed?: boolean;
  /** Reads that failed otherwise (timeouts, resets, 5xx, interstitials). */
  failed: number;
}

/**
 * Reads from this process's own address. Every store read by this process shares the one address,
 * so grants are slots on one clock: a grant of k reads takes the next k slots at `readsPerSecond`,
 * and a reported ban keeps every read back for `banPauseMs` (Kaspi's 403 does not say how long).
 */
export function createDirectReadChannel(options: {
  readsPerSecond: number;
  banPauseMs: number;
  now?: () => number;
}): ReadChannel {
  const now = options.now ?? Date.now;
  const slotMs = 1000 / options.readsPerSecond;
  let nextSlotMs = 0;
  let benchedUntilMs = 0;
  return {
    async acquire(request) {
      const at = now();
      if (benchedUntilMs > at) return { kind: 'wait', until: new Date(benchedUntilMs) };
      const reads = Math.max(1, Math.floor(request.reads));
      const start = Math.max(at, nextSlotMs);
      nextSlotMs = start + reads * slotMs;
      return {
        kind: 'direct',
        leaseId: randomUUID(),
        maxReads: reads,
        readsPerSecond: options.readsPerSecond,
        notBefore: new Date(start),
      };
    },
    async report(_grant, outcome) {
      if (!outcome.banned) return;
      const pauseMs = Math.max(options.banPauseMs, outcome.banned.retryAfterMs ?? 0);
      benchedUntilMs = Math.max(benchedUntilMs, now() + pauseMs);
      // Slots reserved before the ban are void: the next grant starts after the pause.
      nextSlotMs = Math.max(nextSlotMs, benchedUntilMs);
    },
  };
}

/** The direct channel as the settings describe it (`DEMPER_DIRECT_READS_PER_SECOND`, `DEMPER_READ_BAN_PAUSE_SECONDS`). */
export function directReadChannel(settings: { directReadsPerSecond: number; readBanPauseSeconds: number }): ReadChannel {
  return createDirectReadChannel({
    readsPerSecond: settings.directReadsPerSecond,
    banPauseMs: settings.readBanPauseSeconds * 1000,
  });
}
