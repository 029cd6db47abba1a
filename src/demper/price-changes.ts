/**
 * A price change's life, as rows of `price_changes`. Every write of a change's status is a function
 * here, so the states and who moves a change between them are all in this file:
 *
 *   recordDecision (check) ───┐                 ┌─► sent        markSent (push: Kaspi took it, or a retry found it live)
 *   recordMerchantChange ─────┴─► pending ──────┼─► superseded  markSuperseded (push: a newer decision is to go instead)
 *   (manual price, preorder)                    ├─► deferred    deferChanges (push: no session, budget spent, step stopped),
 *                                               │               markPushFailed (push: the merchant could not push at all)
 *                                               └─► failed      failStaleDecisions (push: a decision waited too long),
 *                                                               markPushFailed (push: Kaspi refused or lost it),
 *                                                               failPendingPreorderSets (preorders: upload given up)
 *
 *   recordDecision (check, dry run) ──► proposed ──► applied    markApplied (proposals: the merchant applied it; its
 *                                                               prices go as a new change, by recordMerchantChange)
 *
 * Only `pending` and `proposed` move on: a change deferred or failed is not sent later, its product is
 * decided afresh instead. `markPushStarted` does not move a change; it notes, before each push goes out,
 * that the change may be live at Kaspi even while it still reads `pending`.
 */
