/**
 * A bounded reader of an .xlsx workbook's first sheet, as rows of trimmed text. Uploads come from
 * anyone, so nothing here trusts the file: the zip's declared sizes are checked before anything is
 * inflated, inflating never outputs more than an entry declared, only the four parts a sheet needs are
 * read, and rows, columns and cells are capped. Only cells present in the file are visited; the gaps
 * between them become `''`. Numbers read as written (`12990`, `0.5`); dates are not interpreted.
 *
 * Synchronous and CPU-bound: the API calls it in a worker thread (`spreadsheet.ts`), never on its event loop.
 */

import { inflateRawSync } from 'node:zlib';

export interface SheetLimits {
  /** Sum of the uncompressed sizes the zip declares, and of what is actually inflated. */
  maxUncompressedBytes: number;
  maxEntries: number;
  maxRows: number;
  maxColumns: number;
  maxCells: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = {
  maxUncompressedBytes: 64 * 1024 * 1024,
  maxEntries: 1000,
  maxRows: 50_000,
  maxColumns: 100,
  maxCells: 1_000_000,
};

export class SpreadsheetError extends Error {}

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function entries(zip: Buffer, limits: SheetLimits): Map<string, Entry> {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new SpreadsheetError('not an .xlsx file');
  const count = zip.readUInt16LE(eocd + 10);
  const directorySize = zip.readUInt32LE(eocd + 12);
  const directoryOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw new SpreadsheetError('the file is too large (zip64)');
  if (count > limits.maxEntries) throw new SpreadsheetError(`the file has more than ${limits.maxEntries} parts`);
  if (directoryOffset + directorySize > zip.length) throw new SpreadsheetError('not an .xlsx file');
  const found = new Map<string, Entry>();
  let declared = 0;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw new SpreadsheetError('not an .xlsx file');
    const nameLength = zip.readUInt16LE(at + 28);
    const entry: Entry = {
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    };
    declared += entry.size;
    if (declared > limits.maxUncompressedBytes) {
      throw new SpreadsheetError(
        `the file unpacks to more than ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB`,
      );
    }
    found.set(entry.name.replace(/^\//, ''), entry);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return found;
}

function inflate(zip: Buffer, entry: Entry): string {
  if (entry.flags & 1) throw new SpreadsheetError('the file is encrypted');
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL) throw new SpreadsheetError('not an .xlsx file');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw new SpreadsheetError('not an .xlsx file');
  let out: Buffer;
  if (entry.method === 0) {
    out = data;
  } else if (entry.method === 8) {
    try {
      // Never more than the entry declared (and the declared sizes were checked): a lying bomb stops here.
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
    } catch {
      throw new SpreadsheetError(`part ${entry.name} does not unpack to the size it declares`);
    }
  } else {
    throw new SpreadsheetError('not an .xlsx file (unknown compression)');
  }
  if (out.length !== entry.size)
    throw new SpreadsheetError(`part ${entry.name} does not unpack to the size it declares`);
  return out.toString('utf8');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    found.set(m[1]!, unescapeXml(m[2] ?? m[3] ?? ''));
  return found;
}

/** The text of every `<t>` in a string item or inline string (rich text runs joined; phonetic runs left out). */
function textOf(xml: string): string {
  let text = '';
  for (const m of xml
    .replace(/<rPh\b[\s\S]*?<\/rPh>/g, '')
    .matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g)) {
    text += unescapeXml(m[1] ?? '');
  }
  return text;
}

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref.toUpperCase()) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
    if (n > 16384) break;
  }
  return n;
}

