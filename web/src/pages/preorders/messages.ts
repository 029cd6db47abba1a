import type { TFunction } from 'i18next';
import { translateFieldError } from '../../lib/field-errors';

/**
 * The API words its refusals and a preorder's failures in English; the screen shows the ones a preorder
 * meets in the merchant's language, and any other as the API wrote it.
 */
interface Known {
  pattern: RegExp;
  key: string;
  params?: (m: RegExpExecArray) => Record<string, string>;
}

function translate(message: string, known: Known[], t: TFunction, otherwise: (message: string) => string): string {
  for (const { pattern, key, params } of known) {
    const match = pattern.exec(message);
    if (match) return t(key, params?.(match) ?? {});
  }
  return otherwise(message);
}

const FIELD_MESSAGES: Known[] = [
  { pattern: /^at least one point needs a quantity above 0$/, key: 'preorders.errors.noQuantity' },
  { pattern: /^is required: the product has none/, key: 'preorders.errors.brandRequired' },
  { pattern: /^is required: the product has no live price$/, key: 'preorders.errors.priceRequired' },
  {
    pattern: /^the store has no pickup point (PP\d+)$/,
    key: 'preorders.errors.noPoint',
    params: (m) => ({ point: m[1]! }),
  },
  { pattern: /^no product of this store has this id$/, key: 'preorders.errors.noProduct' },
];

/** Field errors of the preorder form; the shared ones (`<= 30`) read as in every form. */
export function translatePreorderErrors(errors: Record<string, string>, t: TFunction): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [
      field,
      translate(message, FIELD_MESSAGES, t, (m) => translateFieldError(m, t)),
    ]),
  );
}

const FAILURES: Known[] = [
  {
    pattern: /^Kaspi did not show the preorder within (\d+) hours of the upload$/,
    key: 'preorders.failure.notShown',
    params: (m) => ({ hours: m[1]! }),
  },
  { pattern: /^the product is no longer in the catalog$/, key: 'preorders.failure.notInCatalog' },
  { pattern: /^the product sells in no known city/, key: 'preorders.failure.noCity' },
  { pattern: /^the store's demper loop is not running/, key: 'preorders.noLoop' },
  { pattern: /session/i, key: 'preorders.failure.session' },
  {
    pattern: /^Kaspi was not sent the preorder: (.+)$/s,
    key: 'preorders.failure.notSent',
    params: (m) => ({ reason: m[1]! }),
  },
  { pattern: /^the upload failed: (.+)$/s, key: 'preorders.failure.failed', params: (m) => ({ reason: m[1]! }) },
];

/** Why a preorder or an upload failed, for the list and the upload bar. */
export function preorderFailure(message: string, t: TFunction): string {
  return translate(message, FAILURES, t, (m) => m);
}
