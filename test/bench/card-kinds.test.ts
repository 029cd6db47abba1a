import { describe, expect, it } from 'vitest';
import { figuresByKind, regainsByDelay } from '../../bench/lib/card-kinds';
import { ev, US } from './price-events';

describe('our moves on undercut cards, from ground truth', () => {
  it('sorts regains by how long after the loss they came, and counts moves down that took no first place', () => {
    const events = [
      ev(0, US, 999),
      ev(0, 'bot', 1000),
      ev(100, 'bot', 990),
      // Answered a second after the loss; held until the bot moved again.
      ev(1_100, US, 989),
      ev(6_100, 'bot', 980),
      // Answered 34 s late; held 0.9 s.
      ev(40_100, US, 979),
      ev(41_000, 'bot', 975),
      ev(42_000, US, 974),
      ev(43_000, 'bot', 960),
      // The bot had moved again: this cut leaves us second.
      ev(43_500, US, 965),
    ];
    const [undercut] = figuresByKind(new Map([['p:c', events]]), new Map([['p', 'undercut' as const]]), {
      ourMerchantUid: US,
      bounds: () => ({ floorTenge: 900, ceilingTenge: 1200 }),
      fromMs: 50,
      toMs: 44_000,
    });
    expect(undercut).toMatchObject({ kind: 'undercut', cards: 1, lowered: 4, regains: 3, missed: 1 });
    expect(undercut!.regainsByDelay).toEqual([
      { regains: 2, holdMs: 3_000 },
      { regains: 0, holdMs: null },
      { regains: 0, holdMs: null },
      { regains: 1, holdMs: 900 },
    ]);
  });

  it('puts a regain on a span bound in the later span', () => {
    expect(regainsByDelay([{ afterLossMs: 2_000, holdMs: 5 }]).map((s) => s.regains)).toEqual([0, 1, 0, 0]);
  });
});
