import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Stored uncompressed instead of deflated. */
  stored?: boolean;
  /** What the directory says it unpacks to, when it should lie. */
  declaredSize?: number;
  /** The entry's bytes already deflated (then `data` is not used, and its size must be declared). */
  deflated?: Buffer;
}

interface EntryFields {
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  nameLength: number;
}

/**
 * The fields a local header and a central directory header both carry, laid out alike from the method on
 * (the modification time and date between stay zero).
 */
function writeEntryFields(header: Buffer, at: number, fields: EntryFields): void {
  header.writeUInt16LE(fields.method, at);
  header.writeUInt32LE(fields.crc, at + 6);
  header.writeUInt32LE(fields.compressedSize, at + 10);
  header.writeUInt32LE(fields.size, at + 14);
  header.writeUInt16LE(fields.nameLength, at + 18);
}

/** A zip archive written byte by byte, so tests can make hostile ones (lying sizes, bombs). */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
    const body = entry.deflated ?? (entry.stored ? data : deflateRawSync(data, { level: 9 }));
    const name = Buffer.from(entry.name);
    const size = entry.declaredSize ?? data.length;
    const crc = crc32(data);
    const fields = { method: entry.stored ? 0 : 8, crc, compressedSize: body.length, size, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    writeEntryFields(local, 8, fields);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    writeEntryFields(central, 10, fields);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A one-sheet workbook around the given `<sheetData>` rows, with its sheet part's size possibly lying. */
export function workbook(sheetRows: string | Buffer, sheet: Partial<ZipEntry> = {}): Buffer {
  const rows = Buffer.isBuffer(sheetRows) ? sheetRows : Buffer.from(sheetRows);
  return zip([
    {
      name: 'xl/workbook.xml',
      data:
        '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ' +
        'Target="worksheets/sheet1.xml"/></Relationships>',
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: Buffer.concat([
        Buffer.from(
          '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
        ),
        rows,
        Buffer.from('</sheetData></worksheet>'),
      ]),
      ...sheet,
    },
  ]);
}
