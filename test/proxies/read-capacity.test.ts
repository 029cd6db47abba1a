import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { proxies, proxyUsageLog } from '../../src/db/schema';
import type { BudgetRules } from '../../src/domain/proxy-budget';
import { loadConfig } from '../../src/lib/config';
import { createReadCapacity, type LeaseGrant, type ReadCapacity } from '../../src/proxies/read-capacity';
import { directReadChannels, poolReadChannel } from '../../src/proxies/read-channel';
import { readThrough } from '../../src/proxies/read-through';
import { sharedGrants, type SharedGrants } from '../../src/proxies/shared-grants';
import { useTestContext, type TestContext } from '../support/env';
import { seedProxies } from '../support/proxies';
import { seedUser } from '../support/seed';

/**
 * Leasing from proxies given straight to their owners, so these tests never touch the free pool
 * (the lifecycle tests own it). Nothing here kills a proxy, for the same reason.
 */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function capacity(ctx: TestContext, rules: Partial<BudgetRules>): ReadCapacity {
  return createReadCapacity({
    db: ctx.db,
    keyring: ctx.keyring,
    logger: ctx.logger,
    rules: { budgetRequests: 5, budgetWindowSeconds: 1, restSeconds: 0, banBenchSeconds: 1, leaseSeconds: 2, ...rules },
  });
}

