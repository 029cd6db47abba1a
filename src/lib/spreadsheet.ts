import ExcelJS from 'exceljs';

/** One cell of a plain table: text, a number, or empty. */
export type Cell = string | number | null;

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A workbook with one sheet of plain values, header row first (price lists, exports). */
export async function writeSheet(rows: Cell[][], sheetName = 'Sheet1'): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow(row.map((cell) => cell ?? undefined));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

export class SpreadsheetError extends Error {}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if (value instanceof Date) return value.toISOString();
  }
  return String(value);
}

/** The first sheet of an .xlsx as rows of trimmed text, with empty cells as `''`. */
export async function readFirstSheet(bytes: Uint8Array): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw new SpreadsheetError('not an .xlsx file');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new SpreadsheetError('the workbook has no sheets');
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let column = 1; column <= row.cellCount; column++) cells.push(cellText(row.getCell(column).value).trim());
    rows[rowNumber - 1] = cells;
  });
  return Array.from(rows, (row) => row ?? []);
}
