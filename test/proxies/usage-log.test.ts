import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { proxyUsageLog } from '../../src/db/schema';
import { pruneUsageLog } from '../../src/proxies/usage-log';
import { useTestContext } from '../support/env';
import { seedProxies } from '../support/proxies';

const HOUR = 3600_000;

/** Old read leases go, in batches; recent ones and any that may still count against a budget stay. */
describe('pruning the read-lease ledger', () => {
  const ctx = useTestContext();

  it('deletes leases older than the keep period, batch by batch, and keeps the rest', async () => {
    const [proxyId] = await seedProxies(ctx.db, ctx.keyring, 1);
    const lease = (hoursAgo: number) => ({
      proxyId: proxyId!,
      requests: 5,
      startedAt: new Date(Date.now() - hoursAgo * HOUR),
    });
    await ctx.db.insert(proxyUsageLog).values([lease(30), lease(26), lease(25), lease(48), lease(100)]);
    const recent = await ctx.db
      .insert(proxyUsageLog)
      .values([lease(23), lease(1), lease(0)])
      .returning();
    const batches: number[] = [];
    const rules = { budgetWindowSeconds: 1, leaseSeconds: 30 };

    const deleted = await pruneUsageLog(ctx.db, { keepHours: 24, rules, batchSize: 2 }, (n) => batches.push(n));

    // Other test files' old leases may be pruned too, or prune some of these first: the count is the
    // whole table's, and what is left of this proxy's is what matters.
    expect(batches.at(-1)).toBe(deleted);
    expect(batches).toHaveLength(Math.floor(deleted / 2) + 1);
    const left = await ctx.db
      .select({ id: proxyUsageLog.id })
      .from(proxyUsageLog)
      .where(eq(proxyUsageLog.proxyId, proxyId!));
    expect(left.map((r) => r.id).sort()).toEqual(recent.map((r) => r.id).sort());
  });

  it('leaves no old lease behind when pruners with other keep periods run at once', async () => {
    const [proxyId] = await seedProxies(ctx.db, ctx.keyring, 1);
    const lease = (hoursAgo: number) => ({
      proxyId: proxyId!,
      requests: 1,
      startedAt: new Date(Date.now() - hoursAgo * HOUR),
    });
    await ctx.db.insert(proxyUsageLog).values(Array.from({ length: 300 }, (_, i) => lease(i % 2 === 0 ? 30 : 60)));
    const rules = { budgetWindowSeconds: 1, leaseSeconds: 30 };

    await Promise.all([
      pruneUsageLog(ctx.db, { keepHours: 24, rules, batchSize: 7 }),
      pruneUsageLog(ctx.db, { keepHours: 48, rules, batchSize: 5 }),
      pruneUsageLog(ctx.db, { keepHours: 48, rules, batchSize: 3 }),
    ]);
    expect(await ctx.db.select().from(proxyUsageLog).where(eq(proxyUsageLog.proxyId, proxyId!))).toEqual([]);
  });

  it('never deletes a lease that may still count against a budget, however short the keep period', async () => {
    const [proxyId] = await seedProxies(ctx.db, ctx.keyring, 1);
    // The seed profile's window: 30 minutes, plus a lease of 30 s.
    const rules = { budgetWindowSeconds: 1800, leaseSeconds: 30 };
    const [counting] = await ctx.db
      .insert(proxyUsageLog)
      .values({ proxyId: proxyId!, requests: 249, startedAt: new Date(Date.now() - 20 * 60_000) })
      .returning();
    await pruneUsageLog(ctx.db, { keepHours: 0.01, rules });
    expect(
      await ctx.db
        .select()
        .from(proxyUsageLog)
        .where(inArray(proxyUsageLog.id, [counting!.id])),
    ).toHaveLength(1);
  });
});
