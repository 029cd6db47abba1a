/**
 * What a check learned of its products, written back in one statement per batch rather than one per
 * product: a check's main cost in PostgreSQL is its row write, and a statement (with its round trip and
 * transaction) per product cost more than the rows themselves.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db';
import { products } from '../db/schema';
import type { CityPricingState } from '../domain/pricing';
import { noLaterThanStoreInterval } from './schedule';

/** A product row as a check leaves it. */
export interface CheckedRow {
  id: string;
  price: number | null;
  cityPrices: Record<string, number>;
  position: number | null;
  cheapestRivalPrice: number | null;
  cheapestRivalMerchant: string | null;
  cheapestRivalName: string | null;
  offersCount: number | null;
  lastReason: string | null;
  statsDay: string | null;
  watchedSeconds: number;
  firstSeconds: number;
  floorSeconds: number;
  pricingState: Record<string, CityPricingState>;
  /**
   * When the pending cut of each city the check started from was made (`pendingCutTimes`). A push that
   * recorded a newer cut while the check read the card keeps it: the check's state is from before it.
   */
  cutsReadAtMs: Record<string, number>;
  lastCheckAt: Date;
  nextCheckAt: Date;
  hotUntil: Date | null;
  checkErrors: number;
}

/** Each written column, and its type as `jsonb_to_recordset` reads it. */
const COLUMNS: [keyof CheckedRow, AnyPgColumn, string][] = [
  ['price', products.price, 'integer'],
  ['cityPrices', products.cityPrices, 'jsonb'],
  ['position', products.position, 'integer'],
  ['cheapestRivalPrice', products.cheapestRivalPrice, 'integer'],
  ['cheapestRivalMerchant', products.cheapestRivalMerchant, 'text'],
  ['cheapestRivalName', products.cheapestRivalName, 'text'],
  ['offersCount', products.offersCount, 'integer'],
  ['lastReason', products.lastReason, 'text'],
  ['statsDay', products.statsDay, 'text'],
  ['watchedSeconds', products.watchedSeconds, 'integer'],
  ['firstSeconds', products.firstSeconds, 'integer'],
  ['floorSeconds', products.floorSeconds, 'integer'],
  ['pricingState', products.pricingState, 'jsonb'],
  ['lastCheckAt', products.lastCheckAt, 'timestamptz'],
  ['nextCheckAt', products.nextCheckAt, 'timestamptz'],
  ['hotUntil', products.hotUntil, 'timestamptz'],
  ['checkErrors', products.checkErrors, 'integer'],
];

/** When each city's pending cut (our latest cut, waiting for the rival's answer) was made. */
export function pendingCutTimes(pricingState: Readonly<Record<string, CityPricingState>>): Record<string, number> {
  const times: Record<string, number> = {};
  for (const [cityId, state] of Object.entries(pricingState)) {
    if (state.war.pendingCut) times[cityId] = state.war.pendingCut.atMs;
  }
  return times;
}

/**
 * The pricing state a check leaves, keeping a cut a push recorded while the check ran. The push holds
 * the product's row lock, so this statement sees its cut once it committed.
 */
function pricingStateKeepingNewerCuts(checked: SQL): SQL {
  const current = sql`${products}.${sql.identifier(products.pricingState.name)}`;
  const pushedCut = sql`${current} #> array[e.key, 'war', 'pendingCut']`;
  return sql`(
    select coalesce(jsonb_object_agg(e.key, case
      when (${pushedCut} ->> 'atMs')::float8 > coalesce((v.cuts_read ->> e.key)::float8, -1)
      then jsonb_set(e.value, '{war,pendingCut}', ${pushedCut})
      else e.value end), '{}'::jsonb)
    from jsonb_each(${checked}) as e)`;
}

/**
 * Writes the rows of one store's check batch, each product's next check no later than the store's
 * quiet interval as saved now (`noLaterThanStoreInterval`).
 */
export async function writeCheckedRows(
  db: Pick<Db, 'execute'>,
  storeId: string,
  now: Date,
  rows: readonly CheckedRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const records = rows.map((row) =>
    Object.fromEntries([
      ['id', row.id],
      ['cuts_read', row.cutsReadAtMs],
      ...COLUMNS.map(([key, column]) => [column.name, row[key]]),
    ]),
  );
  const value = (column: AnyPgColumn): SQL => sql`v.${sql.identifier(column.name)}`;
  const assignments = COLUMNS.map(([, column]) => {
    const assigned =
      column === products.nextCheckAt
        ? noLaterThanStoreInterval(storeId, now, value(column))
        : column === products.pricingState
          ? pricingStateKeepingNewerCuts(value(column))
          : value(column);
    return sql`${sql.identifier(column.name)} = ${assigned}`;
  });
  const recordType = sql.join(
    [
      sql`id uuid`,
      sql`cuts_read jsonb`,
      ...COLUMNS.map(([, column, type]) => sql`${sql.identifier(column.name)} ${sql.raw(type)}`),
    ],
    sql`, `,
  );
  await db.execute(sql`
    update ${products} set ${sql.join(assignments, sql`, `)}
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as v(${recordType})
    where ${products.id} = v.id`);
}
