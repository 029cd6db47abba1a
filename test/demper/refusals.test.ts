import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { alerts, products } from '../../src/db/schema';
import { completeDemperConfig } from '../../src/domain/demper-config';
import { ALMATY } from '../../src/kaspi/cities';
import type { LimitProfile } from '../../sandbox';
import { configureDemper, wakeDemper } from '../../src/stores/demper-control';
import {
  changesOf,
  connectStore,
  control,
  demperProduct,
  FAST_LOOP,
  loopStatus,
  startLoop,
  storeRow,
  useDemperStack,
} from '../support/demper';
import { waitFor } from '../support/wait';

const BANNED = '30900001';
const CALM = '30900002';
const RIVAL = '31000001';
const BAN_MS = 6_000;
const READ_PAUSE_MS = 2_000;

/** One push a second per merchant, else a 429 and a ban of BAN_MS. Reads unlimited until a test says otherwise. */
const TIGHT_PUSHES: LimitProfile = {
  name: 'tight-pushes',
  publicReads: [],
  pushes: [{ windowMs: 1_000, maxRequests: 1, status: 429, banMs: BAN_MS }],
  changes: [],
};

/**
 * What the loop does when Kaspi refuses it: a 429 on pushes shuts that merchant's writes for the
 * ban and nothing is sent meanwhile, while another store keeps pushing; a 401 marks the store's
 * session expired and pauses its loop, saying why; a 403 on reads keeps every read back for the
 * ban pause (direct reads: one address).
 */
