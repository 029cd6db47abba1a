import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { alerts } from '../../src/db/schema';
import { FLOOR_ALERT_MIN_PRODUCTS, manyHeldAtFloor } from '../../src/demper/alerts';
import { seedStore } from '../support/seed';
import { seedUser } from '../support/seed';
import { useTestContext } from '../support/env';

describe('demper alerts', () => {
  const ctx = useTestContext();

  it('tells the merchant once a day when many products are held at their floors', async () => {
    const user = await seedUser(ctx.db);
    const store = await seedStore(ctx.db, user.id);
    const floorAlerts = () =>
      ctx.db
        .select()
        .from(alerts)
        .where(and(eq(alerts.userId, user.id), eq(alerts.kind, 'floor_reached')));

    await manyHeldAtFloor(ctx, store, FLOOR_ALERT_MIN_PRODUCTS - 1);
    expect(await floorAlerts()).toEqual([]);
    await manyHeldAtFloor(ctx, store, FLOOR_ALERT_MIN_PRODUCTS + 5);
    await manyHeldAtFloor(ctx, store, FLOOR_ALERT_MIN_PRODUCTS + 7);
    const told = await floorAlerts();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ audience: 'user', link: `/api/v1/stores/${store.id}/demper` });
    expect(told[0]!.message).toMatch(/15 products are held at their floor/);
  });
});
