/**
 * The push step of a cycle: the cycle's recorded changes (and any manual price or preorder waiting)
 * go to Kaspi's pricefeed, paced per merchant, within the rolling change budget — the merchant's own
 * requests first, then the changes that win first place with the most at stake — and each one fenced:
 * it is sent only while it is the newest decision for its product, and a retry never sends one twice.
 * Every push names all of the offer's pickup points as the cabinet last showed them (a point left out
 * loses the offer); one whose points are unknown even to the cabinet's offer details goes without
 * them, and is counted.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { products, type ProductAvailability } from '../db/schema';
import { type ReadAhead, watchSeconds, type WorkingHours } from '../domain/check-schedule';
import { preorderApplied, pushPoints, type KnownPoint, type PushPoint } from '../domain/offer-points';
import type { ChangeDetail } from '../domain/price-change';
import { rememberPush } from '../domain/product-pricing';
import { pushFailurePolicy } from '../domain/push-failure';
import {
  changeBudgetStatus,
  lowersPrice,
  prioritiseChanges,
  takeWriteToken,
  type ChangeBudget,
  type ChangeCandidate,
  type WriteBucket,
} from '../domain/write-budget';
import {
  fetchOfferDetails,
  isKaspiError,
  pushPrice,
  type CabinetContext,
  type KaspiError,
  type KaspiUrls,
  type OfferDetails,
} from '../kaspi';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { readStoreSession } from '../stores/session';
import {
  deferChanges,
  failStaleDecisions,
  hasNewerDecision,
  markPushFailed,
  markPushStarted,
  markSent,
  markSuperseded,
  outdatedPending,
  pendingChanges,
  readChange,
  sentChangesSince,
  supersedePending,
  type PriceChange,
} from './price-changes';
import { storeNextWakeAt, storeReadAhead } from './schedule';

export interface PushDeps {
  db: Db;
  keyring: Keyring;
  urls: KaspiUrls;
  timeoutMs: number;
  logger: Logger;
  budget: ChangeBudget;
  /** As the check's (`CheckDeps`): when the loop looks next depends on it. */
  readAheadSeconds: number;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Called before each push: an activity heartbeats here, and stops when it was cancelled. */
  progress(done: number): void;
}

export interface PushInput {
  storeId: string;
  userId: string;
  merchantUid: string;
  /** A demper decision not pushed within this long is stale: its product is read and decided afresh. */
  decisionMaxAgeSeconds: number;
  maxPushesPerSecond: number;
  /** The merchant's write pace, carried between push steps by the loop. */
  bucket: WriteBucket;
  /** Only the merchant's own requests: manual prices and preorders (the loop is paused). */
  manualOnly: boolean;
  workingHours: WorkingHours | null;
}

export interface PushResult {
  sent: number;
  /** Of those, pushes that named no pickup points because none was known. */
  withoutAvailabilities: number;
  deferred: number;
  failed: number;
  /** Kaspi stopped this merchant's writes (429) or its pricefeed is failing: no push before then. */
  writesBlockedUntil: string | null;
  writesBlockedReason: string | null;
  /** The block above is Kaspi's ban of this merchant's price changes (429). */
  merchantThrottled: boolean;
  sessionExpired: boolean;
  bucket: WriteBucket;
  nextDueAt: string | null;
}

/** How long writes rest after the pricefeed failed for a reason other than a ban (5xx, timeout). */
const PRICEFEED_TROUBLE_PAUSE_MS = 30_000;

/**
 * Points older than this are read again (the cabinet's offer details) before a push names them: a point
 * the merchant opened since would otherwise be left out, and Kaspi would take the offer off it.
 */
export const POINTS_MAX_AGE_MS = 60 * 60_000;

