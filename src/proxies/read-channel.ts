/**
 * Where storefront reads go out from. Kaspi limits reads per source IP (≈10/s safe, 403 bans above
 * ≈15/s), so read capacity is something to ask for, not assume: a reader asks for a batch of reads,
 * gets one grant, uses it within its limits, and reports how it went. The process's own address is
 * one channel (at a conservative rate); the user's proxy pool, leased through PostgreSQL, is put
 * in front of it by `poolReadChannel`.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import type { ProxyModule } from '../domain/plans';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { readCapacityFor, type ReadCapacity } from './read-capacity';
import { allowPrivateProxyAddresses } from './addresses';

/** One source of read capacity: it grants reads when asked, and is told how they went. */
export interface ReadChannel {
  acquire(request: ReadRequest): Promise<ReadGrant>;
  /** How a grant's reads went; a channel benches or retires what failed. Called once per grant. */
  report(grant: UsableGrant, outcome: ReadOutcome): Promise<void>;
  /**
   * Whether a grant may still be used for its next read. Reads run several at a time, so a grant
   * handed out before another read's 403 must stop at once: its address is banned now too.
   */
  holds(grant: UsableGrant): boolean;
}

export interface ReadRequest {
  /** The merchant whose proxies the reads may use. */
  userId: string;
  /** Whose share of the merchant's proxies (demper, orders, catalog). */
  module: ProxyModule;
  storeId: string;
  /** Reads wanted; a grant may allow fewer. */
  reads: number;
  /** A proxy beside the grants the reader already holds: answer at once rather than wait for one to free up. */
  spare?: boolean;
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
  /** The first read waits until then (a lease carrying on its proxy's pace, or a slice of a paced grant, `shared-grants.ts`). */
  notBefore?: Date;
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
  /** The address was refused: a ban (403/405), or on the storefront a 429 or a check page; `retryAfterMs` when Kaspi said. */
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
  /** Grants handed out before the latest ban are void. */
  let bans = 0;
  const banCountAtGrant = new WeakMap<UsableGrant, number>();
  return {
    async acquire(request) {
      const at = now();
      if (benchedUntilMs > at) return { kind: 'wait', until: new Date(benchedUntilMs) };
      const reads = Math.max(1, Math.floor(request.reads));
      const start = Math.max(at, nextSlotMs);
      nextSlotMs = start + reads * slotMs;
      const grant: DirectGrant = {
        kind: 'direct',
        leaseId: randomUUID(),
        maxReads: reads,
        readsPerSecond: options.readsPerSecond,
        notBefore: new Date(start),
      };
      banCountAtGrant.set(grant, bans);
      return grant;
    },
    holds(grant) {
      return banCountAtGrant.get(grant) === bans && benchedUntilMs <= now();
    },
    async report(_grant, outcome) {
      if (!outcome.banned) return;
      const pauseMs = Math.max(options.banPauseMs, outcome.banned.retryAfterMs ?? 0);
      benchedUntilMs = Math.max(benchedUntilMs, now() + pauseMs);
      bans++;
      // Slots reserved before the ban are void: the next grant starts after the pause.
      nextSlotMs = Math.max(nextSlotMs, benchedUntilMs);
    },
  };
}

/**
 * The process's own address, as each module's reads see it: the storefront (the demper's cards, the
 * preorder checks) bans an address by its read rate, so those modules share one clock; the Shop API
 * (orders) is paced apart, its limits being its own.
 */
export function directReadChannels(settings: Config['reads']): Record<ProxyModule, ReadChannel> {
  const storefront = createDirectReadChannel({
    readsPerSecond: settings.directReadsPerSecond,
    banPauseMs: settings.readBanPauseSeconds * 1000,
  });
  const shopApi = createDirectReadChannel({
    readsPerSecond: settings.ordersDirectReadsPerSecond,
    banPauseMs: settings.readBanPauseSeconds * 1000,
  });
  return { demper: storefront, catalog: storefront, orders: shopApi };
}

