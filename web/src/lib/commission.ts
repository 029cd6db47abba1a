/**
 * Kaspi's 2026 commission rates without VAT, for the quick picks of the settings form; the same three
 * as the API's `COMMISSION_RATES` (a unit test holds them together). An empty field means the default.
 */
export const KASPI_COMMISSION_RATES = [
  { percent: 6.4, withVatPercent: 7.3, applies: 'groceries' },
  { percent: 10.9, withVatPercent: 12.5, applies: 'default' },
  { percent: 13.5, withVatPercent: 15.5, applies: 'jewellery' },
] as const;

export const DEFAULT_KASPI_COMMISSION_PERCENT = 10.9;
