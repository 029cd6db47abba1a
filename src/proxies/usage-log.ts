import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import type { BudgetRules } from '../domain/proxy-budget';

/**
 * Deletes read leases that started before `keepHours` ago, a batch at a time so no statement holds
 * locks for long; `progress` is called after each batch. Leases that may still count against a proxy's
 * budget (one window plus one lease back) are kept whatever `keepHours` says.
 */
export async function pruneUsageLog(
  db: Db,
  options: { keepHours: number; rules: Pick<BudgetRules, 'budgetWindowSeconds' | 'leaseSeconds'>; batchSize?: number },
  progress: (deleted: number) => void = () => undefined,
): Promise<number> {
  const keepSeconds = Math.max(
    options.keepHours * 3600,
    options.rules.budgetWindowSeconds + options.rules.leaseSeconds,
  );
  const batchSize = options.batchSize ?? 10_000;
  let deleted = 0;
  for (;;) {
    // Rows another pruner is deleting are skipped, not waited for: waiting, this batch would find them
    // gone, come up short, and end the loop with old rows still to delete.
    const result = await db.execute(sql`
      delete from proxy_usage_log where id in (
        select id from proxy_usage_log
        where started_at < now() - make_interval(secs => ${keepSeconds})
        limit ${batchSize}
        for update skip locked)`);
    deleted += result.rowCount ?? 0;
    progress(deleted);
    if ((result.rowCount ?? 0) < batchSize) return deleted;
  }
}
