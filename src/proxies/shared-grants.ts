/**
 * Lets the concurrent readers of one batch share proxy grants. Each reader asks for a product's few
 * reads; asked one by one, every product would cost a lease of its own (a PostgreSQL transaction to
 * grant it and another to report it). Here, once the pool has answered with a proxy, a new grant is
 * asked for `ahead()` reads at once — the proxy's budget caps it — and readers are handed slices of
 * it while it has reads and time left and its proxy is not banned.
 *
 * A paced grant (one lease over several budget windows) hands its slices consecutive read slots, so
 * together they keep its pace. When every paced grant in hand is booked ahead, one more is asked for —
 * another proxy of the merchant's, read beside the others — until the pool has none to spare, or the
 * batch holds a grant on each of the merchant's `proxies` already.
 *
 * A grant is reported once, with every slice's outcome summed, when its last slice is reported and no
 * more will be cut from it. Its proxy may then carry on at the grant's pace at once (`leaseToGrant`),
 * so a reader finding nothing to cut while the batch holds every proxy waits for that report, not the
 * pool. Direct grants pass through untouched. `close()` stops cutting from the grants in hand
 * (reporting each once its slices are in); call it when the batch is over, or the lease counts against
 * the proxy's budget until its deadline.
 */

import type { ProxyGrant, ReadChannel, ReadGrant, ReadOutcome, ReadRequest, UsableGrant } from './read-channel';

export interface SharedGrants extends ReadChannel {
  close(): Promise<void>;
}

interface Share {
  grant: ProxyGrant;
  left: number;
  /** A paced grant's next free read slot; 0 for a grant without a pace. */
  nextSlotMs: number;
  slicesOut: number;
  closed: boolean;
  outcome: ReadOutcome;
}

/** After the pool had no more proxies to spare, readers queue on the grants in hand this long before it is asked again. */
const SPARE_RETRY_MS = 1_000;

/**
 * `proxied`: the reader knows its reads go through proxies, so even the first grant may be asked for
 * `ahead()`; `proxies`: how many the merchant has, so no spare is asked for once each is in hand.
 */
