import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Where a bench ran: enough to tell whether two results.json files are comparable. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** What `nproc` prints: the CPUs this process may run on. */
  readonly nproc: number;
  readonly logicalCpus: number;
  readonly totalMemoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  readonly packages: Readonly<Record<string, string>>;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux: fall back to what node reports
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function packageVersion(name: string): string {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpuModel(),
    nproc: os.availableParallelism(),
    logicalCpus: os.cpus().length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    packages: Object.fromEntries(['libxml2-wasm', 'rxjs', 'zod', 'saxes', 'tsx'].map((name) => [name, packageVersion(name)])),
  };
}

/** 1, 5 and 15 minute load averages, rounded: other work on the machine skews every figure. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}
