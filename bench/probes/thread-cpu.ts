/**
 * CPU per thread from /proc (Linux): which of Lumi's threads spends the time while a reply plays
 * — Node's main thread, libuv's workers (naudiodon's writes), V8's helpers, PortAudio's callback
 * and PulseAudio's client threads — and the PulseAudio daemon beside the process, not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const TICKS_PER_SECOND = 100;

/** Ticks (user + system) per thread group, named after the threads' `comm`. */
export type ThreadTicks = Record<string, number>;

/** Fields 14 and 15 (utime, stime) of a /proc stat line; the name in parentheses may hold spaces. */
function statTicks(stat: string): { name: string; ticks: number } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(open + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** A thread's group: the main thread apart, numbered workers together. */
function groupOf(name: string, isMain: boolean): string {
  if (isMain) return 'main';
  return name.replace(/[\s_-]*\d+$/, '') || 'unnamed';
}

/** Ticks of every thread of this process, by group. */
export function threadTicks(): ThreadTicks {
  const groups: ThreadTicks = {};
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const { name, ticks } = statTicks(stat);
    const group = groupOf(name, Number(tid) === process.pid);
    groups[group] = (groups[group] ?? 0) + ticks;
  }
  return groups;
}

/** % of one core per group between two readings over `wallMs` (threads that ended are lost). */
export function threadPercent(
  before: ThreadTicks,
  after: ThreadTicks,
  wallMs: number,
): ThreadTicks {
  const percent: ThreadTicks = {};
  for (const [group, ticks] of Object.entries(after)) {
    const used = ticks - (before[group] ?? 0);
    if (used > 0) percent[group] = (used / TICKS_PER_SECOND / (wallMs / 1000)) * 100;
  }
  return percent;
}

/** The PulseAudio daemon's ticks (its pid file under XDG_RUNTIME_DIR), or null without one. */
export function pulseDaemonTicks(): number | null {
  try {
    const dir = process.env.XDG_RUNTIME_DIR ?? '';
    const pid = readFileSync(`${dir}/pulse/pid`, 'utf8').trim();
    return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks;
  } catch {
    return null;
  }
}

/** Ticks over `wallMs` as % of one core. */
export function ticksPercent(ticks: number, wallMs: number): number {
  return (ticks / TICKS_PER_SECOND / (wallMs / 1000)) * 100;
}
