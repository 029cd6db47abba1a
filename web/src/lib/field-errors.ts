import type { TFunction } from 'i18next';

/**
 * The API words its field errors in English; the cabinet shows the ones its forms can meet in the
 * merchant's language, and any other as the API wrote it.
 */
const PATTERNS: { pattern: RegExp; key: string; params?: (m: RegExpMatchArray) => Record<string, string> }[] = [
  {
    pattern: /^must not be below minPrice \((\d+)\)$/,
    key: 'fieldErrors.belowMinPrice',
    params: (m) => ({ value: m[1]! }),
  },
  {
    pattern: /^must not be below the floor of (\d+) that cost and minMarginPercent require$/,
    key: 'fieldErrors.belowMarginFloor',
    params: (m) => ({ value: m[1]! }),
  },
  {
    pattern: /^must not be above maxPrice \((\d+)\)$/,
    key: 'fieldErrors.aboveMaxPrice',
    params: (m) => ({ value: m[1]! }),
  },
  { pattern: /^is required for the stay_top_n strategy$/, key: 'fieldErrors.topNRequired' },
  { pattern: /^needs cost to mean anything$/, key: 'fieldErrors.marginNeedsCost' },
  { pattern: /^product \S+ has no cost; set its cost first$/, key: 'economics.errors.noCost' },
  { pattern: /^product \S+: commission, tax and this margin add up to 100 %/, key: 'economics.errors.feesTakeAll' },
  {
    pattern: /^give one of settings\.minPrice, floorPercentBelowPrice and floorFromMarginPercent$/,
    key: 'economics.errors.oneFloor',
  },
  { pattern: /^must have at most two decimals$/, key: 'economics.errors.twoDecimals' },
  { pattern: /^must be whole tenge$/, key: 'fieldErrors.wholeTenge' },
  { pattern: /^must be at least 1 tenge$/, key: 'fieldErrors.atLeastOneTenge' },
  { pattern: /^must be above 0$/, key: 'fieldErrors.aboveZero' },
  { pattern: /^must be at least (\d+) characters$/, key: 'fieldErrors.minLength', params: (m) => ({ value: m[1]! }) },
  { pattern: /^must be at most (\d+) characters$/, key: 'fieldErrors.maxLength', params: (m) => ({ value: m[1]! }) },
  { pattern: /^is already registered$/, key: 'fieldErrors.emailTaken' },
  { pattern: /^is not the current password$/, key: 'fieldErrors.notCurrentPassword' },
  {
    pattern: /^unknown variables (.+); known: /,
    key: 'fieldErrors.unknownVariables',
    params: (m) => ({ names: m[1]! }),
  },
  { pattern: /^must be 4 to 6 digits$/, key: 'fieldErrors.smsCode' },
  { pattern: /^must be HH:MM/, key: 'fieldErrors.clock' },
  { pattern: /^(Invalid email|must be an email)/i, key: 'fieldErrors.email' },
  { pattern: /^must hold the mc-session and mc-sid cookies$/, key: 'fieldErrors.cookiesMissing' },
  { pattern: /^is not a live Kaspi cabinet session$/, key: 'fieldErrors.cookiesDead' },
  { pattern: /^must be a Kazakh mobile number/, key: 'fieldErrors.phone' },
  {
    pattern: /^Too (small|big): expected number to be >=?(\d+)/,
    key: 'fieldErrors.atLeast',
    params: (m) => ({ value: m[2]! }),
  },
  { pattern: /^Too big: expected number to be <=?(\d+)/, key: 'fieldErrors.atMost', params: (m) => ({ value: m[1]! }) },
];

export function translateFieldError(message: string, t: TFunction): string {
  for (const { pattern, key, params } of PATTERNS) {
    const match = message.match(pattern);
    if (match) return t(key, params?.(match) ?? {});
  }
  return message;
}

export function translateFieldErrors(fields: Record<string, string>, t: TFunction): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, translateFieldError(message, t)]));
}