export async function pushPendingChanges(deps: PushDeps, input: PushInput): Promise<PushResult> {
  const { db } = deps;
  const result: PushResult = {
    sent: 0,
    withoutAvailabilities: 0,
    deferred: 0,
    failed: 0,
    writesBlockedUntil: null,
    writesBlockedReason: null,
    merchantThrottled: false,
    sessionExpired: false,
    bucket: input.bucket,
    nextDueAt: null,
  };

  // Looked up once per step: it sets how soon a cut is read again and when the loop wakes next.
  const readAhead = await storeReadAhead(deps.db, input.userId, deps.readAheadSeconds);
  const pending = await pendingInPushOrder(deps, input);
  if (pending.length === 0) return finish(deps, input, result, readAhead);

  const session = await readStoreSession(db, deps.keyring, input.storeId);
  if (!session) {
    result.sessionExpired = true;
    result.deferred += await deferChanges(db, pending, 'the store has no Kaspi session');
    return finish(deps, input, result, readAhead);
  }
  const ctx: CabinetContext = { urls: deps.urls, timeoutMs: deps.timeoutMs, session };

  const since = new Date(deps.now().getTime() - deps.budget.windowSeconds * 1000);
  const sendTimes = (await sentChangesSince(db, input.storeId, since)).map((c) => c.atMs);
  const budget = changeBudgetStatus(sendTimes, deps.now(), deps.budget);
  // The check that recorded a change spent the allowance on it, paced by its kind; what is left here is
  // only the budget's hard limit, which the merchant's own requests count against too.
  const selected = pending.slice(0, budget.remaining);
  const overBudget = pending.slice(budget.remaining);
  if (overBudget.length > 0) {
    result.deferred += await deferChanges(
      db,
      overBudget,
      `change budget spent until ${budget.nextFreeAt.toISOString()}`,
    );
    // Decided again once the budget has room, from the card as it is then.
    await db
      .update(products)
      .set({ nextCheckAt: budget.nextFreeAt })
      .where(
        inArray(
          products.id,
          overBudget.map((r) => r.productId),
        ),
      );
  }

  const pace = { pushesPerSecond: input.maxPushesPerSecond, burst: 1 };
  const watch = readAhead ? watchSeconds(readAhead) : null;
  for (let index = 0; index < selected.length; index++) {
    deps.progress(index);
    let token = takeWriteToken(result.bucket, deps.now(), pace);
    while (!token.granted) {
      await deps.sleep(token.nextAllowedAt.getTime() - deps.now().getTime());
      token = takeWriteToken(result.bucket, deps.now(), pace);
    }
    result.bucket = token.bucket;
    // While the step waited for the pace, checks went on deciding: a change of the step's list may have
    // been decided afresh, and a better one recorded. The best pending change goes now, never a spent one;
    // the step sends no more changes than it selected within the budget.
    const [change] = await pendingInPushOrder(deps, input);
    if (!change) break;
    const outcome = await sendPriceChange(deps, ctx, input.merchantUid, change.id, watch);
    if (outcome.kind === 'sent' || outcome.kind === 'already_live') result.sent++;
    if (outcome.kind === 'sent' && outcome.withoutAvailabilities) result.withoutAvailabilities++;
    else if (outcome.kind === 'failed') {
      result.failed++;
      const stop = afterFailure(deps, outcome.error, result);
      if (stop) {
        result.deferred += await deferChanges(db, await pendingInPushOrder(deps, input), stop);
        break;
      }
    }
  }
  return finish(deps, input, result, readAhead);
}

/**
 * The store's pending changes in the order they go (`inPushOrder`). A demper decision that waited too
 * long (writes were paced or blocked) is stale: it fails here, and its product is decided afresh on its
 * next check. Of a product's decisions only the newest is worth a place in the pace and the budget: an
 * older one is superseded here. The merchant's own requests (manual prices, preorders) go out even while
 * the loop is paused (`manualOnly`).
 */
async function pendingInPushOrder(
  deps: Pick<PushDeps, 'db' | 'now'>,
  input: Pick<PushInput, 'storeId' | 'manualOnly' | 'decisionMaxAgeSeconds'>,
): Promise<PriceChange[]> {
  await failStaleDecisions(deps.db, input.storeId, deps.now(), input.decisionMaxAgeSeconds);
  const all = await pendingChanges(deps.db, input.storeId, input.manualOnly);
  const outdated = outdatedPending(all);
  await supersedePending(deps.db, outdated);
  return inPushOrder(all.filter((c) => !outdated.includes(c)));
}

/** Manual prices and preorders first (the merchant asked), then the domain's order: first place, most at stake. */
function inPushOrder(pending: PriceChange[]): PriceChange[] {
  const manual = pending.filter((r) => r.source !== 'demper');
  const demper = pending.filter((r) => r.source === 'demper');
  const candidates: (ChangeCandidate & { row: PriceChange })[] = demper.map((row) => ({
    row,
    productId: row.productId,
    changes: row.detail.changes,
    ...(row.detail.holdSeconds === undefined ? {} : { holdSeconds: row.detail.holdSeconds }),
  }));
  const { selected } = prioritiseChanges(candidates, { remaining: candidates.length });
  return [...manual, ...selected.map((c) => c.row)];
}

