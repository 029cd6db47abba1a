import { describe, expect, it } from 'vitest';
import { COMMISSION_RATES, DEFAULT_COMMISSION_PERCENT } from '../../src/domain/unit-economics';
import { DEFAULT_KASPI_COMMISSION_PERCENT, KASPI_COMMISSION_RATES } from '../../web/src/lib/commission';
import {
  formatAmount,
  formatPercent,
  formatPercentNumber,
  formatRelative,
  formatTenge,
  formatTengeDelta,
} from '../../web/src/lib/format';
import { en } from '../../web/src/i18n/en';
import { kk } from '../../web/src/i18n/kk';
import { ru } from '../../web/src/i18n/ru';
import { mergeDecisions, type LiveDecision } from '../../web/src/lib/feed';
import { translateFieldError } from '../../web/src/lib/field-errors';
import { expiryFrom } from '../../web/src/pages/account/key-lifetime';
import { change, previousRange, rangeOf, readSalesState } from '../../web/src/pages/sales/range';
import { rowSetKey } from '../../web/src/pages/products/first-rows';
import {
  createBody,
  emptyValues,
  formErrors,
  preorderPoints,
  valuesOf,
  type Preorder,
} from '../../web/src/pages/preorders/form';
import { preorderFailure, translatePreorderErrors } from '../../web/src/pages/preorders/messages';

const NBSP = '\u00a0';

/** Every message key, plural forms counted once (`count_one`, `count_few` → `count`). */
function keys(messages: object, prefix = ''): Set<string> {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(messages)) {
    const name = `${prefix}${key.replace(/_(zero|one|two|few|many|other)$/, '')}`;
    if (typeof value === 'object' && value !== null) for (const k of keys(value, `${name}.`)) found.add(k);
    else found.add(name);
  }
  return found;
}

describe('the cabinet speaks Kazakhstan’s money and time', () => {
  it('writes whole tenge with spaced groups and the sign after', () => {
    expect(formatTenge(12_990)).toBe(`12${NBSP}990${NBSP}₸`);
    expect(formatTenge(1_234_567)).toBe(`1${NBSP}234${NBSP}567${NBSP}₸`);
    expect(formatTenge(990)).toBe(`990${NBSP}₸`);
    expect(formatTenge(null)).toBe('—');
    expect(formatTengeDelta(-1)).toBe(`−1${NBSP}₸`);
    expect(formatTengeDelta(424)).toBe(`+424${NBSP}₸`);
    expect(formatPercent(0.4812)).toBe(`48${NBSP}%`);
  });

  it('says how long ago in the merchant’s language', () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    // The wording is the platform's (ICU); the unit and the direction are ours.
    expect(formatRelative('2026-12-05T09:58:00Z', 'ru', now)).toMatch(/^2\s?мин\.?\sназад$/);
    expect(formatRelative('2026-12-05T09:59:48Z', 'en', now)).toMatch(/^12\ssec\.?\sago$/);
    expect(formatRelative('2026-12-05T10:00:40Z', 'ru', now)).toMatch(/^через\s40\sсек\.?$/);
    expect(formatRelative('2026-12-05T07:00:00Z', 'kk', now)).toMatch(/3/);
  });
});

