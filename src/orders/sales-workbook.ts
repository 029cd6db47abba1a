import { writeSheet, type Cell } from '../lib/spreadsheet';
import type { SalesReport } from './sales';

/**
 * A sales report as one sheet a merchant opens in Excel: the period's totals, a row per day, week or
 * month, then the best-selling SKUs. Headers are Russian, the cabinet's first language.
 */
export function salesWorkbook(report: SalesReport, range: { from: Date; to: Date }): Promise<Uint8Array> {
  const day = (at: Date) => at.toISOString().slice(0, 10);
  const rows: Cell[][] = [
    ['Продажи', `${day(range.from)} — ${day(range.to)}`],
    [],
    ['Период', 'Выручка, ₸', 'Заказы', 'Средний чек, ₸', 'Отмены', 'Сумма отмен, ₸'],
    ...report.periods.map((p) => [p.period, p.revenue, p.orders, p.averageCheck, p.cancellations, p.cancelledRevenue]),
    [
      'Итого',
      report.totals.revenue,
      report.totals.orders,
      report.totals.averageCheck,
      report.totals.cancellations,
      report.totals.cancelledRevenue,
    ],
    [],
    ['Лучшие товары'],
    ['SKU', 'Товар', 'Штук', 'Выручка, ₸', 'Заказы'],
    ...report.topProducts.map((p) => [p.sku, p.name, p.quantity, p.revenue, p.orders]),
  ];
  return writeSheet(rows, 'Продажи');
}
