import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minusPercentRoundedUp } from '../../src/domain/money';
import { NO_PRICE_WAR, type PriceWarState } from '../../src/domain/price-war';
import { decidePrice, type PriceDecision, type PriceInput } from '../../src/domain/pricing';
import { floorTenge, ProductSettingsError } from '../../src/domain/product-settings';
import { normaliseRivals, positionAt } from '../../src/domain/rivals';
import { EXCLUDED, OUR_OTHER_STORE, priceInput, RIVAL_IDS, RUNS, settings, US } from './arbitraries';

const [A, B, C] = RIVAL_IDS as [string, string, string];

function decide(overrides: Partial<PriceInput> & Pick<PriceInput, 'livePriceTenge' | 'offers'>): PriceDecision {
  return decidePrice({ cityId: '750000000', ourMerchantId: US, settings: settings(), ...overrides });
}

/** The market after our decision went live: only our price moved. */
function applied(input: PriceInput, decision: PriceDecision): PriceInput {
  return {
    ...input,
    livePriceTenge: decision.targetPriceTenge,
    offers: input.offers.map((o) => (o.merchantId === US ? { ...o, price: decision.targetPriceTenge } : o)),
  };
}

describe('decidePrice: the reasons, by example', () => {
  it('undercuts the cheapest rival by the step, ignoring our own offer, duplicates and fractions', () => {
    const d = decide({
      livePriceTenge: 13_200,
      offers: [
        { merchantId: B, price: 13_500 },
        { merchantId: US, price: 13_200 },
        { merchantId: A, price: 13_100 },
        { merchantId: A, price: 12_990.5 },
      ],
    });
    expect(d).toMatchObject({
      targetPriceTenge: 12_989,
      changed: true,
      reason: 'undercut',
      rival: { merchantId: A, priceTenge: 12_990 },
      positionBefore: 2,
      positionAfter: 1,
      rivalsCount: 2,
    });
  });

  it('raises to just under the rival when we are first by more than needed', () => {
    const d = decide({ livePriceTenge: 11_000, offers: [{ merchantId: A, price: 12_990 }] });
    expect(d).toMatchObject({ targetPriceTenge: 12_989, reason: 'raise', positionBefore: 1, positionAfter: 1 });
  });

  it('holds when already just under the cheapest rival', () => {
    const d = decide({ livePriceTenge: 12_989, offers: [{ merchantId: A, price: 12_990 }] });
    expect(d).toMatchObject({ targetPriceTenge: 12_989, changed: false, reason: 'already_best' });
  });

  it('holds level with a rival Kaspi lists behind us, its price a fraction above ours', () => {
    const d = decide({
      livePriceTenge: 12_989,
      offers: [
        { merchantId: US, price: 12_989 },
        { merchantId: A, price: 12_989.5 },
      ],
    });
    expect(d).toMatchObject({ targetPriceTenge: 12_989, changed: false, reason: 'already_best', positionBefore: 1 });
  });

  it('undercuts a rival at our very price, whichever way Kaspi breaks the tie', () => {
    for (const offers of [
      [
        { merchantId: A, price: 12_989 },
        { merchantId: US, price: 12_989 },
      ],
      [
        { merchantId: US, price: 12_989 },
        { merchantId: A, price: 12_989 },
      ],
    ])
      expect(decide({ livePriceTenge: 12_989, offers })).toMatchObject({
        targetPriceTenge: 12_988,
        changed: true,
        reason: 'undercut',
      });
  });

  it('does not give money away when already first by less than a step', () => {
    const d = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ step: 50 }),
      livePriceTenge: 12_970,
      offers: [{ merchantId: A, price: 12_990 }],
    });
    expect(d).toMatchObject({ targetPriceTenge: 12_970, changed: false, reason: 'already_best' });
  });

  it('stay_top_n sits just under the N-th rival', () => {
    const d = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ strategy: 'stay_top_n', topN: 2 }),
      livePriceTenge: 1150,
      offers: [
        { merchantId: A, price: 1000 },
        { merchantId: B, price: 1100 },
        { merchantId: C, price: 1200 },
      ],
    });
    expect(d).toMatchObject({
      targetPriceTenge: 1099,
      reason: 'stay_top_n',
      rival: { merchantId: B },
      positionAfter: 2,
    });
  });

  it('match equals the leader', () => {
    const d = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ strategy: 'match' }),
      livePriceTenge: 1100,
      offers: [{ merchantId: A, price: 1050 }],
    });
    expect(d).toMatchObject({ targetPriceTenge: 1050, reason: 'match' });
  });

  it('at the floor, takes the best place it can: just under the first rival above the floor', () => {
    const d = decide({
      livePriceTenge: 1250,
      offers: [
        { merchantId: A, price: 950 },
        { merchantId: B, price: 1200 },
      ],
    });
    expect(d).toMatchObject({
      targetPriceTenge: 1199,
      reason: 'floor_reached',
      rival: { merchantId: B },
      wantedPriceTenge: 949,
      floorTenge: 1000,
      positionAfter: 2,
    });
  });

  it('at the floor with every rival below it, holds the floor', () => {
    const d = decide({ livePriceTenge: 1000, offers: [{ merchantId: A, price: 900 }] });
    expect(d).toMatchObject({ targetPriceTenge: 1000, changed: false, reason: 'floor_reached', rival: null });
  });

  it('the floor counts cost and minimum margin', () => {
    const d = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ minPrice: 500, cost: 1000, minMarginPercent: 10 }),
      livePriceTenge: 1150,
      offers: [{ merchantId: A, price: 1050 }],
    });
    expect(d).toMatchObject({ targetPriceTenge: 1100, floorTenge: 1100, reason: 'floor_reached' });
  });

  it('never goes above the ceiling', () => {
    const d = decide({ livePriceTenge: 15_000, offers: [{ merchantId: A, price: 50_000 }] });
    expect(d).toMatchObject({ targetPriceTenge: 20_000, reason: 'ceiling' });
  });

  it('with no rivals, holds or goes to the ceiling as the merchant chose', () => {
    const offers = [{ merchantId: US, price: 5000 }];
    expect(decide({ livePriceTenge: 5000, offers })).toMatchObject({
      targetPriceTenge: 5000,
      reason: 'no_rivals_hold',
    });
    const toCeiling = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ noRivalsAction: 'ceiling' }),
      livePriceTenge: 5000,
      offers,
    });
    expect(toCeiling).toMatchObject({ targetPriceTenge: 20_000, reason: 'no_rivals_ceiling', changed: true });
  });

  it('stops following a price-war rival below the guard, and sits second instead', () => {
    const war: PriceWarState = { ...NO_PRICE_WAR, rivalMerchantId: A, rounds: 3, startPriceTenge: 1500 };
    const d = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ priceWarGuardPercent: 0 }),
      livePriceTenge: 1497,
      offers: [
        { merchantId: A, price: 1496 },
        { merchantId: B, price: 1700 },
      ],
      war,
    });
    expect(d).toMatchObject({
      targetPriceTenge: 1699,
      reason: 'price_war_hold',
      guardTenge: 1500,
      rival: { merchantId: B },
    });
    const guardPrice = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: settings({ priceWarGuardPercent: 10, priceWarGuardPrice: 1400 }),
      livePriceTenge: 1401,
      offers: [{ merchantId: A, price: 1400 }],
      war,
    });
    expect(guardPrice).toMatchObject({ targetPriceTenge: 1400, reason: 'price_war_hold', guardTenge: 1400 });
  });

  it('keeps following a rival that has not answered enough cuts to be a war', () => {
    const war: PriceWarState = { ...NO_PRICE_WAR, rivalMerchantId: A, rounds: 2, startPriceTenge: 1500 };
    const d = decide({ livePriceTenge: 1497, offers: [{ merchantId: A, price: 1496 }], war });
    expect(d).toMatchObject({ targetPriceTenge: 1495, reason: 'undercut', guardTenge: null });
  });

  it('limits the drop per change and per day', () => {
    const perChange = decide({ livePriceTenge: 10_000, offers: [{ merchantId: A, price: 5000 }] });
    expect(perChange).toMatchObject({ targetPriceTenge: 9000, reason: 'drop_limited', wantedPriceTenge: 4999 });
    const perDay = decide({
      livePriceTenge: 7500,
      dayStartPriceTenge: 10_000,
      offers: [{ merchantId: A, price: 5000 }],
    });
    expect(perDay).toMatchObject({ targetPriceTenge: 7000, reason: 'drop_limited' });
    const spent = decide({
      livePriceTenge: 7000,
      dayStartPriceTenge: 10_000,
      offers: [{ merchantId: A, price: 5000 }],
    });
    expect(spent).toMatchObject({ targetPriceTenge: 7000, changed: false, reason: 'drop_limited' });
  });

  it('never lowers a product without a floor, and says so', () => {
    const noFloor = settings({ minPrice: null });
    const d = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: noFloor,
      livePriceTenge: 1000,
      offers: [{ merchantId: A, price: 10 }],
    });
    expect(d).toMatchObject({ targetPriceTenge: 1000, changed: false, reason: 'no_floor', floorTenge: null });
    const up = decidePrice({
      cityId: '750000000',
      ourMerchantId: US,
      settings: noFloor,
      livePriceTenge: 1000,
      offers: [{ merchantId: A, price: 1200 }],
    });
    expect(up).toMatchObject({ targetPriceTenge: 1199, reason: 'raise' });
  });

  it('pushes nothing when the kill switch is on or the product is off', () => {
    const offers = [{ merchantId: A, price: 1200 }];
    expect(decide({ livePriceTenge: 1500, offers, killSwitch: true })).toMatchObject({
      targetPriceTenge: 1500,
      changed: false,
      reason: 'kill_switch',
    });
    expect(
      decidePrice({
        cityId: '750000000',
        ourMerchantId: US,
        settings: settings({ active: false }),
        livePriceTenge: 1500,
        offers,
      }),
    ).toMatchObject({ changed: false, reason: 'inactive' });
  });

  it('raises no further than under a rival that left lately, as it may come back at its price', () => {
    const left = { merchantId: A, priceTenge: 12_000 };
    const offers = [{ merchantId: B, price: 13_500 }];
    expect(decide({ livePriceTenge: 11_999, offers, departed: left })).toMatchObject({
      targetPriceTenge: 11_999,
      changed: false,
      reason: 'already_best',
    });
    // A raise up to under it still goes; so does the rest of the raise once it is forgotten.
    expect(decide({ livePriceTenge: 11_500, offers, departed: left })).toMatchObject({
      targetPriceTenge: 11_999,
      reason: 'raise',
      rival: left,
    });
    expect(decide({ livePriceTenge: 11_999, offers, departed: null }).targetPriceTenge).toBe(13_499);
    expect(
      decide({ livePriceTenge: 11_999, offers, departed: left, settings: settings({ strategy: 'match' }) }),
    ).toMatchObject({
      targetPriceTenge: 12_000,
      reason: 'raise',
    });
    // The only rival gone: no jump to the ceiling while it may be back.
    const ceilingWhenAlone = settings({ noRivalsAction: 'ceiling' });
    expect(
      decide({ livePriceTenge: 11_999, offers: [], departed: left, settings: ceilingWhenAlone }).targetPriceTenge,
    ).toBe(11_999);
    // Never below the floor: a product under its floor still goes up to it.
    expect(
      decide({ livePriceTenge: 11_000, offers, departed: left, settings: settings({ minPrice: 12_500 }) }),
    ).toMatchObject({ targetPriceTenge: 12_500 });
    // A lowering is not held back; a second place aimed at is not the cheapest's.
    expect(decide({ livePriceTenge: 13_600, offers, departed: left }).targetPriceTenge).toBe(13_499);
    const second = settings({ strategy: 'stay_top_n', topN: 2 });
    const twoRivals = [...offers, { merchantId: C, price: 12_500 }];
    expect(
      decide({ livePriceTenge: 11_999, offers: twoRivals, departed: left, settings: second }).targetPriceTenge,
    ).toBe(13_499);
  });

  it('refuses inconsistent settings with the field named', () => {
    const bad = settings({ minPrice: 5000, maxPrice: 4000 });
    expect(() => decide({ livePriceTenge: 4500, offers: [], settings: bad })).toThrow(ProductSettingsError);
    expect(() => decide({ livePriceTenge: 4500, offers: [], settings: bad })).toThrow(/maxPrice/);
    expect(() => decide({ livePriceTenge: 0, offers: [] })).toThrow(/livePriceTenge/);
  });
});