describe("the loop under Kaspi's refusals", () => {
  const { sandbox, ctx } = useDemperStack({
    env: { DIRECT_READ_BAN_PAUSE_SECONDS: String(READ_PAUSE_MS / 1000) },
    profile: TIGHT_PUSHES,
    market: {
      merchants: [BANNED, CALM, RIVAL].map((uid) => ({ uid, name: uid, points: [{ code: 'PP1', cityId: ALMATY }] })),
      offers: [
        ...[1, 2, 3].flatMap((n) => [
          { merchantUid: BANNED, sku: `B-${n}`, productId: `90000000${n}`, price: 10_000 },
          { merchantUid: RIVAL, sku: `RB-${n}`, productId: `90000000${n}`, price: 9_000 + n },
        ]),
        { merchantUid: CALM, sku: 'C-1', productId: '900000010', price: 10_000 },
        { merchantUid: RIVAL, sku: 'RC-1', productId: '900000010', price: 9_000 },
      ],
      bots: [{ merchantUid: RIVAL, sku: 'RC-1', kind: 'raise', intervalMs: 300, stepTenge: 10, ceilingPrice: 50_000 }],
    },
  });
  let bannedStore: { id: string; userId: string };
  let calmStore: { id: string; userId: string };

  beforeAll(async () => {
    bannedStore = (await connectStore(ctx, sandbox, BANNED)).store;
    calmStore = (await connectStore(ctx, sandbox, CALM)).store;
    for (const n of [1, 2, 3]) {
      await demperProduct(ctx, bannedStore.id, {
        kaspiProductId: `90000000${n}`,
        sku: `B-${n}`,
        price: 10_000,
        minPrice: 5_000,
      });
    }
    await demperProduct(ctx, calmStore.id, { kaspiProductId: '900000010', sku: 'C-1', price: 10_000, minPrice: 5_000 });
    await startLoop(ctx, bannedStore);
    await startLoop(ctx, calmStore);
  });

  it('stops a merchant’s writes for a 429 ban, sends nothing meanwhile, and goes on after; other stores are not held up', async () => {
    // Three changes at two pushes a second: the second push is refused and the merchant banned.
    const refused = await waitFor('a 429', () =>
      sandbox.market.pushLog({ merchantUid: BANNED }).find((p) => p.status === 429),
    );
    const banEnds = refused.atMs + BAN_MS;
    // From here on one push per two seconds, which the ban rule allows.
    await configureDemper(control(ctx), bannedStore.id, {
      ...completeDemperConfig(FAST_LOOP),
      maxPushesPerSecond: 0.5,
    });
    const status = await loopStatus(ctx, bannedStore.id);
    expect(status.breakers).toEqual([expect.objectContaining({ surface: 'writes' })]);
    expect(Date.parse(status.breakers[0]!.until)).toBeGreaterThanOrEqual(banEnds - 1_000);

    await waitFor(
      'a push after the ban',
      () => sandbox.market.pushLog({ merchantUid: BANNED, sinceMs: banEnds }).find((p) => p.status === 200),
      20_000,
    );
    const duringBan = sandbox.market
      .pushLog({ merchantUid: BANNED, sinceMs: refused.atMs + 1 })
      .filter((p) => p.atMs < banEnds - 100);
    expect(duringBan).toEqual([]);
    // The calm store kept pushing through the other merchant's ban.
    const calm = sandbox.market
      .pushLog({ merchantUid: CALM, sinceMs: refused.atMs })
      .filter((p) => p.atMs < banEnds && p.status === 200);
    expect(calm.length).toBeGreaterThan(0);

    // The merchant is told (by Telegram, once delivered), with a link to the store's demper.
    const told = await ctx.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.userId, bannedStore.userId), eq(alerts.kind, 'demper_banned')));
    expect(told).toEqual([
      expect.objectContaining({ audience: 'user', link: `/api/v1/stores/${bannedStore.id}/demper` }),
    ]);
    const deferred = (await Promise.all([1, 2, 3].map(async (n) => changesOf(ctx, await productId(`B-${n}`))))).flat();
    expect(deferred.some((c) => c.status === 'deferred' && /throttled/.test(c.error ?? ''))).toBe(true);
    await waitFor(
      'every product first after the ban',
      async () => [1, 2, 3].every((n) => sandbox.market.card(`90000000${n}`, ALMATY)[0]?.offer.merchantUid === BANNED),
      20_000,
    );
  });

  it('pauses the loop of a store whose session Kaspi rejects, and records why', async () => {
    sandbox.auth.expireSessions({ merchantUid: BANNED });
    // The rival cuts its price: the loop has a change to push and meets the 401.
    const rivalOffer = sandbox.market.offer(RIVAL, 'RB-1')!;
    sandbox.market.mutate(rivalOffer, () => rivalOffer.cityPrices.set(ALMATY, 8_000));
    await waitFor('the paused loop', async () => (await loopStatus(ctx, bannedStore.id)).state === 'paused', 20_000);
    expect(await loopStatus(ctx, bannedStore.id)).toMatchObject({ pausedReason: 'needs_reauth' });
    expect(await storeRow(ctx, bannedStore.id)).toMatchObject({
      sessionState: 'needs_reauth',
      demperPausedReason: 'needs_reauth',
    });
    expect((await loopStatus(ctx, calmStore.id)).state).toBe('running');
  });

  it('keeps every read back for the ban pause after a 403 on the storefront', async () => {
    sandbox.setProfile({
      name: 'tight-reads',
      publicReads: [{ windowMs: 1_000, maxRequests: 3, status: 403, banMs: 1_000 }],
      pushes: [],
      changes: [],
    });
    // Six more products for the calm store, due at once: read at 12 a second, they break the 3-a-second rule.
    for (let n = 1; n <= 6; n++) {
      sandbox.seed({ offers: [{ merchantUid: CALM, sku: `C-x${n}`, productId: `90000010${n}`, price: 5_000 }] });
      await demperProduct(ctx, calmStore.id, {
        kaspiProductId: `90000010${n}`,
        sku: `C-x${n}`,
        price: 5_000,
        minPrice: 4_000,
      });
    }
    const since = Date.now();
    await wakeDemper(control(ctx), calmStore.id, 'product_activated');
    const breaker = await waitFor('the reads breaker', async () =>
      (await loopStatus(ctx, calmStore.id)).breakers.find((b) => b.surface === 'reads'),
    );
    expect(breaker.reason).toMatch(/read/);
    await waitFor(
      'reads again after the pause',
      () => sandbox.requests.filter((r) => r.endpoint === 'offers' && r.atMs > since && r.status === 200).length > 7,
      20_000,
    );
    const offers = sandbox.requests.filter((r) => r.endpoint === 'offers' && r.atMs >= since);
    const bans = offers.filter((r) => r.status === 403);
    const IN_FLIGHT_MS = 250;
    expect(bans.length).toBeGreaterThan(0);
    for (const ban of bans) {
      // Reads sent at the same moment as the one refused were on their way before the 403 could be known.
      const tooSoon = offers.filter((r) => r.atMs > ban.atMs + IN_FLIGHT_MS && r.atMs < ban.atMs + READ_PAUSE_MS - 100);
      expect(tooSoon, `reads within the pause after the 403 at ${ban.atMs}`).toEqual([]);
    }
  });

  async function productId(sku: string): Promise<string> {
    const [row] = await ctx.db
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.storeId, bannedStore.id), eq(products.sku, sku)));
    return row!.id;
  }
});