export function sharedGrants(
  channel: ReadChannel,
  ahead: () => number,
  options: { proxied?: boolean; proxies?: number } = {},
): SharedGrants {
  let shares: Share[] = [];
  const shareOf = new Map<string, Share>();
  let slices = 0;
  let asking: Promise<void> | null = null;
  let proxied = options.proxied ?? false;
  let noSpareUntilMs = 0;
  /** Grants closed whose last slices are still being read: each proxy is free again once its grant is reported. */
  const reporting = new Set<Share>();
  let released: { promise: Promise<void>; resolve: () => void } | null = null;
  /** Resolves when the next grant is reported, or at `latestMs`. */
  const untilReleased = async (latestMs: number) => {
    if (!released) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      released = { promise, resolve };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      released.promise,
      new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, latestMs - Date.now())))),
    ]);
    clearTimeout(timer);
  };

  const reportIfDone = async (share: Share) => {
    if (!share.closed) return;
    if (share.slicesOut > 0) {
      reporting.add(share);
      return;
    }
    reporting.delete(share);
    await channel.report(share.grant, share.outcome);
    // The proxy is free again, and may carry on its pace at once: the next reader asks for it now.
    noSpareUntilMs = 0;
    released?.resolve();
    released = null;
  };
  const closeShare = async (share: Share) => {
    if (share.closed) return;
    share.closed = true;
    await reportIfDone(share);
  };
  const usable = (share: Share) =>
    !share.closed &&
    share.left > 0 &&
    Math.max(Date.now(), share.nextSlotMs) < share.grant.until.getTime() &&
    channel.holds(share.grant);
  /** The usable grant whose next read can start soonest, and whether it would keep the reader waiting. */
  const soonest = (): { share: Share; booked: boolean } | null => {
    let best: Share | null = null;
    for (const share of shares)
      if (usable(share) && (best === null || share.nextSlotMs < best.nextSlotMs)) best = share;
    return best && { share: best, booked: best.nextSlotMs > Date.now() };
  };
  const slice = (share: Share, reads: number): ProxyGrant => {
    const maxReads = Math.min(Math.max(1, Math.floor(reads)), share.left);
    share.left -= maxReads;
    share.slicesOut++;
    const leaseId = `${share.grant.leaseId}#${++slices}`;
    shareOf.set(leaseId, share);
    const { readsPerSecond } = share.grant;
    if (readsPerSecond === undefined) return { ...share.grant, leaseId, maxReads };
    const notBefore = new Date(Math.max(Date.now(), share.nextSlotMs));
    share.nextSlotMs = notBefore.getTime() + (maxReads * 1000) / readsPerSecond;
    return { ...share.grant, leaseId, maxReads, notBefore };
  };
  /** Closes the grants nothing more can be cut from, and forgets them. */
  const dropSpent = async () => {
    const spent = shares.filter((share) => !usable(share));
    shares = shares.filter(usable);
    for (const share of spent) await closeShare(share);
  };

  return {
    async acquire(request: ReadRequest): Promise<ReadGrant> {
      for (;;) {
        await dropSpent();
        const best = soonest();
        const inHand = shares.filter(usable).length;
        const noSpare = Date.now() < noSpareUntilMs || inHand >= (options.proxies ?? Infinity);
        if (best && (!best.booked || asking || noSpare)) return slice(best.share, request.reads);
        // This batch holds every proxy of the merchant's, and nothing is left to cut but from grants
        // whose last slices are still being read: the pool would only say to come back in a window.
        // Such a proxy is free the moment its grant is reported (or runs out, should a reader never report).
        const ending = [...reporting].filter((share) => share.grant.until.getTime() > Date.now());
        if (!best && ending.length > 0 && ending.length + inHand >= (options.proxies ?? Infinity)) {
          await untilReleased(Math.min(...ending.map((share) => share.grant.until.getTime())));
          continue;
        }
        // One reader asks the pool at a time; the others wait to share what it gets.
        if (!asking) break;
        await asking;
      }
      let done!: () => void;
      asking = new Promise<void>((resolve) => (done = resolve));
      try {
        // Only once the pool has answered with a proxy is a grant asked for more than this reader's
        // reads: a direct grant reserves its slots on the process's clock whether they are used or not.
        const reads = proxied ? Math.max(request.reads, ahead()) : request.reads;
        const grant = await channel.acquire({ ...request, reads, ...(shares.length > 0 ? { spare: true } : {}) });
        if (grant.kind !== 'proxy') {
          const fallback = soonest();
          if (fallback) {
            noSpareUntilMs = Date.now() + SPARE_RETRY_MS;
            return slice(fallback.share, request.reads);
          }
          return grant;
        }
        proxied = true;
        const share: Share = {
          grant,
          left: grant.maxReads,
          nextSlotMs: grant.notBefore?.getTime() ?? 0,
          slicesOut: 0,
          closed: false,
          outcome: { ok: 0, failed: 0 },
        };
        shares.push(share);
        return slice(share, request.reads);
      } finally {
        asking = null;
        done();
      }
    },
    holds(grant: UsableGrant) {
      const share = shareOf.get(grant.leaseId);
      if (!share) return channel.holds(grant);
      // A ban another slice met is not the pool's news until the grant is reported: stop now.
      return share.outcome.banned === undefined && !share.outcome.proxyAuthFailed && channel.holds(share.grant);
    },
    async report(grant, outcome) {
      const share = shareOf.get(grant.leaseId);
      if (!share) return channel.report(grant, outcome);
      shareOf.delete(grant.leaseId);
      share.slicesOut--;
      share.outcome.ok += outcome.ok;
      share.outcome.failed += outcome.failed;
      if (outcome.banned) share.outcome.banned = outcome.banned;
      if (outcome.proxyAuthFailed) share.outcome.proxyAuthFailed = true;
      // A ban or a refused proxy ends the grant for every slice: no more reads are cut from it.
      if (outcome.banned || outcome.proxyAuthFailed) share.closed = true;
      await reportIfDone(share);
    },
    async close() {
      const open = shares;
      shares = [];
      for (const share of open) await closeShare(share);
    },
  };
}
