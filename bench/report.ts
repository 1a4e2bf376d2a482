import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MachineInfo } from './machine.js';
import type { Figure, Unit } from './scenario.js';
import type { Spread } from './stats.js';
import { TARGETS, judge, targetFor, type Verdict } from './targets.js';

/** One scenario in results.json: its figures, or why it failed. */
export interface ScenarioReport {
  readonly name: string;
  readonly title: string;
  readonly seconds: number;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly figures?: readonly Figure[];
  readonly failure?: string;
}

/** What bench/results.json holds. */
export interface BenchReport {
  /** How to reproduce it, as typed (`npm run bench`) and as run (`node … bench/run.ts`). */
  readonly command: string;
  readonly nodeCommand: string;
  readonly startedAt: string;
  readonly totalSeconds: number;
  readonly machine: MachineInfo;
  /** Load averages (1/5/15 min) before the first scenario and after the last; the bench itself adds about 1. */
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly scenarios: readonly ScenarioReport[];
  readonly targets: readonly { readonly text: string; readonly figure: string; readonly median?: number; readonly verdict: Verdict }[];
}

export function judgeTargets(scenarios: readonly ScenarioReport[]): BenchReport['targets'] {
  const figures = new Map(scenarios.flatMap((s) => s.figures ?? []).map((f) => [f.id, f]));
  return TARGETS.map((target) => {
    const figure = figures.get(target.figure);
    const verdict = judge(target, figure);
    return figure ? { text: target.text, figure: target.figure, median: figure.value.median, verdict } : { text: target.text, figure: target.figure, verdict };
  });
}

function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'msg/s':
    case 'calls/s':
    case 'count':
    case 'MB':
      return Math.round(value).toLocaleString('en');
    case '%':
      return value.toFixed(1);
    case 'ms':
      return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(1);
  }
}

const HEADER = ['scenario', 'figure', 'median', 'min', 'max', 'unit', 'CPU µs/msg', 'target', 'verdict'] as const;
const RIGHT_ALIGNED = new Set([2, 3, 4, 6]);

function cpuCell(cpu: Spread | undefined): string {
  return cpu ? `${cpu.median.toFixed(1)} (${cpu.min.toFixed(1)}–${cpu.max.toFixed(1)})` : '';
}

function rows(report: BenchReport): string[][] {
  const out: string[][] = [];
  for (const scenario of report.scenarios) {
    if (scenario.failure !== undefined) {
      out.push([scenario.title, `FAILED: ${scenario.failure}`, '', '', '', '', '', '', '']);
      continue;
    }
    for (const figure of scenario.figures ?? []) {
      const target = targetFor(figure.id);
      const { median, min, max } = figure.value;
      out.push([
        figure.group ?? scenario.title,
        figure.label,
        formatValue(median, figure.unit),
        formatValue(min, figure.unit),
        formatValue(max, figure.unit),
        figure.unit,
        cpuCell(figure.cpuUsPerMessage),
        target ? `${target.op === '>=' ? '≥' : '≤'} ${target.threshold.toLocaleString('en')}` : '',
        target ? (judge(target, figure) === 'met' ? 'met' : 'MISSED') : '',
      ]);
    }
  }
  return out;
}

function footer(report: BenchReport): string[] {
  const m = report.machine;
  const met = report.targets.filter((t) => t.verdict === 'met').length;
  return [
    `machine: ${m.cpuModel}, nproc ${m.nproc}, ${m.totalMemoryGiB} GiB, ${m.os}; node ${m.node} (V8 ${m.v8}); libxml2-wasm ${m.packages['libxml2-wasm']}, rxjs ${m.packages['rxjs']}, zod ${m.packages['zod']}`,
    `command: ${report.command}  (${report.nodeCommand})`,
    `started ${report.startedAt}; whole bench ${report.totalSeconds.toFixed(1)} s; load average ${report.load.start.join(' / ')} before, ${report.load.end.join(' / ')} after; targets met ${met} of ${report.targets.length}`,
    'median of the measured runs after warm-up; CPU is process user+system time (all threads) per message: median (min–max)',
  ];
}

/** The table as aligned plain text, for a terminal. */
export function renderText(report: BenchReport): string {
  const body = rows(report);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.filter((r) => !r[1]!.startsWith('FAILED')).map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells[1]!.startsWith('FAILED')
      ? `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]}`
      : cells.map((c, i) => (RIGHT_ALIGNED.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), '', ...footer(report)].join('\n');
}

/** The table as GitHub markdown, for docs/benchmarks.md. */
export function renderMarkdown(report: BenchReport): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(' | ')} |`;
  const align = HEADER.map((_, i) => (RIGHT_ALIGNED.has(i) ? '---:' : '---'));
  return [line(HEADER), `| ${align.join(' | ')} |`, ...rows(report).map(line), '', ...footer(report).map((l) => `${l}  `)].join('\n');
}

/** Writes results.json through a temporary file, so a crash never leaves half a file. */
export function writeResults(report: BenchReport, file: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(tmp, file);
}

export const DOCS_START = '<!-- bench:table:start (generated by `npm run bench -- --update-docs`) -->';
export const DOCS_END = '<!-- bench:table:end -->';

/** Replaces the generated table block of a markdown file with this report's table. */
export function updateDocs(report: BenchReport, file: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(DOCS_START);
  const end = text.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`${file}: no generated-table block (${DOCS_START} … ${DOCS_END}) to replace`);
  writeFileSync(file, `${text.slice(0, start + DOCS_START.length)}\n${renderMarkdown(report)}\n${text.slice(end)}`);
}

// `node --import tsx bench/report.ts [bench/results.json] [--markdown] [--update-docs]` re-renders a
// saved run, and with --update-docs puts its table into docs/benchmarks.md.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? new URL('./results.json', import.meta.url);
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  console.log(args.includes('--markdown') ? renderMarkdown(report) : renderText(report));
  if (args.includes('--update-docs')) updateDocs(report, fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url)));
}
