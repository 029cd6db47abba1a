import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { almatyClock } from '../../src/domain/almaty-time';
import {
  DEFAULT_TEMPLATES,
  deliveryTypeLabel,
  formatTenge,
  orderTemplateValues,
  renderTemplate,
  templatesWithDefaults,
  unknownVariables,
} from '../../src/domain/message-templates';
import {
  decideSend,
  startOfAlmatyDay,
  startOfNextAlmatyDay,
  type SendRules,
} from '../../src/domain/notification-rules';
import { RUNS } from './arbitraries';

/** 10:00 in Almaty. */
const NOW = Date.parse('2026-11-21T05:00:00Z');
const rules: SendRules = {
  dailyCap: 3,
  minIntervalSeconds: 5,
  workingHours: { from: '09:00', to: '21:00' },
  maxDelayHours: 24,
};
const idle = { sentToday: 0, lastSentAtMs: null };

describe('when a queued message may go', () => {
  it('sends a due message inside working hours, under the cap, after the pause', () => {
    expect(decideSend({ nowMs: NOW, dueAtMs: NOW, rules, ledger: idle })).toEqual({ action: 'send' });
    expect(decideSend({ nowMs: NOW, dueAtMs: NOW + 1000, rules, ledger: idle })).toEqual({
      action: 'wait',
      untilMs: NOW + 1000,
      reason: 'not_due',
    });
    expect(decideSend({ nowMs: NOW, dueAtMs: NOW, rules, ledger: { sentToday: 1, lastSentAtMs: NOW - 2000 } })).toEqual(
      {
        action: 'wait',
        untilMs: NOW + 3000,
        reason: 'pacing',
      },
    );
  });

  it('holds messages outside working hours until they open, and past the cap until the next Almaty day', () => {
    const night = Date.parse('2026-11-21T17:30:00Z'); // 22:30 in Almaty
    expect(decideSend({ nowMs: night, dueAtMs: night, rules, ledger: idle })).toEqual({
      action: 'wait',
      untilMs: Date.parse('2026-11-22T04:00:00Z'),
      reason: 'outside_working_hours',
    });
    expect(
      decideSend({ nowMs: NOW, dueAtMs: NOW, rules, ledger: { sentToday: 3, lastSentAtMs: NOW - 60_000 } }),
    ).toEqual({
      action: 'wait',
      untilMs: Date.parse('2026-11-21T19:00:00Z'),
      reason: 'daily_cap',
    });
    expect(decideSend({ nowMs: night, dueAtMs: night, rules: { ...rules, workingHours: null }, ledger: idle })).toEqual(
      { action: 'send' },
    );
  });

  it('drops a message that waited past its time', () => {
    expect(decideSend({ nowMs: NOW, dueAtMs: NOW - 25 * 3600_000, rules, ledger: idle })).toEqual({
      action: 'skip',
      reason: 'expired',
    });
  });

  it('counts days from Almaty midnight', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2024-01-01'), max: Date.parse('2030-01-01') }), (ms) => {
        const at = new Date(ms);
        const start = startOfAlmatyDay(at);
        expect(almatyClock(start)).toMatchObject({ minuteOfDay: 0, second: 0 });
        expect(start.getTime()).toBeLessThanOrEqual(ms);
        expect(ms - start.getTime()).toBeLessThan(86_400_000);
        const next = startOfNextAlmatyDay(at);
        expect(almatyClock(next).minuteOfDay).toBe(0);
        expect(next.getTime()).toBeGreaterThan(ms);
      }),
      RUNS,
    );
  });

  it('never sends outside working hours, over the cap, or sooner than the pause', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: NOW - 3 * 86_400_000, max: NOW + 3 * 86_400_000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.option(fc.integer({ min: 0, max: 60_000 })),
        (nowMs, sentToday, sinceLast) => {
          const ledger = { sentToday, lastSentAtMs: sinceLast === null ? null : nowMs - sinceLast };
          const decision = decideSend({ nowMs, dueAtMs: nowMs, rules, ledger });
          if (decision.action !== 'send') return;
          const minute = almatyClock(new Date(nowMs)).minuteOfDay;
          expect(minute >= 9 * 60 && minute < 21 * 60).toBe(true);
          expect(sentToday).toBeLessThan(rules.dailyCap);
          if (sinceLast !== null) expect(sinceLast).toBeGreaterThanOrEqual(rules.minIntervalSeconds * 1000);
        },
      ),
      RUNS,
    );
  });
});

describe('message templates', () => {
  const order = {
    code: '790686780',
    customerName: 'Айгерим',
    totalPrice: 129_990,
    deliveryMode: 'DELIVERY_PICKUP',
    creationDate: new Date('2026-11-20T20:30:00Z'),
    entries: [
      { name: 'Смартфон X', quantity: 1 },
      { name: 'Чехол', quantity: 2 },
    ],
  };

  it('fills every variable from the order, in Almaty dates and whole tenge', () => {
    const values = orderTemplateValues(order, 'Gadget Shop');
    expect(values).toEqual({
      customer_name: 'Айгерим',
      order_code: '790686780',
      product_name: 'Смартфон X и ещё 1',
      quantity: '3',
      total: '129 990 ₸',
      shop_name: 'Gadget Shop',
      delivery_type: 'самовывоз',
      order_date: '21.11.2026',
    });
    expect(renderTemplate('{customer_name}, {order_code}: {total} ({unknown})', values)).toBe(
      'Айгерим, 790686780: 129 990 ₸ ({unknown})',
    );
    expect(formatTenge(1_000_000)).toBe('1 000 000 ₸');
    expect(deliveryTypeLabel('DELIVERY_LOCAL')).toBe('доставка');
  });

  it('knows its variables, and the defaults use only those', () => {
    expect(unknownVariables('{customer_name} {orderCode} {foo}')).toEqual(['foo']);
    for (const channel of Object.values(DEFAULT_TEMPLATES)) {
      for (const template of Object.values(channel)) expect(unknownVariables(template.text)).toEqual([]);
    }
    const all = templatesWithDefaults([{ event: 'delivered', channel: 'whatsapp', text: 'mine', active: false }]);
    expect(all).toHaveLength(8);
    expect(all.find((t) => t.event === 'delivered' && t.channel === 'whatsapp')).toMatchObject({
      text: 'mine',
      active: false,
    });
    expect(all.filter((t) => t.channel === 'telegram' && t.active).map((t) => t.event)).toEqual(['new_order']);
  });
});
