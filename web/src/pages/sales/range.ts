/** The sales screen's period: a preset of recent days, or Almaty days chosen by hand, and the period before it. */
export const PRESETS = ['7', '30', '90', '365'] as const;
export type Preset = (typeof PRESETS)[number];
export const GROUPS = ['day', 'week', 'month'] as const;
export type Group = (typeof GROUPS)[number];

export interface SalesState {
  preset: Preset | 'custom';
  /** Almaty days, `YYYY-MM-DD`, both included; used when `preset` is custom. */
  from: string;
  to: string;
  groupBy: Group;
}

export interface Range {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
/** Almaty keeps UTC+5 all year. */
const ALMATY_OFFSET_MS = 5 * 3_600_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The Almaty day `at` falls on, as `YYYY-MM-DD`. */
export function almatyDay(atMs: number): string {
  return new Date(atMs + ALMATY_OFFSET_MS).toISOString().slice(0, 10);
}

const almatyMidnight = (day: string) => Date.parse(`${day}T00:00:00+05:00`);

export function readSalesState(params: URLSearchParams): SalesState {
  const preset = params.get('period') ?? '30';
  const groupBy = params.get('by') ?? 'day';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const custom = preset === 'custom' && DAY.test(from) && DAY.test(to) && from <= to;
  return {
    preset: custom ? 'custom' : (PRESETS as readonly string[]).includes(preset) ? (preset as Preset) : '30',
    from: custom ? from : '',
    to: custom ? to : '',
    groupBy: (GROUPS as readonly string[]).includes(groupBy) ? (groupBy as Group) : 'day',
  };
}

export function writeSalesState(state: SalesState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.preset !== '30') params.set('period', state.preset);
  if (state.preset === 'custom') {
    params.set('from', state.from);
    params.set('to', state.to);
  }
  if (state.groupBy !== 'day') params.set('by', state.groupBy);
  return params;
}

/**
 * The instants the API takes (`to` exclusive): a preset ends with today in Almaty and spans that many
 * days; a custom range runs from its first day's midnight to the midnight after its last.
 */
export function rangeOf(state: SalesState, nowMs: number): Range {
  if (state.preset === 'custom') {
    return {
      from: new Date(almatyMidnight(state.from)).toISOString(),
      to: new Date(almatyMidnight(state.to) + DAY_MS).toISOString(),
    };
  }
  const end = almatyMidnight(almatyDay(nowMs)) + DAY_MS;
  return { from: new Date(end - Number(state.preset) * DAY_MS).toISOString(), to: new Date(end).toISOString() };
}

/** The period of the same length that ends where `range` begins, to compare with. */
export function previousRange(range: Range): Range {
  const from = Date.parse(range.from);
  const length = Date.parse(range.to) - from;
  return { from: new Date(from - length).toISOString(), to: range.from };
}

/** The change from `before` to `now` as a share (0.25 for +25 %); null when there was nothing before. */
export function change(now: number, before: number): number | null {
  return before === 0 ? null : (now - before) / before;
}

/** The period as Almaty days, both included: what the earnings routes take. */
export function daysOf(state: SalesState, nowMs: number): Range {
  if (state.preset === 'custom') return { from: state.from, to: state.to };
  return { from: almatyDay(nowMs - (Number(state.preset) - 1) * DAY_MS), to: almatyDay(nowMs) };
}
