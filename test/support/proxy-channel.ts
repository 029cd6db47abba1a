import { randomUUID } from 'node:crypto';
import type { ReadChannel, ReadOutcome, UsableGrant } from '../../src/demper/read-channel';

/**
 * A read channel over a fixed list of proxies, kept in memory: the smallest thing that speaks the
 * channel's contract with real proxies, for tests of the reader's side of it. Grants go to the
 * proxies in turn; a proxy reported banned sits out `benchMs`.
 */
export function proxyListChannel(proxyUrls: string[], options: { benchMs: number; readsPerSecond: number }) {
  const benchedUntil = new Map<string, number>();
  const reports: { proxyUrl: string; outcome: ReadOutcome }[] = [];
  let turn = 0;
  const channel: ReadChannel = {
    async acquire(request) {
      const now = Date.now();
      for (let i = 0; i < proxyUrls.length; i++) {
        const proxyUrl = proxyUrls[(turn + i) % proxyUrls.length]!;
        if ((benchedUntil.get(proxyUrl) ?? 0) > now) continue;
        turn = (turn + i + 1) % proxyUrls.length;
        return {
          kind: 'proxy',
          leaseId: randomUUID(),
          proxyUrl,
          maxReads: request.reads,
          until: new Date(now + 10_000),
          readsPerSecond: options.readsPerSecond,
        };
      }
      return { kind: 'wait', until: new Date(Math.min(...benchedUntil.values())) };
    },
    async report(grant: UsableGrant, outcome: ReadOutcome) {
      if (grant.kind !== 'proxy') throw new Error('this channel grants proxies only');
      reports.push({ proxyUrl: grant.proxyUrl, outcome });
      if (outcome.banned) benchedUntil.set(grant.proxyUrl, Date.now() + options.benchMs);
    },
  };
  return { channel, reports };
}
