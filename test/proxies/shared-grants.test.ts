import { describe, expect, it } from 'vitest';
import type {
  ProxyGrant,
  ReadChannel,
  ReadGrant,
  ReadOutcome,
  ReadRequest,
  UsableGrant,
} from '../../src/proxies/read-channel';
import { sharedGrants } from '../../src/proxies/shared-grants';

const request: ReadRequest = { userId: 'u', module: 'demper', storeId: 's', reads: 2 };

/** A proxy pool in memory: grants up to `budget` reads each, and records what was asked and reported. */
function fakePool(options: { budget?: number; direct?: boolean; untilMs?: number; readsPerSecond?: number } = {}) {
  const asked: number[] = [];
  const reported: { leaseId: string; outcome: ReadOutcome }[] = [];
  const banned = new Set<string>();
  let leases = 0;
  const channel: ReadChannel = {
    async acquire(req) {
      asked.push(req.reads);
      if (options.direct)
        return {
          kind: 'direct',
          leaseId: `d${++leases}`,
          maxReads: req.reads,
          readsPerSecond: 3,
          notBefore: new Date(),
        };
      const grant: ProxyGrant = {
        kind: 'proxy',
        leaseId: `lease-${++leases}`,
        proxyUrl: 'http://u:p@127.0.0.2:3128',
        maxReads: Math.min(req.reads, options.budget ?? 10),
        until: new Date(Date.now() + (options.untilMs ?? 30_000)),
        ...(options.readsPerSecond ? { readsPerSecond: options.readsPerSecond } : {}),
      };
      return grant;
    },
    holds: (grant: UsableGrant) => !banned.has(grant.leaseId),
    async report(grant, outcome) {
      reported.push({ leaseId: grant.leaseId, outcome });
      if (outcome.banned) banned.add(grant.leaseId);
    },
  };
  return { channel, asked, reported };
}

