// `npm run bench:profile [-- scenario]`: runs one scenario (default roundTrip) under `node --cpu-prof`,
// writes the profile to a temporary directory (never the repository) and prints self time by package
// and the top functions. `npm run bench:profile -- --summarize file.cpuprofile` summarizes a profile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A package's compiled file (`packages/core/dist/steps/route.js`) as its source (`…/src/steps/route.ts`). */
function sourceUrl(url: string): string {
  return url.replace(/\/packages\/([\w-]+)\/dist\/(.*)\.js(\?.*)?$/, '/packages/$1/src/$2.ts');
}

/** Where a function's self time belongs, by its script URL. */
function groupOf(frame: CallFrame): string {
  const { functionName } = frame;
  const url = sourceUrl(frame.url);
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 / native (program)';
  if (url.startsWith('wasm://') || functionName.startsWith('$') || functionName.startsWith('wasm-function')) return 'libxml2 (wasm)';
  if (url.includes('/node_modules/libxml2-wasm/')) return 'libxml2-wasm wrappers (JS)';
  if (url.includes('/node_modules/rxjs/')) return 'rxjs';
  if (url.includes('/node_modules/zod/')) return 'zod';
  if (url.includes('/node_modules/saxes/') || url.includes('/node_modules/xmlchars/')) return 'saxes';
  if (url.includes('/packages/core/src/steps/')) return 'core steps';
  if (url.includes('/packages/core/src/')) return 'core (organism, scheduler, semaphore)';
  if (url.includes('/packages/schema/src/fromXml')) return 'schema fromXml';
  if (url.includes('/packages/schema/src/')) return 'schema (toXml, serialize)';
  if (url.includes('/packages/xml/src/')) return 'xml package';
  if (url.includes('/bench/')) return 'bench harness';
  if (url.includes('/node_modules/tsx/') || url.includes('/node_modules/esbuild/')) return 'tsx loader';
  if (url.startsWith('node:') || url === '') return 'node internals / builtins';
  return 'other';
}

function where(frame: CallFrame): string {
  if (frame.url === '') return '';
  const short = frame.url.replace(/^file:\/\/.*?\/(node_modules|packages|bench)\//, '$1/').replace(/\?.*$/, '');
  return `${short}:${frame.lineNumber + 1}`;
}

/** Self time (ms) by group and by function, from the samples and their time deltas. */
export function summarize(profile: CpuProfile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // Like DevTools: a sample lasts until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + duration);
  }
  const groups = new Map<string, number>();
  const functions = new Map<string, { group: string; us: number }>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const group = groupOf(frame);
    groups.set(group, (groups.get(group) ?? 0) + us);
    if (group === '(idle)') continue;
    busy += us;
    const key = `${frame.functionName || '(anonymous)'}  ${where(frame)}`;
    const entry = functions.get(key) ?? { group, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  // Inclusive time by pump step: each sample goes to the nearest enclosing step (steps/*.ts, not
  // the *Internals helpers), else to the nearest function of @organism/core on its stack.
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const placeOf = new Map<number, { step?: string; organism?: string }>();
  const place = (id: number): { step?: string; organism?: string } => {
    const known = placeOf.get(id);
    if (known !== undefined) return known;
    const { functionName } = byId.get(id)!.callFrame;
    const url = sourceUrl(byId.get(id)!.callFrame.url);
    const step = /\/packages\/core\/src\/steps\/(\w+)\.ts/.exec(url)?.[1];
    const parent = parents.get(id);
    const above = parent === undefined ? {} : place(parent);
    let found: { step?: string; organism?: string };
    if (step !== undefined && !step.endsWith('Internals')) found = { step };
    else if (above.step !== undefined) found = above;
    else if (url.includes('/packages/core/src/')) found = { organism: `${url.replace(/.*\/packages\/core\/src\//, '')} ${functionName || '(anonymous)'}` };
    else found = above;
    placeOf.set(id, found);
    return found;
  };
  const steps = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const group = groupOf(byId.get(id)!.callFrame);
    if (group === '(idle)') continue;
    const where = place(id);
    const key = where.step ?? (where.organism ? `outside the steps: ${where.organism}` : group === 'GC' ? 'GC' : 'outside the pump');
    steps.set(key, (steps.get(key) ?? 0) + us);
  }

  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [`busy (not idle) ${ms(busy).trim()}; idle ${ms(groups.get('(idle)') ?? 0).trim()}`, '', 'self time by group:'];
  for (const [group, us] of [...groups].filter(([g]) => g !== '(idle)').sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${pct(us)} ${ms(us)}  ${group}`);
  }
  lines.push('', 'inclusive time by pump step (nearest step on the stack, else nearest @organism/core function):');
  for (const [step, us] of [...steps].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(us)} ${ms(us)}  ${step}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [key, { group, us }] of [...functions].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    lines.push(`  ${pct(us)} ${ms(us)}  [${group}] ${key}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { summarize: { type: 'string' }, top: { type: 'string' } } });
  const top = Number(values.top ?? 30);
  let file = values.summarize;
  if (file === undefined) {
    const scenario = positionals[0] ?? 'roundTrip';
    const dir = mkdtempSync(join(tmpdir(), 'organism-bench-prof-'));
    const run = fileURLToPath(new URL('./run.ts', import.meta.url));
    // Without the round trip's paired XML floor runs, so the profile is the pump's alone.
    const args = ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', run, '--only', scenario, '--no-floor'];
    console.error(`profiling: node ${args.join(' ')}`);
    // The XML worker thread writes a profile of its own into the same directory.
    const env = { ...process.env, ORGANISM_XML_WORKER_FLAGS: `--cpu-prof --cpu-prof-dir=${dir}` };
    const child = spawnSync(process.execPath, args, { stdio: 'inherit', env });
    if (child.status !== 0) process.exit(child.status ?? 1);
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (the loader
    // hooks thread of --import tsx writes its own); a flood child writes one with its own pid.
    const profiles = readdirSync(dir)
      .filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
      .sort();
    if (profiles.length === 0) throw new Error(`no .cpuprofile written to ${dir}`);
    file = join(dir, profiles[0]!);
    // Other threads: the XML worker is the one that ran the worker entry.
    for (const other of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !profiles.includes(f)).sort()) {
      const profile = JSON.parse(readFileSync(join(dir, other), 'utf8')) as CpuProfile;
      if (!profile.nodes.some((n) => sourceUrl(n.callFrame.url).endsWith('/xmlWorker/workerMain.ts'))) continue;
      console.log(`\nXML worker thread profile: ${join(dir, other)}\n`);
      console.log(summarize(profile, top));
    }
  }
  console.log(`\nmain thread profile: ${file}\n`);
  console.log(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top));
}
