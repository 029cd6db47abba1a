/**
 * What the merchant hears about their demper's trouble (delivered by Telegram, with a link to the
 * store): Kaspi banning their price changes, and many products held at their floors at once — the sign
 * of a price war or of floors set too high, which only the merchant can judge.
 */

import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { alerts } from '../db/schema';
import type { Logger } from '../lib/logger';
import { recordAlert } from '../notify/alerts';

export interface DemperAlertDeps {
  db: Db;
  logger: Logger;
}

/** Products held at their floor in one check batch that make an alert. */
export const FLOOR_ALERT_MIN_PRODUCTS = 10;
/** At most one floor alert per store in this long. */
const FLOOR_ALERT_EVERY_MS = 24 * 3600_000;

const storeLink = (storeId: string) => `/api/v1/stores/${storeId}/demper`;

export async function pricePushesBanned(
  deps: DemperAlertDeps,
  store: { id: string; userId: string },
  until: string,
): Promise<void> {
  await recordAlert(deps.db, deps.logger, {
    audience: 'user',
    userId: store.userId,
    kind: 'demper_banned',
    message: `Kaspi refused price changes of your store (429); the demper sends none until ${until} and catches up after.`,
    link: storeLink(store.id),
  });
}

export async function manyHeldAtFloor(
  deps: DemperAlertDeps,
  store: { id: string; userId: string },
  heldAtFloor: number,
): Promise<void> {
  if (heldAtFloor < FLOOR_ALERT_MIN_PRODUCTS) return;
  const [recent] = await deps.db
    .select({ id: alerts.id })
    .from(alerts)
    .where(
      and(
        eq(alerts.kind, 'floor_reached'),
        eq(alerts.link, storeLink(store.id)),
        gt(alerts.createdAt, sql`now() - make_interval(secs => ${FLOOR_ALERT_EVERY_MS / 1000})`),
      ),
    )
    .limit(1);
  if (recent) return;
  await recordAlert(deps.db, deps.logger, {
    audience: 'user',
    userId: store.userId,
    kind: 'floor_reached',
    message: `${heldAtFloor} products are held at their floor price: rivals sell below it. Check the floors, or the rivals.`,
    link: storeLink(store.id),
  });
}
