import { fetchOffers, isKaspiError, type KaspiError, type KaspiUrls, type OffersResult } from '../kaspi';
import type { ReadChannel, ReadOutcome, UsableGrant } from '../proxies/read-channel';

/**
 * Reads one product's card in each of its cities through a read channel: asks for as many reads as
 * there are cities, keeps within the grant (count, spacing, deadline), reports how the grant went,
 * and asks again when a ban or a broken proxy cut it short.
 */
export interface CardReadRequest {
  userId: string;
  storeId: string;
  /** Our merchant id: our own offer is picked out of the card. */
  merchantId: string;
  /** The card id (`kaspiProductId`). */
  productId: string;
  cityIds: readonly string[];
}

export interface CardReaderDeps {
  channel: ReadChannel;
  urls: KaspiUrls;
  timeoutMs: number;
  /** Waits; an activity passes its cancellable sleep. */
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface CardReadResult {
  /** Cards read, by city id. */
  cards: Map<string, OffersResult>;
  /** Cities that could not be read, with why. */
  failures: KaspiError[];
  /** Set when the channel has no capacity until then; the cities not yet read were left. */
  blockedUntil: Date | null;
}

/** Grants a product may go through before its unread cities count as failed (bans, dead proxies). */
const MAX_GRANTS_PER_PRODUCT = 3;

export async function readCards(deps: CardReaderDeps, request: CardReadRequest): Promise<CardReadResult> {
  const read: ReadState = { cards: new Map(), failures: [], remaining: [...request.cityIds], cutShortBy: null };
  for (let grants = 0; read.remaining.length > 0; grants++) {
    if (grants === MAX_GRANTS_PER_PRODUCT) {
      // Every grant was cut short (bans, dead proxies): what is still unread failed for that reason.
      if (read.cutShortBy) read.failures.push(read.cutShortBy);
      break;
    }
    const grant = await deps.channel.acquire({
      userId: request.userId,
      module: 'demper',
      storeId: request.storeId,
      reads: read.remaining.length,
    });
    if (grant.kind === 'wait') return { cards: read.cards, failures: read.failures, blockedUntil: grant.until };
    const outcome = await useGrant(deps, grant, request, read);
    await deps.channel.report(grant, outcome);
  }
  return { cards: read.cards, failures: read.failures, blockedUntil: null };
}

interface ReadState {
  cards: Map<string, OffersResult>;
  failures: KaspiError[];
  /** Cities still to read, in order. */
  remaining: string[];
  /** The error that ended the last grant early. */
  cutShortBy: KaspiError | null;
}

/** Reads cities off `read.remaining` within one grant; a ban or a proxy fault ends the grant. */
async function useGrant(deps: CardReaderDeps, grant: UsableGrant, request: CardReadRequest, read: ReadState): Promise<ReadOutcome> {
  const outcome: ReadOutcome = { ok: 0, failed: 0 };
  const spacingMs = grant.readsPerSecond ? 1000 / grant.readsPerSecond : 0;
  let nextAtMs = grant.kind === 'direct' ? grant.notBefore.getTime() : deps.now();
  for (let used = 0; used < grant.maxReads && read.remaining.length > 0; used++) {
    if (grant.kind === 'proxy' && deps.now() >= grant.until.getTime()) break;
    const waitMs = nextAtMs - deps.now();
    if (waitMs > 0) await deps.sleep(waitMs);
    // Another read of ours met a ban on this address meanwhile: stop, and ask the channel again.
    if (!deps.channel.holds(grant)) break;
    nextAtMs = Math.max(deps.now(), nextAtMs) + spacingMs;
    const cityId = read.remaining[0]!;
    try {
      const card = await fetchOffers(
        { urls: deps.urls, timeoutMs: deps.timeoutMs, ...(grant.kind === 'proxy' ? { proxyUrl: grant.proxyUrl } : {}) },
        // The cheapest 64 offers are all pricing needs, and one page is one read.
        { productId: request.productId, cityId, merchantId: request.merchantId, maxPages: 1 },
      );
      read.cards.set(cityId, card);
      read.remaining.shift();
      outcome.ok++;
    } catch (error) {
      if (!isKaspiError(error)) throw error;
      if (error.kind === 'ip_throttled') {
        outcome.banned = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
        read.cutShortBy = error;
        break;
      }
      if (error.kind === 'proxy_auth' || error.kind === 'proxy_failed') {
        if (error.kind === 'proxy_auth') outcome.proxyAuthFailed = true;
        else outcome.failed++;
        read.cutShortBy = error;
        break;
      }
      outcome.failed++;
      read.failures.push(error);
      read.remaining.shift();
    }
  }
  return outcome;
}