describe('the unit economics read in the merchant’s language', () => {
  it('writes a margin with the language’s decimal mark and the minus of money', () => {
    expect(formatAmount(-1_090)).toBe(`−1${NBSP}090`);
    expect(formatAmount(null)).toBe('—');
    expect(formatPercentNumber(20.1, 'ru')).toBe(`20,1${NBSP}%`);
    expect(formatPercentNumber(10.9, 'kk')).toBe(`10,9${NBSP}%`);
    expect(formatPercentNumber(20.1, 'en')).toBe(`20.1${NBSP}%`);
    expect(formatPercentNumber(-3.25, 'ru')).toBe(`−3,25${NBSP}%`);
    expect(formatPercentNumber(12, 'ru')).toBe(`12${NBSP}%`);
    expect(formatPercentNumber(null, 'ru')).toBe('—');
  });

  it('offers the same Kaspi rates as the API counts', () => {
    expect(KASPI_COMMISSION_RATES).toEqual(COMMISSION_RATES);
    expect(DEFAULT_KASPI_COMMISSION_PERCENT).toBe(DEFAULT_COMMISSION_PERCENT);
  });

  it('puts the batch route’s margin errors in the merchant’s words', async () => {
    const i18n = (await import('i18next')).default.createInstance();
    await i18n.init({ lng: 'ru', resources: { ru: { translation: ru } } });
    expect(
      translateFieldError('product 2f1c0a9e-0000-4000-8000-000000000001 has no cost; set its cost first', i18n.t),
    ).toBe(ru.economics.errors.noCost);
    expect(
      translateFieldError(
        'product 2f1c0a9e-0000-4000-8000-000000000001: commission, tax and this margin add up to 100 % or more of the price',
        i18n.t,
      ),
    ).toBe(ru.economics.errors.feesTakeAll);
  });
});

describe('every language has every message', () => {
  const russian = keys(ru);
  for (const [name, messages] of Object.entries({ kk, en })) {
    it(`${name} lacks none of the Russian messages and has none of its own`, () => {
      const other = keys(messages);
      expect([...russian].filter((k) => !other.has(k))).toEqual([]);
      expect([...other].filter((k) => !russian.has(k))).toEqual([]);
    });
  }
});

describe('the products list draws a new list first rows first, and keeps an updated one whole', () => {
  it('names the same products the same way in any order or state, and another set differently', () => {
    const list = [
      { id: 'b', price: 100 },
      { id: 'a', price: 200 },
      { id: 'c', price: 300 },
    ];
    const updatedAndResorted = [
      { id: 'a', price: 199 },
      { id: 'c', price: 300 },
      { id: 'b', price: 99 },
    ];
    expect(rowSetKey(updatedAndResorted)).toBe(rowSetKey(list));
    expect(rowSetKey([{ id: 'a' }, { id: 'b' }, { id: 'd' }])).not.toBe(rowSetKey(list));
    expect(rowSetKey([{ id: 'a' }, { id: 'b' }])).not.toBe(rowSetKey(list));
  });
});

describe('the live feed catches up with the server', () => {
  const decision = (id: string, status: LiveDecision['status'], minute: number): LiveDecision =>
    ({ id, status, createdAt: `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z` }) as LiveDecision;

  it('takes the server’s status for a decision it shows unsettled, and never takes a final one back', () => {
    const shown = [decision('c', 'pending', 3), decision('b', 'sent', 2), decision('a', 'deferred', 1)];
    const latest = [decision('c', 'sent', 3), decision('b', 'pending', 2), decision('a', 'sent', 1)];
    expect(mergeDecisions(shown, latest).map((d) => `${d.id}:${d.status}`)).toEqual(['c:sent', 'b:sent', 'a:sent']);
  });

  it('adds the decisions the stream passed over in their place, newest first', () => {
    const shown = [decision('c', 'sent', 3), decision('a', 'sent', 1)];
    const latest = [decision('d', 'pending', 4), decision('b', 'sent', 2)];
    expect(mergeDecisions(shown, latest).map((d) => d.id)).toEqual(['d', 'c', 'b', 'a']);
  });
});

describe('a new API key lives as long as chosen', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  it('counts whole days from now, or never ends', () => {
    expect(expiryFrom('30', now)).toBe('2027-01-04T10:00:00.000Z');
    expect(expiryFrom('365', now)).toBe('2027-12-05T10:00:00.000Z');
    expect(expiryFrom('never', now)).toBeUndefined();
  });
});

