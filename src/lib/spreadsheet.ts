import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import { DEFAULT_SHEET_LIMITS, SpreadsheetError, checkDeclaredSizes, type SheetLimits } from './xlsx-reader';

export { SpreadsheetError };

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

/** `.ts` under tsx and vitest (loaded through tsx), `.js` in the compiled build. */
const WORKER_PATH = ['spreadsheet-worker.ts', 'spreadsheet-worker.js']
  .map((file) => path.join(__dirname, file))
  .find((file) => fs.existsSync(file))!;

/** Workers (parses at once) per process; more parses wait their turn. */
const POOL_SIZE = 2;
/** A parse still running after this is stopped (its worker with it) and the file refused. */
const PARSE_TIMEOUT_MS = 15_000;

function startWorker(): Worker {
  // Under tsx or vitest the worker is TypeScript: a one-line CommonJS bootstrap registers tsx first.
  const typescript = WORKER_PATH.endsWith('.ts');
  const worker = new Worker(typescript ? `require('tsx/cjs'); require(${JSON.stringify(WORKER_PATH)});` : WORKER_PATH, {
    eval: typescript,
    // A sheet at its caps fits well within this; anything past it is not a sheet we take.
    resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 },
  });
  // An idle reader does not keep the process alive.
  worker.unref();
  worker.once('exit', () => {
    const at = idle.indexOf(worker);
    if (at >= 0) {
      idle.splice(at, 1);
      started--;
    }
  });
  return worker;
}

const idle: Worker[] = [];
let started = 0;
const waiting: ((worker: Worker) => void)[] = [];

async function takeWorker(): Promise<Worker> {
  const ready = idle.pop();
  if (ready) return ready;
  if (started < POOL_SIZE) {
    started++;
    return startWorker();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function giveBack(worker: Worker | undefined): void {
  if (!worker) started--;
  const next = waiting.shift();
  if (next) {
    if (worker) next(worker);
    else {
      started++;
      next(startWorker());
    }
  } else if (worker) idle.push(worker);
}

function parseInWorker(
  worker: Worker,
  bytes: Uint8Array,
  limits: SheetLimits,
): Promise<{ rows: string[][]; healthy: boolean }> {
  const copy = new Uint8Array(bytes);
  return new Promise((resolve, reject) => {
    const done = (outcome: () => void) => {
      clearTimeout(timer);
      worker.unref();
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      outcome();
    };
    const onMessage = (message: { rows?: string[][]; error?: string; known?: boolean }) =>
      done(() => {
        if (message.rows) resolve({ rows: message.rows, healthy: true });
        else if (message.known)
          reject(Object.assign(new SpreadsheetError(message.error ?? 'not an .xlsx file'), { healthy: true }));
        else reject(Object.assign(new Error(`reading the sheet failed: ${message.error}`), { healthy: true }));
      });
    const onError = (error: Error) =>
      done(() =>
        reject(
          (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new SpreadsheetError('the file needs too much memory to read')
            : error,
        ),
      );
    const onExit = (code: number) => done(() => reject(new Error(`the sheet reader stopped (exit code ${code})`)));
    const timer = setTimeout(
      () => done(() => reject(new SpreadsheetError('the file took too long to read'))),
      PARSE_TIMEOUT_MS,
    );
    worker.ref();
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage({ bytes: copy, limits }, [copy.buffer]);
  });
}

/**
 * The first sheet of an .xlsx as rows of trimmed text, with empty cells as `''`. The file is read in a
 * worker thread by a bounded reader (`xlsx-reader.ts`: zip sizes checked first, rows, columns and
 * cells capped), so a hostile upload neither blocks this process's event loop nor exhausts its memory.
 */
export async function readFirstSheet(
  bytes: Uint8Array,
  limits: SheetLimits = DEFAULT_SHEET_LIMITS,
): Promise<string[][]> {
  // What the zip declares is checked here at once (a few thousand bytes read): a declared bomb costs no worker.
  checkDeclaredSizes(bytes, limits);
  const worker = await takeWorker();
  let healthy = false;
  try {
    const outcome = await parseInWorker(worker, bytes, limits);
    healthy = outcome.healthy;
    return outcome.rows;
  } catch (error) {
    healthy = (error as { healthy?: boolean }).healthy === true;
    throw error;
  } finally {
    // A worker that timed out, ran out of memory or died is replaced.
    if (!healthy) void worker.terminate();
    giveBack(healthy ? worker : undefined);
  }
}
