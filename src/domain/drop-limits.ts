import { almatyDate } from './almaty-time';
import { minusPercentRoundedUp } from './money';
import type { ProductSettings } from './product-settings';

/**
 * Safety limits on how fast a price may fall, whatever the market does: a rival's glitch at 1 ₸ or
 * a mistyped floor must not take a merchant's price down in one go (the "penny glitch").
 */

/** Our price when the current Almaty day began, kept per city; the per-day limit counts from it. */
export interface DropDay {
  /** Almaty calendar day, `YYYY-MM-DD`. */
  date: string;
  startPriceTenge: number;
}

/** The day record to use at `at`: the same one during its day, a fresh one from the live price after. */
export function rollDropDay(day: DropDay | null, at: Date, livePriceTenge: number): DropDay {
  const date = almatyDate(at);
  return day?.date === date ? day : { date, startPriceTenge: livePriceTenge };
}

/**
 * The lowest price one push may set: at most `maxDropPercentPerChange` below the live price and at
 * most `maxDropPercentPerDay` below the day's first price. Above the live price when today's
 * allowance is spent.
 */
export function lowestAllowedPriceTenge(
  livePriceTenge: number,
  dayStartPriceTenge: number,
  settings: Pick<ProductSettings, 'maxDropPercentPerChange' | 'maxDropPercentPerDay'>,
): number {
  return Math.max(
    minusPercentRoundedUp(livePriceTenge, settings.maxDropPercentPerChange),
    minusPercentRoundedUp(dayStartPriceTenge, settings.maxDropPercentPerDay),
  );
}