describe('the sales period is counted in Almaty days', () => {
  // 23:30 on 5 December in Almaty (UTC+5) is 18:30 UTC.
  const lateEvening = Date.parse('2026-12-05T18:30:00Z');

  it('ends a preset with today in Almaty and compares it with as many days before', () => {
    const range = rangeOf(readSalesState(new URLSearchParams('period=7')), lateEvening);
    expect(range).toEqual({ from: '2026-11-28T19:00:00.000Z', to: '2026-12-05T19:00:00.000Z' });
    expect(previousRange(range)).toEqual({ from: '2026-11-21T19:00:00.000Z', to: '2026-11-28T19:00:00.000Z' });
  });

  it('takes chosen days whole, and falls back to 30 days when they make no sense', () => {
    const custom = readSalesState(new URLSearchParams('period=custom&from=2026-11-01&to=2026-11-30'));
    expect(rangeOf(custom, lateEvening)).toEqual({ from: '2026-10-31T19:00:00.000Z', to: '2026-11-30T19:00:00.000Z' });
    expect(readSalesState(new URLSearchParams('period=custom&from=2026-12-01&to=2026-11-01')).preset).toBe('30');
  });

  it('says how much a figure changed, and nothing against an empty period', () => {
    expect(change(125, 100)).toBe(0.25);
    expect(change(5, 0)).toBeNull();
  });
});

describe('the preorder form speaks the API’s shape', () => {
  const points = preorderPoints([{ code: 'PP3' }, { code: 'PP1' }, { code: 'PP7' }, { code: 'warehouse' }]);

  it('offers the points Kaspi’s price list has columns for, in order', () => {
    expect(points).toEqual([1, 3]);
    expect(emptyValues(points).quantities).toEqual({ '1': '', '3': '' });
  });

  it('sends the points with a quantity, and the price and brand only when given', () => {
    const values = { ...emptyValues(points), productId: 'p1', days: '10', quantities: { '1': '', '3': 4 } };
    expect(createBody(values)).toEqual({ productId: 'p1', days: 10, warehouses: [{ point: 3, quantity: 4 }] });
    expect(createBody({ ...values, price: 1500, brand: ' Acme ' })).toMatchObject({ price: 1500, brand: 'Acme' });
    // With no quantity anywhere every point goes, so the API's own rule is what the merchant reads.
    expect(createBody({ ...values, quantities: { '1': '', '3': '' } }).warehouses).toEqual([
      { point: 1, quantity: 0 },
      { point: 3, quantity: 0 },
    ]);
  });

  it('opens a preorder with its points, one the store no longer lists included', () => {
    const preorder = { productId: 'p1', days: 7, price: 900, brand: null, warehouses: [{ point: 2, quantity: 5 }] };
    expect(valuesOf(preorder as Preorder, points)).toEqual({
      productId: 'p1',
      days: 7,
      quantities: { '1': '', '2': 5, '3': '' },
      price: 900,
      brand: '',
    });
  });

  it('puts a point’s error under that point’s field, in the merchant’s language', () => {
    const sent = [
      { point: 1, quantity: 2 },
      { point: 3, quantity: 1 },
    ];
    const errors = formErrors({ 'warehouses.1.point': 'the store has no pickup point PP3', days: 'x' }, sent);
    expect(errors).toEqual({ 'quantities.3': 'the store has no pickup point PP3', days: 'x' });
    const t = ((key: string, options?: Record<string, unknown>) => `${key} ${JSON.stringify(options ?? {})}`) as never;
    expect(translatePreorderErrors(errors, t)['quantities.3']).toBe('preorders.errors.noPoint {"point":"PP3"}');
    expect(translatePreorderErrors({ days: 'Too big: expected number to be <=30' }, t).days).toBe(
      'fieldErrors.atMost {"value":"30"}',
    );
  });

  it('says why a preorder failed in the merchant’s language, and an unknown reason as the API wrote it', () => {
    const t = ((key: string, options?: Record<string, unknown>) => `${key} ${JSON.stringify(options ?? {})}`) as never;
    expect(preorderFailure('Kaspi did not show the preorder within 24 hours of the upload', t)).toBe(
      'preorders.failure.notShown {"hours":"24"}',
    );
    expect(preorderFailure('Kaspi was not sent the preorder: the session expired', t)).toBe(
      'preorders.failure.session {}',
    );
    expect(preorderFailure('Kaspi was not sent the preorder: budget spent', t)).toBe(
      'preorders.failure.notSent {"reason":"budget spent"}',
    );
    expect(preorderFailure('something new', t)).toBe('something new');
  });
});
