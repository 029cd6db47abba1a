import { parseProductSettings, type ProductSettings } from '../domain/product-settings';
import type { products } from '../db/schema';

type ProductRow = typeof products.$inferSelect;

/** The product columns that hold the merchant's demper settings, named as the settings are. */
export const SETTINGS_FIELDS = [
  'active',
  'strategy',
  'topN',
  'minPrice',
  'maxPrice',
  'step',
  'excludedMerchants',
  'cities',
  'cost',
  'minMarginPercent',
  'commissionPercent',
  'deliveryCost',
  'taxPercent',
  'noRivalsAction',
  'maxDropPercentPerChange',
  'maxDropPercentPerDay',
  'priceWarRounds',
  'priceWarGuardPrice',
  'priceWarGuardPercent',
] as const satisfies readonly (keyof ProductSettings & keyof ProductRow)[];

export type SettingsField = (typeof SETTINGS_FIELDS)[number];

/** The settings columns of a product row, and nothing else. */
export function settingsColumns(row: Pick<ProductRow, SettingsField>): Pick<ProductRow, SettingsField> {
  return Object.fromEntries(SETTINGS_FIELDS.map((field) => [field, row[field]])) as Pick<ProductRow, SettingsField>;
}

/** A product's settings as the pricing rules read them. */
export function settingsOf(row: Pick<ProductRow, SettingsField>): ProductSettings {
  return parseProductSettings(settingsColumns(row));
}
