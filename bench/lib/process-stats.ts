import fs from 'node:fs';

/** CPU seconds and resident memory of a Linux process, read from /proc (clock ticks are 100/s there). */
export interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
  peakRssBytes: number;
}

const TICKS_PER_SECOND = 100;

/**
 * The fields of /proc/<pid>/stat after the command name (which may hold spaces): index 1 is the
 * parent's pid, 11 and 12 the process's user and system ticks, 13 and 14 those of its reaped children.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const fields = statFields(pid);
    if (!fields) return undefined;
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { cpuSeconds, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The parent of a process, from /proc. */
export function parentPid(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/**
 * CPU seconds of a process and all it has started: its own, those of its descendants that have ended
 * (the kernel adds them to the parent when it reaps them) and those of its descendants still running.
 * For PostgreSQL's postmaster this is the whole server: every backend, the checkpointer, the WAL writer.
 */
export function treeCpuSeconds(pid: number): number | undefined {
  const own = statFields(pid);
  if (!own) return undefined;
  const ticks = (fields: string[]) => Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  const children = new Map<number, { fields: string[]; pid: number }[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push({ fields, pid: Number(entry) });
    children.set(parent, list);
  }
  let total = ticks(own);
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      total += ticks(child.fields);
      queue.push(child.pid);
    }
  }
  return total / TICKS_PER_SECOND;
}

/** CPU time the whole machine has spent busy (every core, every process), in seconds, from /proc/stat. */
function machineBusySeconds(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = cpu.slice(0, 8).reduce((sum, ticks, i) => (i === 3 || i === 4 ? sum : sum + ticks), 0);
  return busy / TICKS_PER_SECOND;
}

/**
 * CPU seconds of several processes (by pid; `self` is this one) and of the whole machine, over a span.
 * `trees` are counted with everything they started (`treeCpuSeconds`), e.g. PostgreSQL by its postmaster.
 */
export function watchCpu(pids: Record<string, number | undefined>, trees: Record<string, number | undefined> = {}) {
  const samplers: Record<string, () => number> = {};
  for (const [name, pid] of Object.entries(pids))
    samplers[name] = () => (pid === undefined ? 0 : (sampleProcess(pid)?.cpuSeconds ?? 0));
  for (const [name, pid] of Object.entries(trees))
    samplers[name] = () => (pid === undefined ? 0 : (treeCpuSeconds(pid) ?? 0));
  const self = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const start: Record<string, number> = { machine: machineBusySeconds(), self: self() };
  for (const [name, sample] of Object.entries(samplers)) start[name] = sample();
  return {
    /** CPU seconds used since watching began, by name, plus `self` and `machine`. */
    stop(): Record<string, number> {
      const spent: Record<string, number> = {
        machine: machineBusySeconds() - start.machine!,
        self: self() - start.self!,
      };
      for (const [name, sample] of Object.entries(samplers)) spent[name] = sample() - start[name]!;
      return spent;
    },
  };
}
