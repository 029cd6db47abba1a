import fs from 'node:fs';

/** CPU seconds and resident memory of a Linux process, read from /proc (clock ticks are 100/s there). */
export interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
  peakRssBytes: number;
}

const TICKS_PER_SECOND = 100;

export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    // Fields after the command name (which may hold spaces) start at ") ": utime and stime are 14 and 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { cpuSeconds, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process now and then, keeping its CPU time and the highest memory seen. */
export function watchProcess(pid: number, everyMs = 1000) {
  let last: ProcessSample | undefined = sampleProcess(pid);
  const first = last;
  const timer = setInterval(() => {
    last = sampleProcess(pid) ?? last;
  }, everyMs);
  timer.unref();
  return {
    /** CPU seconds used since watching began, and the peak resident memory. */
    stop(): { cpuSeconds: number; peakRssBytes: number } {
      clearInterval(timer);
      last = sampleProcess(pid) ?? last;
      return { cpuSeconds: (last?.cpuSeconds ?? 0) - (first?.cpuSeconds ?? 0), peakRssBytes: last?.peakRssBytes ?? 0 };
    },
  };
}
