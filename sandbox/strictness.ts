/**
 * Behaviours of the real Kaspi that someone reported (KASPI_API.md) and a client written against a
 * friendlier stand-in would never meet. The sandbox shows every one of them unless told to be lenient
 * about it, so a test can only pass if our client copes with the strictest Kaspi any source describes:
 * - `stock_count_delists`: a push (single or batch) whose availabilities carry `stockCount` delists
 *   the offer ("Не указано наличие в прайс листе"); lenient: the count is ignored;
 * - `missing_points_removed`: a push that names some points removes the offer from the others;
 *   lenient: points left out keep their state;
 * - `price_list_is_assortment`: an uploaded price list removes every offer of the merchant it leaves
 *   out; lenient: offers missing from the file are left alone;
 * - `batch_answers_list`: the batch pricefeed answers `[{"id"}]`; lenient: `{"id"}`;
 * - `captured_details_shape`: offer details answer the live-captured shape (cities with `cityId`, their
 *   points as `{pointId, name, available: true}`, boolean availability); lenient: `id` and `"yes"`/`"no"`;
 * - `list_without_total`: the cabinet offer list has no `total`, `available` is a boolean or null, and
 *   `masterSku`/`offerId` are empty strings; lenient: `total`, `"yes"`/`"no"` and ids;
 * - `untidy_storefront`: every other offer on a card carries its price as a string; lenient: numbers.
 */
export const STRICT_RULES = [
  'stock_count_delists',
  'missing_points_removed',
  'price_list_is_assortment',
  'batch_answers_list',
  'captured_details_shape',
  'list_without_total',
  'untidy_storefront',
] as const;
export type StrictRule = (typeof STRICT_RULES)[number];
export type Strictness = Record<StrictRule, boolean>;

/** `lenient`: nothing (every rule on), `true` (every rule off), or the rules to switch off. */
export type Leniency = true | readonly StrictRule[] | undefined;

export function resolveStrictness(lenient: Leniency): Strictness {
  const off = new Set<StrictRule>(lenient === true ? STRICT_RULES : (lenient ?? []));
  return Object.fromEntries(STRICT_RULES.map((rule) => [rule, !off.has(rule)])) as Strictness;
}

/**
 * How a refused exit address answers every storefront read: `429` (a bare Too Many Requests), `html`
 * (a 200 check page instead of JSON) or `redirect` (a 302 to a check page).
 */
export const EXIT_REFUSALS = ['429', 'html', 'redirect'] as const;
export type ExitRefusal = (typeof EXIT_REFUSALS)[number];