function resolveTarget(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** Refuses a file whose zip directory declares too many parts or too many bytes, reading only the directory. */
export function checkDeclaredSizes(bytes: Uint8Array, limits: SheetLimits = DEFAULT_SHEET_LIMITS): void {
  const zip = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (zip.length < 22) throw new SpreadsheetError('not an .xlsx file');
  entries(zip, limits);
}

export function parseFirstSheet(bytes: Uint8Array, limits: SheetLimits = DEFAULT_SHEET_LIMITS): string[][] {
  const zip = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (zip.length < 22) throw new SpreadsheetError('not an .xlsx file');
  const parts = entries(zip, limits);
  const part = (name: string) => {
    const entry = parts.get(name);
    return entry ? inflate(zip, entry) : undefined;
  };

  const workbook = part('xl/workbook.xml');
  if (workbook === undefined) throw new SpreadsheetError('not an .xlsx file');
  const sheetTag = /<(?:\w+:)?sheet\b[^>]*>/.exec(workbook.replace(/<(?:\w+:)?sheets\b[^>]*>/, ''))?.[0];
  if (!sheetTag) throw new SpreadsheetError('the workbook has no sheets');
  const relId = [...attributes(sheetTag)].find(([name]) => name === 'id' || name.endsWith(':id'))?.[1];
  const rels = part('xl/_rels/workbook.xml.rels') ?? '';
  let sheetPath: string | undefined;
  let sharedPath = 'xl/sharedStrings.xml';
  for (const m of rels.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const attrs = attributes(m[0]);
    const target = attrs.get('Target');
    if (!target) continue;
    if (attrs.get('Id') === relId) sheetPath = resolveTarget('xl/workbook.xml', target);
    if (attrs.get('Type')?.endsWith('/sharedStrings')) sharedPath = resolveTarget('xl/workbook.xml', target);
  }
  const sheet = part(sheetPath ?? 'xl/worksheets/sheet1.xml');
  if (sheet === undefined) throw new SpreadsheetError('the workbook has no sheets');

  const shared: string[] = [];
  const sharedXml = part(sharedPath);
  if (sharedXml) {
    for (const m of sharedXml.matchAll(/<si\b[^>]*>([\s\S]*?)<\/si>|<si\b[^>]*\/>/g)) {
      if (shared.length >= limits.maxCells)
        throw new SpreadsheetError(`the file has more than ${limits.maxCells} cells`);
      shared.push(textOf(m[1] ?? ''));
    }
  }

  const rows: string[][] = [];
  let cells = 0;
  let previousRow = 0;
  for (const rowMatch of sheet.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const rowNumber = Number(attributes(rowMatch[1] ?? '').get('r') ?? previousRow + 1);
    if (!Number.isInteger(rowNumber) || rowNumber < 1) throw new SpreadsheetError('not an .xlsx file (bad row number)');
    if (rowNumber > limits.maxRows) throw new SpreadsheetError(`the sheet has more than ${limits.maxRows} rows`);
    previousRow = rowNumber;
    const row: string[] = [];
    let previousColumn = 0;
    for (const cellMatch of (rowMatch[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = attributes(cellMatch[1] ?? '');
      const ref = attrs.get('r');
      const column = ref ? columnIndex(ref) : previousColumn + 1;
      if (column < 1) throw new SpreadsheetError('not an .xlsx file (bad cell reference)');
      if (column > limits.maxColumns)
        throw new SpreadsheetError(`the sheet has more than ${limits.maxColumns} columns`);
      previousColumn = column;
      if (++cells > limits.maxCells) throw new SpreadsheetError(`the file has more than ${limits.maxCells} cells`);
      const inner = cellMatch[2] ?? '';
      const raw = unescapeXml(/<v(?:\s[^>]*)?>([\s\S]*?)<\/v>/.exec(inner)?.[1] ?? '');
      let text: string;
      switch (attrs.get('t')) {
        case 's':
          text = shared[Number(raw)] ?? '';
          break;
        case 'inlineStr':
          text = textOf(inner);
          break;
        case 'b':
          text = raw === '' ? '' : raw === '1' || raw === 'true' ? 'true' : 'false';
          break;
        case 'str':
        case 'e':
          text = raw;
          break;
        default: {
          const number = raw.trim() === '' ? NaN : Number(raw);
          text = Number.isFinite(number) ? String(number) : raw;
        }
      }
      while (row.length < column - 1) row.push('');
      row[column - 1] = text.trim();
    }
    while (rows.length < rowNumber - 1) rows.push([]);
    rows[rowNumber - 1] = row;
  }
  return rows;
}
