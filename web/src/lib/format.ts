/** How the cabinet writes money and time: whole tenge with thin groups, Almaty wall-clock times. */

export const ALMATY_TZ = 'Asia/Almaty';

const NBSP = '\u00a0';

/** `2 000`: a whole number in groups of three split by a no-break space, whatever the language. */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** `−1 090`: whole tenge without the sign of the currency, for a table that names it once. */
export function formatAmount(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${value < 0 ? '−' : ''}${formatCount(Math.abs(value))}`;
}

/** `12 990 ₸`: groups of three split by a no-break space, whatever the language. */
export function formatTenge(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${formatAmount(value)}${NBSP}₸`;
}

/** A signed difference in tenge, `+10 ₸` or `−1 ₸`. */
export function formatTengeDelta(value: number): string {
  return value > 0 ? `+${formatTenge(value)}` : formatTenge(value);
}

export function formatPercent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || Number.isNaN(share)) return '—';
  return `${(share * 100).toFixed(digits)}${NBSP}%`;
}

/**
 * Intl formatters are costly to build and a list formats hundreds of times per draw, so each is built
 * once per language.
 */
function perLanguage<T>(make: (locale: string) => T): (language: string) => T {
  const made = new Map<string, T>();
  return (language) => {
    let formatter = made.get(language);
    if (!formatter) {
      formatter = make(intlLocale(language));
      made.set(language, formatter);
    }
    return formatter;
  };
}

const exactFormatter = perLanguage(
  (locale) => new Intl.DateTimeFormat(locale, { timeZone: ALMATY_TZ, dateStyle: 'short', timeStyle: 'medium' }),
);
const clockFormatter = perLanguage(
  (locale) => new Intl.DateTimeFormat(locale, { timeZone: ALMATY_TZ, hour: '2-digit', minute: '2-digit' }),
);
const relativeFormatter = perLanguage(
  (locale) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }),
);

/** The exact local time in Almaty, e.g. `05.12.2026, 14:03:27`. */
export function formatExactTime(iso: string | Date, locale: string): string {
  return exactFormatter(locale).format(typeof iso === 'string' ? new Date(iso) : iso);
}

const dateFormatter = perLanguage(
  (locale) => new Intl.DateTimeFormat(locale, { timeZone: ALMATY_TZ, dateStyle: 'long' }),
);

/** The day in Almaty, e.g. `5 января 2027 г.`. */
export function formatDate(iso: string | Date, locale: string): string {
  return dateFormatter(locale).format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** Hours and minutes in Almaty, for feeds and chart axes. */
export function formatClock(iso: string | Date, locale: string): string {
  return clockFormatter(locale).format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** "2 мин назад" / "через 40 с": the largest unit that fits, in the cabinet's language. */
export function formatRelative(iso: string | Date, locale: string, nowMs: number): string {
  const at = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  const seconds = Math.round((at - nowMs) / 1000);
  const abs = Math.abs(seconds);
  const rtf = relativeFormatter(locale);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/** The cabinet's languages map to Intl locales with Kazakhstan's conventions. */
export function intlLocale(language: string): string {
  if (language === 'kk') return 'kk-KZ';
  if (language === 'en') return 'en-GB';
  return 'ru-RU';
}

const percentFormatter = perLanguage((locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }));

/**
 * A percentage given as a plain number (10.9 means 10.9 %), up to two decimals in the language's way:
 * `20,1 %` in Russian and Kazakh, `20.1 %` in English; a loss carries the minus sign of money.
 */
export function formatPercentNumber(percent: number | null | undefined, language: string): string {
  if (percent === null || percent === undefined || Number.isNaN(percent)) return '—';
  const digits = percentFormatter(language).format(Math.abs(percent)).replace(/\s/g, NBSP);
  return `${percent < 0 ? '−' : ''}${digits}${NBSP}%`;
}

/** The decimal mark a number input shows: a comma in Russian and Kazakh, a point in English. */
export function decimalMark(language: string): ',' | '.' {
  return language === 'en' ? '.' : ',';
}
