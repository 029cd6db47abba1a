/**
 * What a recorded price change carries beyond its columns, kept as the row's `detail`: the whole push
 * (every city, as Kaspi must be sent it) and why it was decided, for the push, the history and the
 * cabinet alike.
 */
import type { CityPrice } from './city-prices';
import type { PreorderIntent } from './offer-points';
import type { PriceDecision } from './pricing';

/** The reasons of a preorder's changes: setting it on the offer's points, or taking it off. */
export const PREORDER_SET = 'preorder_set';
export const PREORDER_CLEAR = 'preorder_clear';

export interface ChangeDetail {
  /** The whole push: every city the offer sells in. */
  cityPrices: CityPrice[];
  /** The decisions that changed a price, one per city; none for a price or preorder the merchant set. */
  changes: PriceDecision[];
  /** The names the card showed for the rivals of `changes`, by merchant id. */
  rivalNames?: Record<string, string>;
  /** The preorder a `preorder` change sets (days 1–30) or clears (days 0); the preorder's id when it sets one. */
  preorder?: PreorderIntent & { preorderId: string | null };
  /** How long the push is expected to stand before its card moves again (`change-value.ts`); absent in older rows. */
  holdSeconds?: number;
  /** The dry-run proposal a merchant's change applied, by its id. */
  appliedFrom?: string;
}
