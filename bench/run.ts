// `npm run bench`: runs every scenario, prints the table, writes bench/results.json.
//   --markdown       print the table as markdown (for docs/benchmarks.md)
//   --update-docs    also replace the generated table in docs/benchmarks.md
//   --only a,b       run only these scenarios (results.json is then left alone unless --out is given)
//   --out <file>     write the results there instead of bench/results.json
//   --no-floor       the round trip without its paired XML floor runs (for profiling the pump alone)
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { greetingEnvelopes } from './envelopes.js';
import { collectGarbage } from './gc.js';
import { GREETING_COUNT, formatCount } from './loads.js';
import { REWARM_COUNT } from './rewarm.js';
import { loadAverage, machineInfo } from './machine.js';
import { judgeTargets, renderMarkdown, renderText, updateDocs, writeResults, type BenchReport, type ScenarioReport } from './report.js';
import type { BenchContext, Figure, Scenario } from './scenario.js';
import { broadcast } from './scenarios/broadcast.js';
import { flood } from './scenarios/flood.js';
import { latency } from './scenarios/latency.js';
import { memory } from './scenarios/memory.js';
import { roundTrip } from './scenarios/roundTrip.js';
import { slowHandlers } from './scenarios/slowHandlers.js';
import { streaming } from './scenarios/streaming.js';
import { xmlFloor } from './scenarios/xmlFloor.js';

/**
 * In order (the latency offers half the round trip's maximum rate). The round trip measures the
 * XML floor itself, paired run by run; `--only xmlFloor` measures the floor alone.
 */
const SCENARIOS: readonly Scenario[] = [roundTrip, latency, slowHandlers, flood, memory, streaming, broadcast];
const ON_REQUEST: readonly Scenario[] = [xmlFloor];

const { values: options } = parseArgs({
  options: {
    markdown: { type: 'boolean', default: false },
    'update-docs': { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    'no-floor': { type: 'boolean', default: false },
  },
});

const only = options.only?.split(',').map((name) => name.trim());
const known = [...ON_REQUEST, ...SCENARIOS];
const unknown = only?.filter((name) => !known.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`bench: unknown scenario ${unknown.join(', ')}; choose from ${known.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = only ? known.filter((s) => only.includes(s.name)) : SCENARIOS;
const out = options.out ?? (only ? undefined : fileURLToPath(new URL('./results.json', import.meta.url)));

const startedAt = new Date();
const loadAtStart = loadAverage();
const totalStart = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - totalStart) / 1000).toFixed(1).padStart(5)} s] ${line}`);
if (!(globalThis as { gc?: unknown }).gc) progress('note: run with node --expose-gc (as npm run bench does) to collect garbage between runs');

progress(`building ${formatCount(GREETING_COUNT + REWARM_COUNT)} greeting envelopes`);
const figures = new Map<string, Figure>();
const ctx: BenchContext = {
  greetings: greetingEnvelopes(GREETING_COUNT),
  rewarmEnvelopes: greetingEnvelopes(REWARM_COUNT).envelopes,
  withFloor: !options['no-floor'],
  figure: (id) => figures.get(id),
  progress,
};

const reports: ScenarioReport[] = [];
for (const scenario of selected) {
  progress(`${scenario.title}…`);
  collectGarbage();
  const start = performance.now();
  try {
    const outcome = await scenario.run(ctx);
    for (const figure of outcome.figures) figures.set(figure.id, figure);
    reports.push({ name: scenario.name, title: scenario.title, seconds: (performance.now() - start) / 1000, config: outcome.config, figures: outcome.figures });
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    progress(`${scenario.title} FAILED: ${failure}`);
    reports.push({ name: scenario.name, title: scenario.title, seconds: (performance.now() - start) / 1000, failure });
  }
}

const args = process.argv.slice(2);
const nodeCommand = ['node', ...process.execArgv, 'bench/run.ts', ...args].join(' ');
const report: BenchReport = {
  command: process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}` : nodeCommand,
  nodeCommand,
  startedAt: startedAt.toISOString(),
  totalSeconds: (performance.now() - totalStart) / 1000,
  machine: machineInfo(),
  load: { start: loadAtStart, end: loadAverage() },
  scenarios: reports,
  targets: judgeTargets(reports),
};

console.log(options.markdown ? renderMarkdown(report) : renderText(report));
if (out !== undefined) {
  writeResults(report, out);
  progress(`wrote ${out}`);
}
if (options['update-docs']) {
  const docs = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  updateDocs(report, docs);
  progress(`updated the table in ${docs}`);
}
process.exitCode = reports.some((r) => r.failure !== undefined) ? 1 : 0;
