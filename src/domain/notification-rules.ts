/**
 * When a store's queued message may go out. Each channel of a store is one sender: at most
 * `dailyCap` messages per Almaty day, at least `minIntervalSeconds` apart, only within working hours
 * (Almaty wall clock), and never one that waited past `maxDelayHours` — a "your order is ready" a day
 * late helps nobody.
 */

import { almatyClock } from './almaty-time';
import { isWithinWorkingHours, nextWorkingHoursStart, type WorkingHours } from './check-schedule';

export interface SendRules {
  dailyCap: number;
  minIntervalSeconds: number;
  workingHours: WorkingHours | null;
  maxDelayHours: number;
}

/** What the channel has already sent (messages being sent count too). */
export interface ChannelLedger {
  sentToday: number;
  lastSentAtMs: number | null;
}

export type WaitReason = 'not_due' | 'outside_working_hours' | 'daily_cap' | 'pacing';

export type SendDecision =
  { action: 'send' } | { action: 'wait'; untilMs: number; reason: WaitReason } | { action: 'skip'; reason: 'expired' };

export function decideSend(p: {
  nowMs: number;
  dueAtMs: number;
  rules: SendRules;
  ledger: ChannelLedger;
}): SendDecision {
  const { nowMs, dueAtMs, rules, ledger } = p;
  if (nowMs < dueAtMs) return { action: 'wait', untilMs: dueAtMs, reason: 'not_due' };
  if (nowMs - dueAtMs > rules.maxDelayHours * 3600_000) return { action: 'skip', reason: 'expired' };
  const now = new Date(nowMs);
  if (!isWithinWorkingHours(now, rules.workingHours)) {
    return {
      action: 'wait',
      untilMs: nextWorkingHoursStart(now, rules.workingHours!).getTime(),
      reason: 'outside_working_hours',
    };
  }
  if (ledger.sentToday >= rules.dailyCap) {
    return { action: 'wait', untilMs: startOfNextAlmatyDay(now).getTime(), reason: 'daily_cap' };
  }
  const pacedUntilMs = ledger.lastSentAtMs === null ? nowMs : ledger.lastSentAtMs + rules.minIntervalSeconds * 1000;
  if (nowMs < pacedUntilMs) return { action: 'wait', untilMs: pacedUntilMs, reason: 'pacing' };
  return { action: 'send' };
}

/** The instant the Almaty day containing `at` began. */
export function startOfAlmatyDay(at: Date): Date {
  const clock = almatyClock(at);
  return new Date(at.getTime() - (clock.minuteOfDay * 60 + clock.second) * 1000 - at.getUTCMilliseconds());
}

export function startOfNextAlmatyDay(at: Date): Date {
  // A day later lands inside tomorrow whatever the offset does; its own start is the boundary.
  return startOfAlmatyDay(new Date(startOfAlmatyDay(at).getTime() + 36 * 3600_000));
}