describe('proxy grants shared by the readers of one batch', () => {
  /** A pool of paced proxies that has `proxies` grants to give, then asks the reader to wait. */
  function pacedPool(proxies: number) {
    const pool = fakePool({ budget: 100, readsPerSecond: 10 });
    const acquire = pool.channel.acquire.bind(pool.channel);
    let calls = 0;
    pool.channel.acquire = async (req) => {
      calls++;
      return proxies-- > 0 ? acquire(req) : { kind: 'wait', until: new Date(Date.now() + 500) };
    };
    return { ...pool, calls: () => calls };
  }
  const leaseOf = (grant: ReadGrant) => (grant as ProxyGrant).leaseId.split('#')[0];

  it('gives the slices of a paced grant consecutive read slots, so together they keep its pace', async () => {
    const pool = pacedPool(2);
    const shared = sharedGrants(pool.channel, () => 100);
    await shared.report((await shared.acquire(request)) as ProxyGrant, { ok: 2, failed: 0 });
    const before = Date.now();
    const slices = (await Promise.all([1, 2, 3].map(() => shared.acquire(request)))) as ProxyGrant[];
    expect(slices.map(leaseOf)).toEqual(['lease-2', 'lease-2', 'lease-2']);
    const starts = slices.map((s) => s.notBefore!.getTime() - before).sort((a, b) => a - b);
    // Two reads each at 10 a second: slots 200 ms apart, whatever the clock moved meanwhile.
    expect(starts[1]! - starts[0]!).toBe(200);
    expect(starts[2]! - starts[1]!).toBe(200);
    expect(starts[0]).toBeLessThan(50);
    expect(slices.every((s) => s.readsPerSecond === 10)).toBe(true);
  });

  it('asks for another proxy when the paced grants in hand are booked ahead, and stops asking when the pool has none', async () => {
    const pool = pacedPool(3);
    const shared = sharedGrants(pool.channel, () => 100);
    const grants: ReadGrant[] = [];
    for (let i = 0; i < 5; i++) grants.push(await shared.acquire(request));
    // The first reader's own small grant; then a paced grant per reader while the pool has proxies;
    // then the readers queue on the grants in hand, soonest slot first, without asking again at once.
    expect(grants.map(leaseOf)).toEqual(['lease-1', 'lease-2', 'lease-3', 'lease-2', 'lease-3']);
    expect(pool.calls()).toBe(4);
    for (const grant of grants) await shared.report(grant as ProxyGrant, { ok: 2, failed: 0 });
    await shared.close();
    expect(pool.reported.map((r) => r.leaseId).sort()).toEqual(['lease-1', 'lease-2', 'lease-3']);
  });

  it('asks for no spare once it holds a grant on each of the merchant’s proxies', async () => {
    const pool = pacedPool(3);
    const shared = sharedGrants(pool.channel, () => 100, { proxied: true, proxies: 2 });
    const grants: ReadGrant[] = [];
    for (let i = 0; i < 5; i++) grants.push(await shared.acquire(request));
    expect(grants.map(leaseOf)).toEqual(['lease-1', 'lease-2', 'lease-1', 'lease-2', 'lease-1']);
    expect(pool.calls()).toBe(2);
  });

  it('cuts every reader a slice of one grant and reports it once, summed, when the batch is over', async () => {
    const pool = fakePool({ budget: 10 });
    const shared = sharedGrants(pool.channel, () => 10);
    // The first grant is asked for one reader's reads: the pool might have answered with a direct grant.
    const first = (await shared.acquire(request)) as ProxyGrant;
    expect(pool.asked).toEqual([2]);
    await shared.report(first, { ok: 2, failed: 0 });
    const slices = (await Promise.all([1, 2, 3, 4, 5].map(() => shared.acquire(request)))) as ProxyGrant[];
    expect(pool.asked).toEqual([2, 10]);
    expect(slices.map((s) => s.maxReads)).toEqual([2, 2, 2, 2, 2]);
    expect(new Set(slices.map((s) => s.leaseId)).size).toBe(5);
    expect(slices.every((s) => s.proxyUrl === 'http://u:p@127.0.0.2:3128' && shared.holds(s))).toBe(true);
    for (const slice of slices) await shared.report(slice, { ok: 2, failed: 0 });
    // Every permit is spent, yet the grant is not reported until no more can be cut from it.
    expect(pool.reported).toEqual([{ leaseId: 'lease-1', outcome: { ok: 2, failed: 0 } }]);
    const next = (await shared.acquire(request)) as ProxyGrant;
    expect(pool.asked).toEqual([2, 10, 10]);
    expect(pool.reported[1]).toEqual({ leaseId: 'lease-2', outcome: { ok: 10, failed: 0 } });
    await shared.report(next, { ok: 1, failed: 1 });
    await shared.close();
    expect(pool.reported[2]).toEqual({ leaseId: 'lease-3', outcome: { ok: 1, failed: 1 } });
  });

  it('stops cutting from a grant whose proxy was banned, and reports the ban once its slices are in', async () => {
    const pool = fakePool({ budget: 10 });
    const shared = sharedGrants(pool.channel, () => 10);
    await shared.report((await shared.acquire(request)) as ProxyGrant, { ok: 2, failed: 0 });
    const [first, second] = (await Promise.all([shared.acquire(request), shared.acquire(request)])) as ProxyGrant[];
    expect(first!.leaseId.startsWith('lease-2#') && second!.leaseId.startsWith('lease-2#')).toBe(true);
    await shared.report(first!, { ok: 1, failed: 0, banned: { retryAfterMs: 10_000 } });
    // The ban ends the grant for every slice of it; the reader still out hears of it through `holds`.
    expect(shared.holds(second!)).toBe(false);
    const third = (await shared.acquire(request)) as ProxyGrant;
    expect(third.leaseId.startsWith('lease-3#')).toBe(true);
    expect(pool.reported.map((r) => r.leaseId)).toEqual(['lease-1']);
    await shared.report(second!, { ok: 0, failed: 0 });
    expect(pool.reported[1]).toEqual({
      leaseId: 'lease-2',
      outcome: { ok: 1, failed: 0, banned: { retryAfterMs: 10_000 } },
    });
    expect(shared.holds(third)).toBe(true);
  });

  it('asks afresh when the grant in hand is past its deadline', async () => {
    const pool = fakePool({ budget: 10, untilMs: -1 });
    const shared = sharedGrants(pool.channel, () => 6);
    const first = await shared.acquire(request);
    await shared.acquire(request);
    expect(pool.asked).toEqual([2, 6]);
    await shared.report(first as ProxyGrant, { ok: 2, failed: 0 });
    expect(pool.reported.map((r) => r.leaseId)).toEqual(['lease-1']);
  });

  it('waits for the last slices of a spent grant on the only proxy, then asks for it again at once', async () => {
    // One proxy: the pool refuses while its grant is out, and grants again once it is reported.
    const pool = fakePool({ budget: 4, readsPerSecond: 10 });
    const acquire = pool.channel.acquire.bind(pool.channel);
    let out = 0;
    pool.channel.acquire = async (req) => {
      if (out > 0) return { kind: 'wait', until: new Date(Date.now() + 500) };
      out++;
      return acquire(req);
    };
    const report = pool.channel.report.bind(pool.channel);
    pool.channel.report = async (grant, outcome) => {
      out--;
      await report(grant, outcome);
    };
    const shared = sharedGrants(pool.channel, () => 4, { proxied: true, proxies: 1 });
    const [first, second] = (await Promise.all([shared.acquire(request), shared.acquire(request)])) as ProxyGrant[];
    expect([leaseOf(first!), leaseOf(second!)]).toEqual(['lease-1', 'lease-1']);
    // Its permits are all cut: the next reader waits for the slices out, not the pool's half second.
    const waiting = shared.acquire(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await shared.report(first!, { ok: 2, failed: 0 });
    const asked = Date.now();
    await shared.report(second!, { ok: 2, failed: 0 });
    const third = (await waiting) as ProxyGrant;
    expect(Date.now() - asked).toBeLessThan(100);
    expect(leaseOf(third)).toBe('lease-2');
    expect(pool.reported.map((r) => r.leaseId)).toEqual(['lease-1']);
  });

  it("starts a grant that carries on its proxy's pace no sooner than the pool says", async () => {
    const pool = fakePool({ budget: 10, readsPerSecond: 10 });
    const acquire = pool.channel.acquire.bind(pool.channel);
    const notBefore = new Date(Date.now() + 80);
    pool.channel.acquire = async (req) => ({ ...((await acquire(req)) as ProxyGrant), notBefore });
    const shared = sharedGrants(pool.channel, () => 10, { proxied: true, proxies: 1 });
    const slices = (await Promise.all([shared.acquire(request), shared.acquire(request)])) as ProxyGrant[];
    expect(slices.map((s) => s.notBefore!.getTime() - notBefore.getTime()).sort((a, b) => a - b)).toEqual([0, 200]);
  });

  it('passes direct grants through untouched', async () => {
    const pool = fakePool({ direct: true });
    const shared = sharedGrants(pool.channel, () => 8);
    const grants = await Promise.all([shared.acquire(request), shared.acquire(request)]);
    // Each reader gets its own slots on the process's clock, no more than it asked for.
    expect(grants).toMatchObject([
      { kind: 'direct', leaseId: 'd1', maxReads: 2 },
      { kind: 'direct', leaseId: 'd2', maxReads: 2 },
    ]);
    await shared.report(grants[0] as UsableGrant, { ok: 2, failed: 0 });
    expect(pool.reported).toEqual([{ leaseId: 'd1', outcome: { ok: 2, failed: 0 } }]);
  });
});