/** What a failed push means for the rest of the step; a reason to stop, or null to go on. */
function afterFailure(deps: PushDeps, error: KaspiError, result: PushResult): string | null {
  const now = deps.now().getTime();
  const { stop } = pushFailurePolicy(error.kind);
  switch (stop) {
    case 'merchant_throttled':
      result.writesBlockedUntil = new Date(now + (error.cooldownMs ?? 0)).toISOString();
      result.writesBlockedReason = 'Kaspi throttled the merchant’s price pushes (429)';
      result.merchantThrottled = true;
      return 'merchant throttled';
    case 'session_expired':
      result.sessionExpired = true;
      return 'session expired';
    case 'pricefeed_failing':
      result.writesBlockedUntil = new Date(
        now + Math.max(error.retryAfterMs ?? 0, PRICEFEED_TROUBLE_PAUSE_MS),
      ).toISOString();
      result.writesBlockedReason = `the pricefeed is failing (${error.kind})`;
      return `pricefeed ${error.kind}`;
    case null:
      return null;
  }
}

async function finish(
  deps: PushDeps,
  input: PushInput,
  result: PushResult,
  readAhead: ReadAhead | null,
): Promise<PushResult> {
  result.nextDueAt =
    (await storeNextWakeAt(deps.db, input.storeId, deps.now(), input.workingHours, readAhead))?.toISOString() ?? null;
  return result;
}

export type SendOutcome =
  | { kind: 'sent'; jobId: string; withoutAvailabilities: boolean }
  /** A retry found the price already live: the earlier attempt's push went through. */
  | { kind: 'already_live' }
  | { kind: 'superseded' }
  /** Not pending any more (sent or settled by an earlier attempt). */
  | { kind: 'settled' }
  | { kind: 'failed'; error: KaspiError };

/**
 * Sends one recorded price change, fenced. Under a lock on the product row it checks that the
 * change is still pending and still the product's newest decision (else it is superseded), pushes
 * it, and records the result in the same transaction — so two senders of one product (a late retry
 * of an older cycle and the current one) take turns, and the later-recorded decision always lands
 * last. The lock is held across the push on purpose; it is one product row, for one request.
 *
 * A sender may die between Kaspi accepting a push and recording it (the transaction rolls back).
 * So each attempt first marks the change as started in a commit of its own; a later sender that
 * finds the mark looks at the cabinet first, and records a push it finds live instead of sending it
 * again — or, when a newer decision follows, instead of calling it superseded.
 */
