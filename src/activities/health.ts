import { sql } from 'drizzle-orm';
import type { ActivityDeps } from './deps';

export function createHealthActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async checkDatabase(): Promise<{ serverTime: string; migrations: number }> {
      const now = await db.execute<{ now: Date }>(sql`select now() as now`);
      const applied = await db.execute<{ count: string }>(
        sql`select count(*)::text as count from drizzle.__drizzle_migrations`,
      );
      return {
        serverTime: new Date(now.rows[0]!.now).toISOString(),
        migrations: Number(applied.rows[0]!.count),
      };
    },
  };
}