/** How long this process keeps off a proxy it saw banned when Kaspi does not say (its 403 ban lasts ≈10 s). */
const BAN_HOLD_MS = 10_000;
/** A pool wait this short (per-second budgets refilling) is waited out inside `acquire`. */
const BUSY_WAIT_MS = 1_000;

/**
 * Reads through the user's proxies for the module when it has any (leases from the pool, reported back
 * to it: bans bench a proxy, 407 retires it), and through the module's direct channel when it has none.
 */
export function poolReadChannel(capacity: ReadCapacity, direct: Record<ProxyModule, ReadChannel>): ReadChannel {
  const proxyOf = new Map<string, string>();
  const directOf = new Map<string, ReadChannel>();
  /** Proxies this process saw banned, until when: leases on them stop at once (the pool benches them for new leases). */
  const bannedUntil = new Map<string, number>();
  return {
    async acquire(request) {
      const wanted = Math.max(1, Math.floor(request.reads));
      let grant = await capacity.acquire({ userId: request.userId, module: request.module, wanted });
      // Every proxy spent its share of this second: that passes in a moment, not worth giving up the read.
      for (
        let waits = 0;
        grant.kind === 'wait' && !request.spare && grant.retryAfterMs <= BUSY_WAIT_MS && waits < 10;
        waits++
      ) {
        await new Promise((resolve) => setTimeout(resolve, grant.kind === 'wait' ? grant.retryAfterMs : 0));
        grant = await capacity.acquire({ userId: request.userId, module: request.module, wanted });
      }
      if (grant.kind === 'direct') {
        const channel = direct[request.module];
        const directGrant = await channel.acquire(request);
        if (directGrant.kind === 'direct') directOf.set(directGrant.leaseId, channel);
        return directGrant;
      }
      if (grant.kind === 'wait') return { kind: 'wait', until: new Date(Date.now() + grant.retryAfterMs) };
      proxyOf.set(grant.leaseId, grant.proxyId);
      return {
        kind: 'proxy',
        leaseId: grant.leaseId,
        proxyUrl: grant.proxyUrl,
        maxReads: grant.permits,
        until: new Date(Date.now() + grant.useWithinMs),
        ...(grant.readsPerSecond === undefined ? {} : { readsPerSecond: grant.readsPerSecond }),
        ...(grant.startsInMs === undefined ? {} : { notBefore: new Date(Date.now() + grant.startsInMs) }),
      };
    },
    holds(grant) {
      if (grant.kind === 'direct') return directOf.get(grant.leaseId)?.holds(grant) ?? false;
      const proxyId = proxyOf.get(grant.leaseId);
      return proxyId !== undefined && (bannedUntil.get(proxyId) ?? 0) <= Date.now();
    },
    async report(grant, outcome) {
      if (grant.kind === 'direct') {
        const channel = directOf.get(grant.leaseId);
        directOf.delete(grant.leaseId);
        return channel?.report(grant, outcome);
      }
      const proxyId = proxyOf.get(grant.leaseId);
      proxyOf.delete(grant.leaseId);
      if (!proxyId) return;
      if (outcome.banned) bannedUntil.set(proxyId, Date.now() + (outcome.banned.retryAfterMs ?? BAN_HOLD_MS));
      await capacity.report(
        { leaseId: grant.leaseId, proxyId },
        {
          succeeded: outcome.ok,
          failed: outcome.failed,
          banned: outcome.banned !== undefined,
          proxyAuthFailed: outcome.proxyAuthFailed,
        },
      );
    },
  };
}

/** The read channel of a process: the proxy pool in front of this process's own address. */
export function createReadChannel(deps: { db: Db; keyring: Keyring; logger: Logger; config: Config }): ReadChannel {
  // Connections to proxies check the addresses their hosts resolve to; this process's setting says which.
  allowPrivateProxyAddresses(deps.config.proxies.allowPrivateAddresses);
  return poolReadChannel(readCapacityFor(deps), directReadChannels(deps.config.reads));
}