export async function sendPriceChange(
  deps: Pick<PushDeps, 'db' | 'logger' | 'now'>,
  ctx: CabinetContext,
  merchantUid: string,
  changeId: string,
  /** A cut sent is read again this soon, to time its rival's answer (`watchSeconds`); null: at its next check. */
  watch: number | null = null,
): Promise<SendOutcome> {
  // Committed before the transaction below, so the mark outlives a crash that rolls it back.
  const change = await markPushStarted(deps.db, changeId, deps.now());
  if (!change) return { kind: 'settled' };
  return deps.db.transaction(async (tx) => {
    const [product] = await tx.select().from(products).where(eq(products.id, change.productId)).for('update');
    // Read again under the product's lock: another sender may have settled it meanwhile.
    const current = await readChange(tx, changeId);
    if (!product || current?.status !== 'pending') return { kind: 'settled' };
    const newer = await hasNewerDecision(tx, current);
    const { detail } = current;
    const cityPrices = detail.cityPrices.map((c) => ({ cityId: c.cityId, priceTenge: c.value }));
    // The cabinet's offer details, read at most once per send: for a retry's "already live?", and when
    // the offer's points are unknown or old.
    let details: OfferDetails | null | undefined;
    const readDetails = async () => {
      if (details === undefined) details = await readOfferDetails(ctx, merchantUid, product.sku, deps.logger);
      return details;
    };
    const sent = async (jobId: string | null, points: PushPoint[] | null) => {
      const at = deps.now();
      // What Kaspi now has, as far as we know: the points just pushed, else those the cabinet showed.
      const shown = details?.availabilities.length ? details.availabilities : null;
      const freshPoints = points?.map(storedPoint) ?? shown?.map(storedDetail) ?? null;
      // Only a read of the cabinet renews `pointsReadAt`: our own pushes cannot show a point opened since.
      const pointsUpdate = {
        ...(freshPoints ? { availabilities: freshPoints } : {}),
        ...(shown ? { pointsReadAt: at } : {}),
      };
      await markSent(tx, current.id, jobId, at);
      await tx
        .update(products)
        .set({
          price: Math.min(...cityPrices.map((c) => c.priceTenge)),
          cityPrices: { ...product.cityPrices, ...Object.fromEntries(cityPrices.map((c) => [c.cityId, c.priceTenge])) },
          pricingState: rememberPush(product.pricingState, detail.changes, at),
          ...(watch !== null && detail.changes.some(lowersPrice)
            ? {
                nextCheckAt: sql`least(${products.nextCheckAt}, ${new Date(at.getTime() + watch * 1000).toISOString()}::timestamptz)`,
              }
            : {}),
          ...pointsUpdate,
        })
        .where(eq(products.id, product.id));
    };

    if (change.mayBeLive) {
      const live = await readDetails();
      if (live && isLive(live, cityPrices, detail)) {
        await sent(null, null);
        return { kind: 'already_live' };
      }
    }
    if (newer) {
      await markSuperseded(tx, current.id);
      return { kind: 'superseded' };
    }
    let known: KnownPoint[] = product.availabilities.map(knownPoint);
    const stale =
      product.pointsReadAt === null || deps.now().getTime() - product.pointsReadAt.getTime() > POINTS_MAX_AGE_MS;
    if (known.length === 0 || stale) {
      const live = (await readDetails())?.availabilities ?? [];
      // The cabinet's answer wins; when it has none, the points last known are still better than none.
      if (live.length > 0) known = live;
    }
    const { points, preOrderDays } = pushPoints(known, detail.preorder);
    try {
      const { jobId } = await pushPrice(ctx, {
        merchantUid,
        sku: product.sku,
        model: product.name,
        cityPrices,
        ...(points ? { availabilities: points } : {}),
        ...(preOrderDays !== undefined ? { preOrderDays } : {}),
      });
      await sent(jobId, points);
      if (!points)
        deps.logger.warn(
          { sku: product.sku },
          'pushed without pickup points: neither the catalog nor the cabinet showed any',
        );
      return { kind: 'sent', jobId, withoutAvailabilities: points === null };
    } catch (error) {
      if (!isKaspiError(error)) throw error;
      const policy = pushFailurePolicy(error.kind);
      await markPushFailed(tx, current.id, policy.change, error.message);
      if (policy.change === 'failed') {
        // Look at the product again soon: the push may have gone through despite the error.
        await tx
          .update(products)
          .set({ nextCheckAt: sql`now()` })
          .where(eq(products.id, product.id));
      }
      return { kind: 'failed', error };
    }
  });
}

function knownPoint(a: ProductAvailability): KnownPoint {
  return { storeId: a.storeId, available: a.available === 'yes', preOrderDays: a.preOrder ?? 0 };
}

function storedPoint(p: PushPoint): ProductAvailability {
  return { storeId: p.storeId, available: p.available ? 'yes' : 'no', preOrder: p.preOrderDays ?? 0 };
}

function storedDetail(p: KnownPoint): ProductAvailability {
  return { storeId: p.storeId, available: p.available ? 'yes' : 'no', preOrder: p.preOrderDays };
}

/** Whether the cabinet already shows what the change asks for (an earlier, unrecorded push went through). */
function isLive(
  live: OfferDetails,
  cityPrices: { cityId: string; priceTenge: number }[],
  detail: ChangeDetail,
): boolean {
  const prices = new Map(live.cityPrices.map((c) => [c.cityId, c.priceTenge]));
  if (!cityPrices.every((c) => prices.get(c.cityId) === c.priceTenge)) return false;
  return !detail.preorder || preorderApplied(live.availabilities, detail.preorder);
}

/** The offer as the cabinet shows it now, or null when it cannot say (the caller goes on without). */
async function readOfferDetails(
  ctx: CabinetContext,
  merchantUid: string,
  sku: string,
  logger: Logger,
): Promise<OfferDetails | null> {
  try {
    const [offer] = await fetchOfferDetails(ctx, { merchantUid, skus: [sku] });
    return offer ?? null;
  } catch (error) {
    logger.warn({ err: error, sku }, 'could not read the offer details');
    return null;
  }
}
