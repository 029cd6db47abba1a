/**
 * Kaspi city ids are KATO codes; the same ids appear in the offers API, cabinet GraphQL points,
 * `allCityPrices`, pricefeed `cityPrices` and the XML price list. These are the ones verified against the
 * offers endpoint; the cabinet's `getCities` query lists 200+.
 */
export const KASPI_CITIES = {
  '750000000': 'Алматы',
  '710000000': 'Астана',
  '511010000': 'Шымкент',
  '351010000': 'Караганда',
  '151010000': 'Актобе',
  '231010000': 'Атырау',
  '471010000': 'Актау',
  '391010000': 'Костанай',
  '551010000': 'Павлодар',
  '632810000': 'Семей',
  '271010000': 'Уральск',
  '311010000': 'Тараз',
  '631010000': 'Усть-Каменогорск',
  '431010000': 'Кызылорда',
  '191010000': 'Талдыкорган',
  '591010000': 'Петропавловск',
  '111010000': 'Кокшетау',
  '552210000': 'Экибастуз',
  '352410000': 'Темиртау',
} as const satisfies Record<string, string>;

export type KnownCityId = keyof typeof KASPI_CITIES;

export const ALMATY = '750000000';
export const ASTANA = '710000000';

export function isKnownCityId(id: string): id is KnownCityId {
  return Object.hasOwn(KASPI_CITIES, id);
}

export function cityName(id: string): string | undefined {
  return isKnownCityId(id) ? KASPI_CITIES[id] : undefined;
}