import { and, asc, desc, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db';
import { priceChangeManualSeq, priceChanges, type products } from '../db/schema';
import type { SentChange } from '../domain/change-value';
import type { CityPrice } from '../domain/city-prices';
import { DEMPER_CONFIG_LIMITS } from '../domain/demper-config';
import { PREORDER_SET, type ChangeDetail } from '../domain/price-change';
import type { PriceDecision } from '../domain/pricing';

export type PriceChange = typeof priceChanges.$inferSelect;
type ProductRow = typeof products.$inferSelect;

/** A demper decision of one product in one read of a check batch of a cycle, as the check made it. */
export interface Decision {
  storeId: string;
  productId: string;
  cycle: number;
  batch: number;
  /** The product's read within the batch, from 0: a batch reads a contested product again while it runs. */
  round: number;
  /** The decisions that changed a price, one per city (at least one). */
  changes: PriceDecision[];
  /** The whole push: every city the offer sells in. */
  cityPrices: CityPrice[];
  /** Merchant names as the cards showed them, by merchant id. */
  merchantNames: Record<string, string>;
  /** A dry run records the decision as a proposal, never pushed. */
  dryRun: boolean;
  /** How long the push is expected to stand (`change-value.ts`): what the push step weighs it by. */
  holdSeconds: number;
  /** Something is known of how long each of its cards stands (`holdIsKnown`); a raise where nothing is waits on the budget. */
  holdKnown: boolean;
}

/**
 * Records a demper decision, `pending` (or `proposed` in a dry run); false when it was not recorded.
 * A late retry of an older batch's check (or of an earlier read within it) must not record a decision
 * after a newer one's, nor a retry of the same batch record it twice; and in a dry run, where the live
 * price does not move, the proposal standing for the product is not recorded again every check.
 */
export async function recordDecision(tx: Pick<Db, 'select' | 'execute'>, decision: Decision): Promise<boolean> {
  const row = decisionRow(decision);
  if (decision.dryRun && (await sameAsStandingProposal(tx, decision.productId, decision.cityPrices))) return false;
  const columns = [
    priceChanges.storeId,
    priceChanges.productId,
    priceChanges.cycle,
    priceChanges.batch,
    priceChanges.round,
    priceChanges.cityId,
    priceChanges.oldPrice,
    priceChanges.newPrice,
    priceChanges.reason,
    priceChanges.detail,
    priceChanges.status,
    priceChanges.source,
  ];
  // One statement, so the check for a newer batch and the insert see the same rows.
  const inserted = await tx.execute(sql`
    insert into ${priceChanges} (${names(columns)})
    select ${row.storeId}, ${row.productId}, ${row.cycle}, ${row.batch}, ${row.round}, ${row.cityId}, ${row.oldPrice}, ${row.newPrice},
           ${row.reason}, ${JSON.stringify(row.detail)}::jsonb, ${row.status}, ${row.source}
    where not exists (
      select 1 from ${priceChanges}
      where ${priceChanges.productId} = ${row.productId} and ${priceChanges.source} = 'demper'
        and (${priceChanges.cycle}, ${priceChanges.batch}, ${priceChanges.round}) > (${row.cycle}, ${row.batch}, ${row.round})
    )
    on conflict (${names([priceChanges.productId, priceChanges.cycle, priceChanges.batch, priceChanges.round])}) do nothing`);
  return (inserted.rowCount ?? 0) > 0;
}

/** Column names for a raw statement's column list, taken from the schema so a rename reaches them. */
function names(columns: readonly AnyPgColumn[]): SQL {
  return sql.join(
    columns.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
}

function decisionRow(decision: Decision) {
  const { changes, cityPrices } = decision;
  const first = changes[0]!;
  const rivalNames = Object.fromEntries(
    changes.flatMap((c) => {
      const name = c.rival && decision.merchantNames[c.rival.merchantId];
      return c.rival && name ? [[c.rival.merchantId, name]] : [];
    }),
  );
  const detail: ChangeDetail = { cityPrices, changes, rivalNames, holdSeconds: decision.holdSeconds };
  return {
    storeId: decision.storeId,
    productId: decision.productId,
    cycle: decision.cycle,
    batch: decision.batch,
    round: decision.round,
    cityId: changes.length === 1 ? first.cityId : null,
    oldPrice: changes.length === 1 ? first.livePriceTenge : Math.min(...changes.map((c) => c.livePriceTenge)),
    newPrice: changes.length === 1 ? first.targetPriceTenge : Math.min(...cityPrices.map((c) => c.value)),
    reason: first.reason,
    detail,
    status: decision.dryRun ? ('proposed' as const) : ('pending' as const),
    source: 'demper' as const,
  };
}

async function sameAsStandingProposal(
  tx: Pick<Db, 'select'>,
  productId: string,
  cityPrices: readonly CityPrice[],
): Promise<boolean> {
  const [latest] = await tx
    .select({ status: priceChanges.status, detail: priceChanges.detail })
    .from(priceChanges)
    .where(eq(priceChanges.productId, productId))
    .orderBy(desc(priceChanges.seq))
    .limit(1);
  if (latest?.status !== 'proposed') return false;
  // Compared as values: PostgreSQL hands jsonb objects back with their keys in its own order.
  const key = (prices: readonly CityPrice[]) =>
    prices
      .map((c) => `${c.cityId}=${c.value}`)
      .sort()
      .join(',');
  return key(latest.detail.cityPrices) === key(cityPrices);
}

/**
 * Records a change the merchant asked for — a price set by hand, or a preorder set or cleared — as
 * `pending`, for the store's loop to push through the same fenced, paced path as its own decisions.
 * Its `cycle` comes from a sequence of its own, negated, so it never meets a demper cycle.
 */
export async function recordMerchantChange(
  db: Pick<Db, 'insert'>,
  product: Pick<ProductRow, 'id' | 'storeId' | 'price'>,
  change: { source: 'manual' | 'preorder'; reason: string; detail: ChangeDetail; cityId?: string | null },
): Promise<PriceChange> {
  const [row] = await db
    .insert(priceChanges)
    .values({
      storeId: product.storeId,
      productId: product.id,
      cycle: sql`-nextval(${priceChangeManualSeq.seqName}::regclass)`,
      cityId: change.cityId ?? null,
      oldPrice: product.price,
      newPrice: Math.min(...change.detail.cityPrices.map((c) => c.value)),
      reason: change.reason,
      detail: change.detail,
      status: 'pending',
      source: change.source,
    })
    .returning();
  return row!;
}

/**
 * pending → failed: the store's demper decisions not pushed within `maxAgeSeconds` of being made, or
 * within the time they were expected to stand (`ChangeDetail.holdSeconds`), whichever is shorter: by
 * then the card has likely moved, and a push decided from the old read would buy nothing. Every
 * decision has at least the shortest check interval to go out, so a card whose rival seems to move
 * faster than we can read it is still answered.
 */
export async function failStaleDecisions(
  db: Pick<Db, 'update'>,
  storeId: string,
  now: Date,
  maxAgeSeconds: number,
): Promise<void> {
  const hold = sql`coalesce((${priceChanges.detail}->>'holdSeconds')::float8, ${maxAgeSeconds})`;
  const limitSeconds = sql`least(${maxAgeSeconds}, greatest(${DEMPER_CONFIG_LIMITS.minIntervalSeconds}, ${hold}))`;
  await db
    .update(priceChanges)
    .set({ status: 'failed', error: sql`'not sent within ' || ceil(${limitSeconds}) || ' s of its decision'` })
    .where(
      and(
        eq(priceChanges.storeId, storeId),
        eq(priceChanges.status, 'pending'),
        eq(priceChanges.source, 'demper'),
        sql`${priceChanges.createdAt} < ${now.toISOString()}::timestamptz - make_interval(secs => ${limitSeconds})`,
      ),
    );
}

/** The store's changes waiting to be pushed, in recording order; only the merchant's own with `manualOnly`. */
export async function pendingChanges(
  db: Pick<Db, 'select'>,
  storeId: string,
  manualOnly: boolean,
): Promise<PriceChange[]> {
  return db
    .select()
    .from(priceChanges)
    .where(
      and(
        eq(priceChanges.storeId, storeId),
        eq(priceChanges.status, 'pending'),
        manualOnly ? ne(priceChanges.source, 'demper') : undefined,
      ),
    )
    .orderBy(asc(priceChanges.seq));
}

/** The store's changes sent since `since`, for the change budget: when each was sent, and how long it was expected to stand. */
export async function sentChangesSince(db: Pick<Db, 'select'>, storeId: string, since: Date): Promise<SentChange[]> {
  const rows = await db
    .select({
      sentAt: priceChanges.sentAt,
      holdSeconds: sql<number | null>`(${priceChanges.detail}->>'holdSeconds')::float8`,
    })
    .from(priceChanges)
    .where(and(eq(priceChanges.storeId, storeId), eq(priceChanges.status, 'sent'), gt(priceChanges.sentAt, since)));
  return rows.map((r) => ({ atMs: r.sentAt!.getTime(), holdSeconds: r.holdSeconds }));
}

/** Those of `changes` still pending. */
function stillPending(changes: readonly Pick<PriceChange, 'id'>[]): SQL {
  return and(
    inArray(
      priceChanges.id,
      changes.map((c) => c.id),
    ),
    eq(priceChanges.status, 'pending'),
  )!;
}

/** pending → deferred, with why; how many were still pending. */
export async function deferChanges(
  db: Pick<Db, 'update'>,
  changes: readonly Pick<PriceChange, 'id'>[],
  why: string,
): Promise<number> {
  if (changes.length === 0) return 0;
  const updated = await db
    .update(priceChanges)
    .set({ status: 'deferred', error: why })
    .where(stillPending(changes))
    .returning({ id: priceChanges.id });
  return updated.length;
}

/**
 * Notes that a push of the change begins, committed on its own before the request goes out, so the
 * note outlives a crash that rolls back the push's record. Gives the change's product and whether an
 * earlier push of it began (and so may be live already); null when the change is gone.
 */
export async function markPushStarted(
  db: Pick<Db, 'select' | 'update'>,
  changeId: string,
  at: Date,
): Promise<{ productId: string; mayBeLive: boolean } | null> {
  const [change] = await db
    .select({ productId: priceChanges.productId, pushStartedAt: priceChanges.pushStartedAt })
    .from(priceChanges)
    .where(eq(priceChanges.id, changeId));
  if (!change) return null;
  await db
    .update(priceChanges)
    .set({ pushStartedAt: at })
    .where(and(eq(priceChanges.id, changeId), eq(priceChanges.status, 'pending')));
  return { productId: change.productId, mayBeLive: change.pushStartedAt !== null };
}

/** The change as it is now (under the product's lock, when the caller holds it). */
export async function readChange(db: Pick<Db, 'select'>, changeId: string): Promise<PriceChange | undefined> {
  const [change] = await db.select().from(priceChanges).where(eq(priceChanges.id, changeId));
  return change;
}

/** Whether a decision of the product recorded after this change is to be pushed (a proposal is not). */
export async function hasNewerDecision(
  db: Pick<Db, 'select'>,
  change: Pick<PriceChange, 'productId' | 'seq'>,
): Promise<boolean> {
  const [newer] = await db
    .select({ id: priceChanges.id })
    .from(priceChanges)
    .where(
      and(
        eq(priceChanges.productId, change.productId),
        gt(priceChanges.seq, change.seq),
        ne(priceChanges.status, 'proposed'),
      ),
    )
    .limit(1);
  return newer !== undefined;
}

/** pending → sent; `jobId` is null when a retry found the change already live. */
export async function markSent(
  db: Pick<Db, 'update'>,
  changeId: string,
  jobId: string | null,
  at: Date,
): Promise<void> {
  await db
    .update(priceChanges)
    .set({ status: 'sent', kaspiJobId: jobId, sentAt: at })
    .where(eq(priceChanges.id, changeId));
}

/** pending → superseded: a newer decision of the product is to be pushed instead. */
export async function markSuperseded(db: Pick<Db, 'update'>, changeId: string): Promise<void> {
  await db.update(priceChanges).set({ status: 'superseded' }).where(eq(priceChanges.id, changeId));
}

/**
 * Of the pending changes (oldest first), those a newer pending change of the same product follows:
 * they would only be found superseded when their turn came. One that an attempt may already have sent
 * is left out — its sender looks at the cabinet first (`sendPriceChange`).
 */
export function outdatedPending(pending: readonly PriceChange[]): PriceChange[] {
  const newest = new Map<string, number>();
  for (const change of pending) newest.set(change.productId, Math.max(newest.get(change.productId) ?? 0, change.seq));
  return pending.filter((c) => c.seq < newest.get(c.productId)! && c.pushStartedAt === null);
}

/** pending → superseded, for many at once; only those still pending. */
export async function supersedePending(db: Pick<Db, 'update'>, changes: readonly Pick<PriceChange, 'id'>[]) {
  if (changes.length === 0) return;
  await db.update(priceChanges).set({ status: 'superseded' }).where(stillPending(changes));
}

/** pending → deferred or failed, as the push failure policy says, with Kaspi's error. */
export async function markPushFailed(
  db: Pick<Db, 'update'>,
  changeId: string,
  status: 'deferred' | 'failed',
  error: string,
): Promise<void> {
  await db
    .update(priceChanges)
    .set({ status, error: error.slice(0, 500) })
    .where(eq(priceChanges.id, changeId));
}

/** proposed → applied: the merchant applied the proposal (its prices go as a change of their own). */
export async function markApplied(db: Pick<Db, 'update'>, changeId: string): Promise<void> {
  await db.update(priceChanges).set({ status: 'applied' }).where(eq(priceChanges.id, changeId));
}

/** pending → failed: the store's preorder pushes still waiting, when their upload is given up. */
export async function failPendingPreorderSets(db: Pick<Db, 'update'>, storeId: string, reason: string): Promise<void> {
  await db
    .update(priceChanges)
    .set({ status: 'failed', error: reason })
    .where(
      and(eq(priceChanges.storeId, storeId), eq(priceChanges.reason, PREORDER_SET), eq(priceChanges.status, 'pending')),
    );
}
