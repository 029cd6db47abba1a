import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

const MODULES = 29;
const SCALE = 6;
const QUIET = 4;

/**
 * A picture that looks like a QR code (three finder squares and a pattern drawn from the session's
 * name), as a grey-scale PNG: the sandbox's WAHA shows it where the real one shows the code to scan.
 * It encodes nothing; nobody scans it.
 */
export function qrPicture(seed: string): Buffer {
  const bits = createHash('sha256').update(seed).digest();
  const dark = (x: number, y: number) => {
    for (const [fx, fy] of [
      [0, 0],
      [MODULES - 7, 0],
      [0, MODULES - 7],
    ] as const) {
      const dx = x - fx;
      const dy = y - fy;
      if (dx >= 0 && dx < 7 && dy >= 0 && dy < 7) {
        const ring = Math.min(dx, dy, 6 - dx, 6 - dy);
        return ring !== 1;
      }
    }
    const i = (y * MODULES + x) % (bits.length * 8);
    return ((bits[i >> 3]! >> (i & 7)) & 1) === 1;
  };
  const side = (MODULES + 2 * QUIET) * SCALE;
  const rows: Buffer[] = [];
  for (let py = 0; py < side; py++) {
    const row = Buffer.alloc(side + 1, 255);
    row[0] = 0;
    const y = Math.floor(py / SCALE) - QUIET;
    for (let px = 0; px < side; px++) {
      const x = Math.floor(px / SCALE) - QUIET;
      if (x >= 0 && y >= 0 && x < MODULES && y < MODULES && dark(x, y)) row[px + 1] = 0;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8;
  header[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
