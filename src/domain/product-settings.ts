import { z } from 'zod';
import { plusPercentRoundedUp } from './money';

/**
 * A product's demper settings: the contract the API validates and the pricing rules read.
 * Money is whole tenge; percentages are plain numbers (5 means 5 %).
 */

export const PRICING_STRATEGIES = ['undercut', 'stay_top_n', 'match'] as const;
export type PricingStrategy = (typeof PRICING_STRATEGIES)[number];

export const NO_RIVALS_ACTIONS = ['hold', 'ceiling'] as const;
export type NoRivalsAction = (typeof NO_RIVALS_ACTIONS)[number];

/** The values a setting takes when the merchant leaves it out. Each is the cautious choice. */
export const PRODUCT_SETTINGS_DEFAULTS = {
  active: false,
  strategy: 'undercut',
  step: 1,
  /** Nobody left to compete with: keep the price rather than jump. */
  noRivalsAction: 'hold',
  /** One push may lower the price by at most this share of the live price. */
  maxDropPercentPerChange: 10,
  /** Within one Almaty day the price may fall at most this share below the day's first price. */
  maxDropPercentPerDay: 30,
  /** A rival that answers this many of our cuts in a row is fighting a price war. */
  priceWarRounds: 3,
  /**
   * How far below our price at the start of a war the demper may still follow the rival.
   * 0 means: once the war is recognised, stop following below the price the war started at.
   */
  priceWarGuardPercent: 0,
} as const;

const tenge = z.number().int('must be whole tenge').min(1, 'must be at least 1 tenge');
const percent = z.number().min(0, 'must be at least 0').max(100, 'must be at most 100');
const merchantId = z.string().trim().min(1, 'must not be empty').max(64);
/** KATO city ids, the id space of the offers endpoint and `cityPrices` (`750000000` is Almaty). */
const cityId = z.string().regex(/^\d{9}$/, 'must be a 9-digit Kaspi city id');

const fields = z.object({
  active: z.boolean().default(PRODUCT_SETTINGS_DEFAULTS.active),
  strategy: z.enum(PRICING_STRATEGIES).default(PRODUCT_SETTINGS_DEFAULTS.strategy),
  /** For `stay_top_n`: the position to hold (2 means "second place"). */
  topN: z.number().int('must be a whole number').min(1).max(64).nullable().default(null),
  minPrice: tenge.nullable().default(null),
  maxPrice: tenge.nullable().default(null),
  step: tenge.max(100_000).default(PRODUCT_SETTINGS_DEFAULTS.step),
  excludedMerchants: z.array(merchantId).max(500).default([]),
  /** Cities to compete in; empty means the cities of the store's pickup points. */
  cities: z.array(cityId).max(300).default([]),
  /** Purchase cost of one unit; with `minMarginPercent` it raises the floor. */
  cost: tenge.nullable().default(null),
  minMarginPercent: z.number().min(0).max(1000).nullable().default(null),
  /** Unit economics (`unit-economics.ts`): what a sale costs besides the unit; they do not move the floor. */
  commissionPercent: percent.multipleOf(0.01, 'must have at most two decimals').nullable().default(null),
  deliveryCost: z.number().int('must be whole tenge').min(0, 'must be at least 0').nullable().default(null),
  taxPercent: percent.multipleOf(0.01, 'must have at most two decimals').nullable().default(null),
  noRivalsAction: z.enum(NO_RIVALS_ACTIONS).default(PRODUCT_SETTINGS_DEFAULTS.noRivalsAction),
  maxDropPercentPerChange: percent
    .positive('must be above 0')
    .default(PRODUCT_SETTINGS_DEFAULTS.maxDropPercentPerChange),
  maxDropPercentPerDay: percent.positive('must be above 0').default(PRODUCT_SETTINGS_DEFAULTS.maxDropPercentPerDay),
  priceWarRounds: z.number().int().min(2).max(100).default(PRODUCT_SETTINGS_DEFAULTS.priceWarRounds),
  /** During a recognised price war, never follow the rival below this price. */
  priceWarGuardPrice: tenge.nullable().default(null),
  priceWarGuardPercent: percent.default(PRODUCT_SETTINGS_DEFAULTS.priceWarGuardPercent),
});

export type ProductSettings = z.output<typeof fields>;
export type ProductSettingsInput = z.input<typeof fields>;

export interface SettingsIssue {
  field: string;
  message: string;
}

/** The rules that tie settings together; shared by the schema and by `decidePrice`. */
export function settingsIssues(settings: ProductSettings): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const floor = floorTenge(settings);
  if (settings.maxPrice !== null && floor !== null && floor > settings.maxPrice) {
    issues.push({
      field: 'maxPrice',
      message:
        floor === settings.minPrice
          ? `must not be below minPrice (${floor})`
          : `must not be below the floor of ${floor} that cost and minMarginPercent require`,
    });
  }
  if (settings.strategy === 'stay_top_n' && settings.topN === null) {
    issues.push({ field: 'topN', message: 'is required for the stay_top_n strategy' });
  }
  if (settings.minMarginPercent !== null && settings.cost === null) {
    issues.push({ field: 'minMarginPercent', message: 'needs cost to mean anything' });
  }
  if (
    settings.priceWarGuardPrice !== null &&
    settings.maxPrice !== null &&
    settings.priceWarGuardPrice > settings.maxPrice
  ) {
    issues.push({ field: 'priceWarGuardPrice', message: `must not be above maxPrice (${settings.maxPrice})` });
  }
  return issues;
}

export const productSettingsSchema = fields.superRefine((settings, ctx) => {
  for (const issue of settingsIssues(settings)) {
    ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
  }
});

export class ProductSettingsError extends Error {
  constructor(readonly issues: SettingsIssue[]) {
    super(`Invalid product settings: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
    this.name = 'ProductSettingsError';
  }
}

/** Parses settings from any source (API body, database row), filling in defaults. */
export function parseProductSettings(input: unknown): ProductSettings {
  const parsed = productSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ProductSettingsError(
      parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(settings)', message: issue.message })),
    );
  }
  return parsed.data;
}

/** Throws `ProductSettingsError` when settings built in code break a rule the schema enforces. */
export function assertValidSettings(settings: ProductSettings): void {
  const issues = settingsIssues(settings);
  if (issues.length > 0) throw new ProductSettingsError(issues);
}

/**
 * The lowest price the demper may set: max(minPrice, cost × (1 + minMarginPercent / 100)), rounded
 * up to whole tenge; null when the merchant gave neither, and then the demper never lowers the price.
 */
export function floorTenge(settings: Pick<ProductSettings, 'minPrice' | 'cost' | 'minMarginPercent'>): number | null {
  const costFloor = settings.cost === null ? null : plusPercentRoundedUp(settings.cost, settings.minMarginPercent ?? 0);
  if (settings.minPrice === null) return costFloor;
  return costFloor === null ? settings.minPrice : Math.max(settings.minPrice, costFloor);
}
