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

/** CPU time the whole machine has spent busy (every core, every process), in seconds, from /proc/stat. */
function machineBusySeconds(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = cpu.slice(0, 8).reduce((sum, ticks, i) => (i === 3 || i === 4 ? sum : sum + ticks), 0);
  return busy / TICKS_PER_SECOND;
}

/** CPU seconds of several processes (by pid; `self` is this one) and of the whole machine, over a span. */
export function watchCpu(pids: Record<string, number | undefined>) {
  const cpuOf = (pid: number | undefined) => (pid === undefined ? 0 : (sampleProcess(pid)?.cpuSeconds ?? 0));
  const self = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const start = {
    machine: machineBusySeconds(),
    self: self(),
    ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuOf(pid)])),
  };
  return {
    /** CPU seconds used since watching began, by name, plus `self` and `machine`. */
    stop(): Record<string, number> {
      const spent: Record<string, number> = {
        machine: machineBusySeconds() - start.machine,
        self: self() - start.self,
      };
      for (const [name, pid] of Object.entries(pids))
        spent[name] = cpuOf(pid) - (start as Record<string, number>)[name]!;
      return spent;
    },
  };
}
