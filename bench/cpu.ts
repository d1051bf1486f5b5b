/**
 * CPU time of a measurement on a shared machine, where wall time means little: this process (process.cpuUsage)
 * plus the PostgreSQL backends serving one database (utime + stime from /proc/<pid>/stat of every backend
 * pg_stat_activity lists for it, parallel workers included). The backends are polled while the measurement runs,
 * so that a parallel worker that exits is counted up to its last poll (at most one poll interval is lost per worker).
 * Needs the server on this machine (its /proc); elsewhere `backends` is NaN.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Client } from 'pg';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function ticksOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of the line)
  } catch {
    return null;
  }
}

export interface CpuFigures {
  /** CPU seconds of this process. */
  self: number;
  /** CPU seconds of the database's backends. */
  backends: number;
  total: number;
  /** Load average (1 min) at the end. */
  load: number;
}

export class CpuMeter {
  private first = new Map<number, number>();
  private last = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private self0 = process.cpuUsage();

  /** `monitor`: a connection used only for polling (its own backend is left out). */
  constructor(private monitor: Client, private database: string, private everyMs = 200) {}

  private async poll(): Promise<void> {
    const { rows } = await this.monitor.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [this.database]);
    for (const { pid } of rows) {
      const t = ticksOf(pid);
      if (t === null) continue; // exited, or a server on another machine
      // a backend first seen now started during the measurement (pool connection, parallel worker): from 0
      if (!this.first.has(pid)) this.first.set(pid, this.timer === null ? t : 0);
      this.last.set(pid, t);
    }
  }

  async start(): Promise<void> {
    this.first.clear(); this.last.clear();
    await this.poll();
    this.self0 = process.cpuUsage();
    this.timer = setInterval(() => { this.poll().catch(() => undefined); }, this.everyMs);
  }

  async stop(): Promise<CpuFigures> {
    const u = process.cpuUsage(this.self0);
    if (this.timer) clearInterval(this.timer);
    await this.poll();
    this.timer = null;
    let ticks = 0;
    for (const [pid, t] of this.last) ticks += t - (this.first.get(pid) ?? 0);
    const self = (u.user + u.system) / 1e6;
    const backends = this.last.size ? ticks / TICKS : NaN;
    return { self, backends, total: self + backends, load: os.loadavg()[0] };
  }
}

export const cpuText = (c: CpuFigures) => `CPU ${c.total.toFixed(1)} s (node ${c.self.toFixed(1)} s + PostgreSQL ${c.backends.toFixed(1)} s), load ${c.load.toFixed(1)}`;
