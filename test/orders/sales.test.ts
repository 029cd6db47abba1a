import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi, useTestContext } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { seedOrder, seedStore } from '../support/seed';

const line = (sku: string, name: string, quantity: number, basePrice: number) => ({
  sku,
  name,
  quantity,
  basePrice,
  totalPrice: quantity * basePrice,
});

/** Sales figures and order lists from the stored orders, by Almaty calendar. */
describe('orders and sales', () => {
  const ctx = useTestContext();
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let storeId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'sales');
    storeId = (await seedStore(ctx.db, merchant.id)).id;
    const orders = [
      // 23:30 in Almaty on Sunday 15 November is still the 15th there (UTC 18:30).
      {
        code: '1',
        at: '2026-11-15T18:30:00Z',
        status: 'COMPLETED',
        state: 'ARCHIVE',
        entries: [line('PHONE', 'Phone', 1, 100_000)],
      },
      // 00:30 on Monday the 16th in Almaty, though still the 15th in UTC.
      {
        code: '2',
        at: '2026-11-15T19:30:00Z',
        status: 'ACCEPTED_BY_MERCHANT',
        state: 'PICKUP',
        entries: [line('CASE', 'Case', 2, 5_000), line('PHONE', 'Phone', 1, 100_000)],
      },
      {
        code: '3',
        at: '2026-11-16T06:00:00Z',
        status: 'CANCELLED',
        state: 'ARCHIVE',
        entries: [line('PHONE', 'Phone', 1, 100_000)],
      },
      {
        code: '4',
        at: '2026-11-17T06:00:00Z',
        status: 'APPROVED_BY_BANK',
        state: 'NEW',
        entries: [line('CABLE', 'Cable', 3, 1_001)],
      },
      {
        code: '5',
        at: '2026-12-01T06:00:00Z',
        status: 'RETURNED',
        state: 'ARCHIVE',
        entries: [line('CASE', 'Case', 1, 5_000)],
      },
      {
        code: '6',
        at: '2026-12-02T06:00:00Z',
        status: 'COMPLETED',
        state: 'ARCHIVE',
        entries: [line('CASE', 'Case', 1, 5_000)],
      },
    ];
    for (const o of orders) {
      const total = o.entries.reduce((sum, e) => sum + e.totalPrice, 0);
      const row = await seedOrder(ctx.db, storeId, {
        code: o.code,
        creationDate: new Date(o.at),
        status: o.status,
        state: o.state,
        totalPrice: total,
        entries: o.entries,
      });
      ids[o.code] = row.id;
    }
  });

  const sales = (query: string) =>
    call(api.url, 'GET', `/api/v1/stores/${storeId}/sales?${query}`, { token: merchant.token });

  it('counts revenue, orders, average check and cancellations per Almaty day, week and month', async () => {
    const days = await sales('from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z&groupBy=day');
    expect(days.status).toBe(200);
    expect(days.body.totals).toEqual({
      revenue: 218_003,
      orders: 4,
      averageCheck: 54_501,
      cancellations: 2,
      cancelledRevenue: 105_000,
      cancellationRatePercent: 33.3,
    });
    expect(
      days.body.periods.map((p: { period: string; revenue: number; orders: number; cancellations: number }) => [
        p.period,
        p.revenue,
        p.orders,
        p.cancellations,
      ]),
    ).toEqual([
      ['2026-11-15', 100_000, 1, 0],
      ['2026-11-16', 110_000, 1, 1],
      ['2026-11-17', 3_003, 1, 0],
      ['2026-12-01', 0, 0, 1],
      ['2026-12-02', 5_000, 1, 0],
    ]);
    expect(days.body.topProducts).toEqual([
      { sku: 'PHONE', name: 'Phone', quantity: 2, revenue: 200_000, orders: 2 },
      { sku: 'CASE', name: 'Case', quantity: 3, revenue: 15_000, orders: 2 },
      { sku: 'CABLE', name: 'Cable', quantity: 3, revenue: 3_003, orders: 1 },
    ]);

    const weeks = await sales('from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z&groupBy=week');
    expect(weeks.body.periods.map((p: { period: string; revenue: number }) => [p.period, p.revenue])).toEqual([
      ['2026-11-09', 100_000],
      ['2026-11-16', 113_003],
      ['2026-11-30', 5_000],
    ]);
    const months = await sales('from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z&groupBy=month');
    expect(
      months.body.periods.map((p: { period: string; orders: number; averageCheck: number }) => [
        p.period,
        p.orders,
        p.averageCheck,
      ]),
    ).toEqual([
      ['2026-11-01', 3, 71_001],
      ['2026-12-01', 1, 5_000],
    ]);
    const none = await sales('from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z');
    expect(none.body).toMatchObject({
      totals: { revenue: 0, orders: 0, averageCheck: 0, cancellationRatePercent: 0 },
      periods: [],
      topProducts: [],
    });
    const bad = await sales('from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.from');
  });

  it('lists orders newest first with filters, and shows one order', async () => {
    const all = await call(api.url, 'GET', `/api/v1/stores/${storeId}/orders?limit=2`, { token: merchant.token });
    expect(all.body).toMatchObject({ total: 6, page: 1, limit: 2 });
    expect(all.body.items.map((o: { code: string }) => o.code)).toEqual(['6', '5']);
    const archive = await call(
      api.url,
      'GET',
      `/api/v1/stores/${storeId}/orders?state=ARCHIVE&from=2026-11-16T00:00:00Z&to=2026-12-01T23:59:59Z`,
      { token: merchant.token },
    );
    expect(archive.body.items.map((o: { code: string }) => o.code)).toEqual(['5', '3']);
    const one = await call(api.url, 'GET', `/api/v1/orders/${ids['2']}`, { token: merchant.token });
    expect(one.body).toMatchObject({
      code: '2',
      status: 'ACCEPTED_BY_MERCHANT',
      totalPrice: 110_000,
      customerPhone: null,
      entries: [{ sku: 'CASE', quantity: 2 }, { sku: 'PHONE' }],
    });
    expect(
      (await call(api.url, 'GET', `/api/v1/stores/${storeId}/orders?status=SHIPPED`, { token: merchant.token })).status,
    ).toBe(400);
  });
});
