/**
 * Kaspi's limits as data. Every limit is the same mechanism: at most `maxRequests` in a sliding `windowMs`
 * per key (a source IP, a merchant); going over answers `status` and, with `banMs`, keeps answering it for
 * that long. The measured model (403 bans per IP, 429 bans per merchant) and the seeds' older model
 * (250 requests per 30 minutes per IP) are two configurations of it.
 */

export interface WindowRule {
  windowMs: number;
  maxRequests: number;
  status: 403 | 429;
  /** How long the key stays refused after going over; 0 = only until the window has room again. */
  banMs: number;
}

export interface LimitProfile {
  name: string;
  /** Public storefront reads (offers, reviews), keyed by source IP. */
  publicReads: WindowRule[];
  /** Price-push requests (single, batch, upload), keyed by merchant. */
  pushes: WindowRule[];
  /** Offer changes per store (one per pushed offer), keyed by merchant. */
  changes: WindowRule[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const LIMIT_PROFILES = {
  /** What others measured in 2026: ≈10 req/s safe, ban at ≈15 req/s for ≈10 s; pushes 2 safe, 3 ban 30 min. */
  measured: {
    name: 'measured',
    publicReads: [{ windowMs: SECOND, maxRequests: 15, status: 403, banMs: 10 * SECOND }],
    pushes: [{ windowMs: SECOND, maxRequests: 3, status: 429, banMs: 30 * MINUTE }],
    changes: [{ windowMs: 30 * MINUTE, maxRequests: 250, status: 429, banMs: 30 * MINUTE }],
  },
  /** The seed documents' model: 250 requests per 30 minutes per IP, then 429 until the window frees up. */
  seed: {
    name: 'seed',
    publicReads: [{ windowMs: 30 * MINUTE, maxRequests: 250, status: 429, banMs: 0 }],
    pushes: [{ windowMs: SECOND, maxRequests: 3, status: 429, banMs: 30 * MINUTE }],
    changes: [{ windowMs: 30 * MINUTE, maxRequests: 250, status: 429, banMs: 30 * MINUTE }],
  },
  unlimited: { name: 'unlimited', publicReads: [], pushes: [], changes: [] },
} as const satisfies Record<string, LimitProfile>;

export type ProfileName = keyof typeof LIMIT_PROFILES;

/**
 * Shrinks a profile's durations for tests: every ban, and every window of a minute or more (budgets),
 * is multiplied by `banScale`. Per-second windows define rates and stay as they are.
 */
export function scaleProfile(profile: LimitProfile, banScale: number): LimitProfile {
  const scale = (rule: WindowRule): WindowRule => ({
    ...rule,
    banMs: Math.round(rule.banMs * banScale),
    windowMs: rule.windowMs >= MINUTE ? Math.max(1, Math.round(rule.windowMs * banScale)) : rule.windowMs,
  });
  return {
    name: profile.name,
    publicReads: profile.publicReads.map(scale),
    pushes: profile.pushes.map(scale),
    changes: profile.changes.map(scale),
  };
}

export type LimitVerdict = { ok: true } | { ok: false; status: number; retryAfterMs: number };

interface RuleState {
  /** Times of the requests counted in the current window, oldest first. */
  times: number[];
  bannedUntilMs: number;
}

/** Sliding-window counters for one set of rules; per-key state is a short array, so a check is cheap. */
export class Limiter {
  private readonly state = new Map<string, RuleState[]>();

  constructor(private readonly rules: readonly WindowRule[]) {}

  /** Counts `cost` requests for `key` at `nowMs` unless that would break a rule. */
  take(key: string, nowMs: number, cost = 1): LimitVerdict {
    if (this.rules.length === 0) return { ok: true };
    let states = this.state.get(key);
    if (!states) {
      states = this.rules.map(() => ({ times: [], bannedUntilMs: 0 }));
      this.state.set(key, states);
    }
    for (let i = 0; i < this.rules.length; i++) {
      const until = states[i]!.bannedUntilMs;
      if (until > nowMs) return { ok: false, status: this.rules[i]!.status, retryAfterMs: until - nowMs };
    }
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const s = states[i]!;
      while (s.times.length && s.times[0]! <= nowMs - rule.windowMs) s.times.shift();
      if (s.times.length + cost > rule.maxRequests) {
        if (rule.banMs > 0) {
          s.bannedUntilMs = nowMs + rule.banMs;
          return { ok: false, status: rule.status, retryAfterMs: rule.banMs };
        }
        const oldest = s.times[0] ?? nowMs;
        return { ok: false, status: rule.status, retryAfterMs: Math.max(1, oldest + rule.windowMs - nowMs) };
      }
    }
    for (let i = 0; i < this.rules.length; i++) {
      for (let n = 0; n < cost; n++) states[i]!.times.push(nowMs);
    }
    return { ok: true };
  }

  /** Whether `key` is inside a ban right now. */
  bannedUntil(key: string, nowMs: number): number | undefined {
    const until = Math.max(0, ...(this.state.get(key) ?? []).map((s) => s.bannedUntilMs));
    return until > nowMs ? until : undefined;
  }
}

/** The three limiters a sandbox enforces, rebuilt whenever the profile changes. */
export class Limits {
  publicReads!: Limiter;
  pushes!: Limiter;
  changes!: Limiter;
  profile!: LimitProfile;

  constructor(profile: LimitProfile) {
    this.set(profile);
  }

  set(profile: LimitProfile): void {
    this.profile = profile;
    this.publicReads = new Limiter(profile.publicReads);
    this.pushes = new Limiter(profile.pushes);
    this.changes = new Limiter(profile.changes);
  }
}

export function resolveProfile(profile: ProfileName | LimitProfile, banScale: number): LimitProfile {
  const base = typeof profile === 'string' ? LIMIT_PROFILES[profile] : profile;
  if (!base) throw new Error(`unknown limit profile "${String(profile)}"`);
  return scaleProfile(base, banScale);
}