describe('decidePrice: properties', () => {
  const activeInput = priceInput;

  it('prices are whole tenge within floor and ceiling', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const d = decidePrice(input);
        const floor = floorTenge(input.settings);
        expect(Number.isInteger(d.targetPriceTenge)).toBe(true);
        expect(d.targetPriceTenge).toBeGreaterThanOrEqual(floor ?? 1);
        if (input.settings.maxPrice !== null) expect(d.targetPriceTenge).toBeLessThanOrEqual(input.settings.maxPrice);
        expect(d.changed).toBe(d.targetPriceTenge !== d.livePriceTenge);
      }),
      RUNS,
    );
  });

  it('our own, our other stores and excluded offers are never rivals', () => {
    fc.assert(
      fc.property(activeInput, fc.integer({ min: 1, max: 50_000 }), (input, ownPrice) => {
        const d = decidePrice(input);
        for (const r of [d.rival, d.leader]) expect([US, OUR_OTHER_STORE, EXCLUDED]).not.toContain(r?.merchantId);
        const moreOwnOffers = [US, OUR_OTHER_STORE, EXCLUDED].map((merchantId) => ({ merchantId, price: ownPrice }));
        // Listed last, so who Kaspi lists ahead of our offer stays as it was.
        expect(decidePrice({ ...input, offers: [...input.offers, ...moreOwnOffers] })).toEqual(d);
      }),
      RUNS,
    );
  });

  it('undercut makes us strictly first whenever the floor allows it', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const s = {
          ...input.settings,
          strategy: 'undercut' as const,
          topN: null,
          maxDropPercentPerChange: 100,
          maxDropPercentPerDay: 100,
        };
        const rivals = normaliseRivals(input.offers, [US, OUR_OTHER_STORE, EXCLUDED]);
        const floor = floorTenge(s);
        fc.pre(rivals.length > 0 && floor !== null && floor < rivals[0]!.priceTenge);
        const d = decidePrice({ ...input, settings: s });
        expect(d.targetPriceTenge).toBeLessThan(rivals[0]!.priceTenge);
        expect(d.positionAfter).toBe(1);
      }),
      RUNS,
    );
  });

  it('auto-raise lands just under the next rival, capped by the ceiling', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const s = { ...input.settings, strategy: 'undercut' as const, topN: null };
        const leader = normaliseRivals(input.offers, [US, OUR_OTHER_STORE, EXCLUDED])[0];
        fc.pre(leader !== undefined);
        const justUnder = leader.priceTenge - s.step;
        fc.pre(input.livePriceTenge < justUnder && justUnder >= (floorTenge(s) ?? 1));
        const d = decidePrice({ ...input, settings: s });
        expect(d.targetPriceTenge).toBe(Math.min(justUnder, s.maxPrice ?? Infinity));
        expect(d.reason).toBe(d.targetPriceTenge === justUnder ? 'raise' : 'ceiling');
      }),
      RUNS,
    );
  });

  it('floor_reached holds at or above the floor, ahead of (match: level with) every rival it can be there', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const d = decidePrice(input);
        fc.pre(d.reason === 'floor_reached');
        const floor = d.floorTenge ?? 1;
        expect(d.targetPriceTenge).toBeGreaterThanOrEqual(floor);
        const rivals = normaliseRivals(input.offers, [US, OUR_OTHER_STORE, EXCLUDED]);
        if (input.settings.strategy === 'match') {
          expect(positionAt(d.targetPriceTenge, rivals)).toBe(positionAt(floor, rivals));
        } else {
          const aheadOf = (price: number) => rivals.filter((r) => r.priceTenge > price).length;
          expect(aheadOf(d.targetPriceTenge)).toBe(aheadOf(floor));
        }
      }),
      RUNS,
    );
  });

  it('a drop never exceeds the per-change and per-day limits, except down to the ceiling', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const d = decidePrice(input);
        fc.pre(d.targetPriceTenge < d.livePriceTenge && d.targetPriceTenge !== input.settings.maxPrice);
        const { maxDropPercentPerChange, maxDropPercentPerDay } = input.settings;
        expect(d.targetPriceTenge).toBeGreaterThanOrEqual(
          minusPercentRoundedUp(d.livePriceTenge, maxDropPercentPerChange),
        );
        expect(d.targetPriceTenge).toBeGreaterThanOrEqual(
          minusPercentRoundedUp(input.dayStartPriceTenge!, maxDropPercentPerDay),
        );
      }),
      RUNS,
    );
  });

  it('within a day the price falls no further than the per-day limit, however often rivals cut', () => {
    fc.assert(
      fc.property(activeInput, fc.integer({ min: 1, max: 40 }), (input, cuts) => {
        const s = { ...input.settings, maxPrice: null };
        const dayStart = input.livePriceTenge;
        let live = dayStart;
        for (let i = 0; i < cuts; i++) {
          const d = decidePrice({
            ...input,
            settings: s,
            livePriceTenge: live,
            dayStartPriceTenge: dayStart,
            offers: [{ merchantId: RIVAL_IDS[0]!, price: Math.max(1, live - 1 - i * 7) }],
          });
          live = d.targetPriceTenge;
        }
        expect(live).toBeGreaterThanOrEqual(
          Math.min(dayStart, minusPercentRoundedUp(dayStart, s.maxDropPercentPerDay)),
        );
      }),
      RUNS,
    );
  });

  it('a product without a floor is never lowered, except down to its ceiling', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const s = { ...input.settings, minPrice: null, cost: null, minMarginPercent: null };
        const d = decidePrice({ ...input, settings: s });
        expect(d.targetPriceTenge).toBeGreaterThanOrEqual(Math.min(d.livePriceTenge, s.maxPrice ?? Infinity));
      }),
      RUNS,
    );
  });

  it('the kill switch pushes nothing', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const d = decidePrice({ ...input, killSwitch: true });
        expect(d).toMatchObject({
          changed: false,
          targetPriceTenge: Math.floor(input.livePriceTenge),
          reason: 'kill_switch',
        });
      }),
      RUNS,
    );
  });

  it('is idempotent: with the decision applied to the market, deciding again changes nothing', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const first = decidePrice(input);
        fc.pre(first.reason !== 'drop_limited');
        const second = decidePrice(applied(input, first));
        expect(second.changed).toBe(false);
        expect(second.targetPriceTenge).toBe(first.targetPriceTenge);
      }),
      RUNS,
    );
  });

  it('a drop-limited decision only approaches the unlimited one, a step at a time', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const first = decidePrice(input);
        fc.pre(first.reason === 'drop_limited');
        const unlimited = { ...input.settings, maxDropPercentPerChange: 100, maxDropPercentPerDay: 100 };
        const aim = decidePrice({ ...input, settings: unlimited }).targetPriceTenge;
        let current = input;
        let step = first;
        for (let i = 0; i < 20 && step.changed; i++) {
          expect(step.targetPriceTenge).toBeLessThan(current.livePriceTenge);
          expect(step.targetPriceTenge).toBeGreaterThanOrEqual(aim);
          current = applied(current, step);
          step = decidePrice(current);
        }
      }),
      RUNS,
    );
  });

  it('positions are counted against the normalised rivals', () => {
    fc.assert(
      fc.property(activeInput, (input) => {
        const d = decidePrice(input);
        const rivals = normaliseRivals(input.offers, [US, OUR_OTHER_STORE, EXCLUDED], {
          merchantId: US,
          priceTenge: d.livePriceTenge,
        });
        expect(d.positionBefore).toBe(positionAt(d.livePriceTenge, rivals));
        expect(d.positionAfter).toBe(positionAt(d.targetPriceTenge, rivals));
        expect(d.leader).toEqual(rivals[0] ?? null);
      }),
      RUNS,
    );
  });
});