describe('read capacity leased from PostgreSQL', () => {
  const a = useTestContext();
  // A second pool of connections: another worker process, as far as PostgreSQL can tell.
  const b = useTestContext();

  it('tells a user without proxies to read directly', async () => {
    const user = await seedUser(a.db);
    expect(await capacity(a, {}).acquire({ userId: user.id, module: 'demper', wanted: 10 })).toEqual({
      kind: 'direct',
    });
  });

  it('never lets two workers leasing at once exceed a proxy budget in any window', async () => {
    const user = await seedUser(a.db);
    const ids = await seedProxies(a.db, a.keyring, 3, { userId: user.id, module: 'demper' });
    const rules = { budgetRequests: 5, budgetWindowSeconds: 0.5, leaseSeconds: 1 };
    const workers = [capacity(a, rules), capacity(b, rules)];
    const deadline = Date.now() + 2_500;
    const granted: Extract<LeaseGrant, { kind: 'proxy' }>[] = [];
    let waits = 0;
    await Promise.all(
      workers.flatMap((worker) =>
        // Four concurrent callers per worker, each asking for 2–3 reads at a time and reporting at once.
        [2, 3, 2, 3].map(async (wanted) => {
          while (Date.now() < deadline) {
            const grant = await worker.acquire({ userId: user.id, module: 'demper', wanted });
            if (grant.kind === 'proxy') {
              granted.push(grant);
              await worker.report(grant, { succeeded: grant.permits, failed: 0 });
            } else {
              expect(grant.kind).toBe('wait');
              waits++;
              await sleep(grant.kind === 'wait' ? Math.min(grant.retryAfterMs, 100) : 0);
            }
          }
        }),
      ),
    );
    expect(waits).toBeGreaterThan(0);
    expect(new Set(granted.map((g) => g.proxyId))).toEqual(new Set(ids));
    expect(granted.every((g) => g.permits >= 1 && g.permits <= 3)).toBe(true);

    // Every read of a lease starts between its grant and its end (its report, or its use-by time if
    // that comes first). For every proxy and every window-long interval starting at some lease's end,
    // the leases reaching into it hold at most the budget (such intervals are where the count peaks).
    const worst = await a.db.execute<{ proxy_id: string; permits: number }>(sql`
      select x.proxy_id, max(s.permits)::int as permits from (
        select r.proxy_id, least(r.finished_at, r.use_by) as at from proxy_usage_log r where r.proxy_id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})
      ) x cross join lateral (
        select coalesce(sum(l.requests), 0) as permits from proxy_usage_log l
        where l.proxy_id = x.proxy_id and least(l.finished_at, l.use_by) >= x.at and l.started_at <= x.at + make_interval(secs => ${rules.budgetWindowSeconds})
      ) s
      group by x.proxy_id`);
    expect(worst.rows).toHaveLength(3);
    for (const row of worst.rows) expect(row.permits).toBeLessThanOrEqual(rules.budgetRequests);
    const leases = await a.db.select().from(proxyUsageLog).where(inArray(proxyUsageLog.proxyId, ids));
    expect(leases.reduce((n, l) => n + l.requests, 0)).toBe(granted.reduce((n, g) => n + g.permits, 0));
    expect(leases.every((l) => l.finishedAt !== null && l.successes === l.requests)).toBe(true);
  });

  it('rests a proxy whose budget is spent and does not use it before its rest is over', async () => {
    const user = await seedUser(a.db);
    const [id] = await seedProxies(a.db, a.keyring, 1, { userId: user.id, module: 'orders' });
    const leases = capacity(a, { budgetRequests: 4, budgetWindowSeconds: 0.2, restSeconds: 1 });
    const first = await leases.acquire({ userId: user.id, module: 'orders', wanted: 10 });
    expect(first).toMatchObject({ kind: 'proxy', proxyId: id, permits: 4 });
    await leases.report(first as Extract<LeaseGrant, { kind: 'proxy' }>, { succeeded: 4, failed: 0 });
    const [rested] = await a.db.select().from(proxies).where(eq(proxies.id, id!));
    expect(rested!.restUntil).not.toBeNull();

    let grant = await leases.acquire({ userId: user.id, module: 'orders', wanted: 1 });
    expect(grant.kind).toBe('wait');
    while (grant.kind === 'wait') {
      await sleep(grant.retryAfterMs);
      grant = await leases.acquire({ userId: user.id, module: 'orders', wanted: 1 });
    }
    expect(grant).toMatchObject({ kind: 'proxy', proxyId: id });
    const [second] = await a.db
      .select()
      .from(proxyUsageLog)
      .where(eq(proxyUsageLog.id, (grant as { leaseId: string }).leaseId));
    expect(second!.startedAt.getTime()).toBeGreaterThanOrEqual(rested!.restUntil!.getTime());
  });

  it('asks a reader back within a window while the leases that filled the budget are still in use', async () => {
    const user = await seedUser(a.db);
    await seedProxies(a.db, a.keyring, 1, { userId: user.id, module: 'demper' });
    // Leases may run 30 s, but reads take far less: a waiter should not be told to wait 30 s.
    const leases = capacity(a, { budgetRequests: 4, budgetWindowSeconds: 1, leaseSeconds: 30 });
    const inUse = await leases.acquire({ userId: user.id, module: 'demper', wanted: 4 });
    expect(inUse).toMatchObject({ kind: 'proxy', permits: 4 });
    const grant = await leases.acquire({ userId: user.id, module: 'demper', wanted: 1 });
    expect(grant.kind).toBe('wait');
    expect((grant as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1_000);
    await leases.report(inUse as Extract<LeaseGrant, { kind: 'proxy' }>, { succeeded: 4, failed: 0 });
    await sleep(1_050);
    expect(await leases.acquire({ userId: user.id, module: 'demper', wanted: 1 })).toMatchObject({
      kind: 'proxy',
      permits: 1,
    });
  });

  it('frees the permits a reported lease did not use, and keeps counting the reads it made', async () => {
    const user = await seedUser(a.db);
    await seedProxies(a.db, a.keyring, 1, { userId: user.id, module: 'demper' });
    const leases = capacity(a, { budgetRequests: 5, budgetWindowSeconds: 5, leaseSeconds: 5 });
    const first = (await leases.acquire({ userId: user.id, module: 'demper', wanted: 5 })) as Extract<
      LeaseGrant,
      { kind: 'proxy' }
    >;
    expect(first.permits).toBe(5);
    await leases.report(first, { succeeded: 1, failed: 1 });
    // Two reads made count for the rest of the window; the three unused are free at once.
    expect(await leases.acquire({ userId: user.id, module: 'demper', wanted: 5 })).toMatchObject({
      kind: 'proxy',
      permits: 3,
    });
    expect((await leases.acquire({ userId: user.id, module: 'demper', wanted: 1 })).kind).toBe('wait');
  });

  it('lets a proxy carry on the pace of its paced leases at once, one read interval after the last ended', async () => {
    const user = await seedUser(a.db);
    await seedProxies(a.db, a.keyring, 1, { userId: user.id, module: 'demper' });
    // Ten reads a second; a lease holds at most two windows.
    const leases = capacity(a, { budgetRequests: 5, budgetWindowSeconds: 0.5, leaseSeconds: 1 });
    const first = (await leases.acquire({ userId: user.id, module: 'demper', wanted: 50 })) as Extract<
      LeaseGrant,
      { kind: 'proxy' }
    >;
    expect(first).toMatchObject({ kind: 'proxy', permits: 10, readsPerSecond: 10 });
    // While it is out, nothing else is leased on the proxy.
    expect((await leases.acquire({ userId: user.id, module: 'demper', wanted: 1 })).kind).toBe('wait');
    await leases.report(first, { succeeded: 10, failed: 0 });
    const next = await leases.acquire({ userId: user.id, module: 'demper', wanted: 50 });
    expect(next).toMatchObject({ kind: 'proxy', proxyId: first.proxyId, permits: 10, readsPerSecond: 10 });
    const startsInMs = (next as { startsInMs?: number }).startsInMs ?? 0;
    expect(startsInMs).toBeGreaterThan(0);
    expect(startsInMs).toBeLessThanOrEqual(100);
    await leases.report(next as Extract<LeaseGrant, { kind: 'proxy' }>, { succeeded: 10, failed: 0 });
    // A few reads after a paced lease go at the pace too: spent at once, they would crowd its last window.
    expect(await leases.acquire({ userId: user.id, module: 'demper', wanted: 3 })).toMatchObject({
      permits: 3,
      readsPerSecond: 10,
    });
  });

  it('keeps every window within the budget while batches of readers carry a proxy on from lease to lease', async () => {
    const user = await seedUser(a.db);
    await seedProxies(a.db, a.keyring, 1, { userId: user.id, module: 'demper' });
    // Leases of two windows' reads (`ahead`) that may run twice as long, as a demper's leases run well within theirs.
    const rules = { budgetRequests: 5, budgetWindowSeconds: 0.5, leaseSeconds: 2 };
    const channel = poolReadChannel(capacity(a, rules), directReadChannels(loadConfig(process.env).reads));
    const started: number[] = [];
    const deps = { channel: null as unknown as SharedGrants, sleep, now: Date.now };
    // Three batches one after the other, as a demper's check activities go: four readers each, every
    // reader asking for two reads at a time, and the grants closed as each batch ends.
    for (let batch = 0; batch < 3; batch++) {
      deps.channel = sharedGrants(channel, () => 10, { proxied: true, proxies: 1 });
      let left = 12;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (left-- > 0)
            await readThrough(deps, {
              userId: user.id,
              module: 'demper',
              storeId: user.id,
              items: [0, 1],
              waitUpToMs: 1_000,
              read: async () => {
                started.push(Date.now());
                await sleep(20);
              },
            });
        }),
      );
      await deps.channel.close();
    }
    expect(started).toHaveLength(72);
    started.sort((x, y) => x - y);
    // Timers fire late on a loaded machine, and a read late by a few milliseconds sits that much closer
    // to the next one: each window is taken a fifth of a read interval short. Two streams on the proxy
    // at once would still put twice the budget in it.
    const windowMs = rules.budgetWindowSeconds * 1000 - 20;
    const worst = Math.max(...started.map((t) => started.filter((u) => u >= t && u < t + windowMs).length));
    expect(worst).toBeLessThanOrEqual(rules.budgetRequests);
    // Carried on from lease to lease, the reads keep close to the pace: 72 reads at ten a second take 7.1 s;
    // a window idle after each lease (every ten reads) would add 3.5 s.
    expect(started.at(-1)! - started[0]!).toBeLessThan(8_500);
  });

  it('benches a proxy after a ban and hands out the others meanwhile', async () => {
    const user = await seedUser(a.db);
    const ids = await seedProxies(a.db, a.keyring, 2, { userId: user.id, module: 'catalog' });
    const leases = capacity(a, { budgetRequests: 100, banBenchSeconds: 30 });
    const first = (await leases.acquire({ userId: user.id, module: 'catalog', wanted: 5 })) as Extract<
      LeaseGrant,
      { kind: 'proxy' }
    >;
    await leases.report(first, { succeeded: 2, failed: 0, banned: true });
    const others = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const grant = await leases.acquire({ userId: user.id, module: 'catalog', wanted: 5 });
      expect(grant.kind).toBe('proxy');
      others.add((grant as { proxyId: string }).proxyId);
      await leases.report(grant as Extract<LeaseGrant, { kind: 'proxy' }>, { succeeded: 5, failed: 0 });
    }
    expect([...others]).toEqual(ids.filter((id) => id !== first.proxyId));
    const [benched] = await a.db.select().from(proxies).where(eq(proxies.id, first.proxyId));
    expect(benched!.restUntil!.getTime() - Date.now()).toBeGreaterThan(20_000);
    expect(benched!.status).toBe('allocated');
  });

  it('counts a lease once however often it is reported', async () => {
    const user = await seedUser(a.db);
    await seedProxies(a.db, a.keyring, 1, { userId: user.id, module: 'demper' });
    const leases = capacity(a, {});
    const grant = (await leases.acquire({ userId: user.id, module: 'demper', wanted: 3 })) as Extract<
      LeaseGrant,
      { kind: 'proxy' }
    >;
    await leases.report(grant, { succeeded: 2, failed: 1 });
    await leases.report(grant, { succeeded: 2, failed: 1 });
    const [row] = await a.db.select().from(proxies).where(eq(proxies.id, grant.proxyId));
    expect([row!.successCount, row!.failureCount]).toEqual([2, 1]);
    expect(grant.proxyUrl).toMatch(/^http:\/\/u[0-9a-f]{8}:pw-[0-9a-f-]+@198\.1[89]\.\d+\.\d+:3128$/);
  });
});
