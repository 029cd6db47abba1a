/**
 * Reads one product's card in each of its cities through the read channel (the merchant's demper
 * proxies, or the process's own address).
 */

import { fetchOffers, isKaspiError, type KaspiError, type KaspiUrls, type OffersResult } from '../kaspi';
import type { ReadChannel } from '../proxies/read-channel';
import { readThrough } from '../proxies/read-through';

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

export async function readCards(deps: CardReaderDeps, request: CardReadRequest): Promise<CardReadResult> {
  const { results, blockedUntil } = await readThrough(deps, {
    userId: request.userId,
    module: 'demper',
    storeId: request.storeId,
    items: request.cityIds,
    // Past the moment a per-second proxy budget takes to refill (waited out in the pool's `acquire`),
    // the loop does not wait for capacity inside a check: it trips its reads breaker instead.
    waitUpToMs: 0,
    read: (cityId, proxyUrl) =>
      fetchOffers(
        { urls: deps.urls, timeoutMs: deps.timeoutMs, ...(proxyUrl ? { proxyUrl } : {}) },
        // The cheapest 64 offers are all pricing needs, and one page is one read.
        { productId: request.productId, cityId, merchantId: request.merchantId, maxPages: 1 },
      ),
  });
  const cards = new Map<string, OffersResult>();
  const failures: KaspiError[] = [];
  for (const { item, result, error } of results) {
    if (result) cards.set(item, result);
    else if (isKaspiError(error)) failures.push(error);
  }
  return { cards, failures, blockedUntil };
}
