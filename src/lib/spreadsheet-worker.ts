import { parentPort } from 'node:worker_threads';
import { parseFirstSheet, SpreadsheetError, type SheetLimits } from './xlsx-reader';

/** Runs in a worker thread of `readFirstSheet`'s pool: parses one workbook per message and posts its rows back. */
parentPort!.on('message', ({ bytes, limits }: { bytes: Uint8Array; limits: SheetLimits }) => {
  try {
    parentPort!.postMessage({ rows: parseFirstSheet(bytes, limits) });
  } catch (error) {
    parentPort!.postMessage({
      error: error instanceof Error ? error.message : String(error),
      known: error instanceof SpreadsheetError,
    });
  }
});
