// `npm run bench:memory`: the organism's memory under plain node, on the packages' built
// JavaScript (dist/, as an installed package runs), each measure in a fresh child process:
//   idle   an organism with one listener, after one round trip, at rest: RSS (target ≤ 100 MB)
//   flood  200,000 envelopes into a 250 ms handler, up to 5,000 calls in flight: peak RSS (≤ 300 MB)
// Each child closes its organism and must then exit by itself (nothing keeps the process alive):
// the time from close() to the exit is printed too. `npm run bench` runs it too (`--json`, the
// memory scenario). `--tsx` also runs the children under tsx's
// loader, with and without libxml2-wasm imported first, for comparison (what an app run through
// tsx pays).
// Plain JavaScript on purpose: importing this file must not need a TypeScript loader.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const FLOOD = { messages: 200_000, handlerMs: 250, inFlight: 5_000, maxQueued: 10_000 };
const TARGETS = { idle: 100, flood: 300 };

async function child(mode) {
  const { z } = await import('zod');
  const { createOrganism, definePayload } = await import('@organism/core');
  const { buildEnvelope } = await import('@organism/xml');
  const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
  const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
  const delayMs = mode === 'flood' ? FLOOD.handlerMs : 0;
  const greeter = {
    name: 'greeter',
    payload: Greeting,
    description: 'Greets whoever is named',
    handler: async ({ name }) => {
      if (delayMs > 0) await sleep(delayMs);
      return GreetingResponse.of({ message: `Hello, ${name}!` });
    },
  };
  const envelope = (i) => buildEnvelope({ from: 'user', to: 'greeter', thread: randomUUID() }, `<greeting><name>World ${i}</name></greeting>`);
  const options =
    mode === 'flood'
      ? { maxConcurrentHandlers: FLOOD.inFlight, maxConcurrentPerAgent: FLOOD.inFlight, maxQueued: FLOOD.maxQueued, whenFull: 'wait' }
      : {};
  const org = createOrganism({ name: `bench-memory-${mode}`, listeners: [greeter], ...options });
  let egressed = 0;
  org.egress$.subscribe(() => egressed++);
  const result = { mode };
  if (mode === 'idle') {
    await org.inject(envelope(0));
    await org.whenIdle();
    await sleep(1_000); // at rest: let what the first message started settle
    result.rssMb = process.memoryUsage.rss() / MB;
    result.heapMb = process.memoryUsage().heapUsed / MB;
    result.egressed = egressed;
  } else {
    const before = process.memoryUsage.rss();
    let peak = before;
    let peakRunning = 0;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage.rss());
      peakRunning = Math.max(peakRunning, org.stats().inFlight);
    };
    const timer = setInterval(sample, 10);
    const start = performance.now();
    for (let i = 0; i < FLOOD.messages; i++) {
      await org.inject(envelope(i));
      if ((i & 255) === 0) sample(); // the inject loop can starve the timer
    }
    await org.whenIdle();
    const seconds = (performance.now() - start) / 1000;
    clearInterval(timer);
    sample();
    result.rssBeforeMb = before / MB;
    // The kernel's high-water mark catches peaks between samples.
    result.peakRssMb = Math.max(peak, process.resourceUsage().maxRSS * 1024) / MB;
    result.peakRunning = peakRunning;
    result.rate = FLOOD.messages / seconds;
    result.egressed = egressed;
  }
  result.preparedOnWorker = org.stats().preparedOnWorker;
  await org.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // No process.exit(): the parent checks that the process ends by itself.
}

function runChild(mode, execArgv) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url), '--child', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let closedAt;
    proc.stdout.on('data', (data) => {
      out += data;
      if (closedAt === undefined && out.includes('\n')) closedAt = performance.now();
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${mode}: the child did not exit within 180 s${closedAt === undefined ? '' : ' after close()'}`));
    }, 180_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 || closedAt === undefined) return reject(new Error(`${mode}: the child exited with code ${code}`));
      resolve({ ...JSON.parse(out), exitAfterCloseMs: performance.now() - closedAt });
    });
  });
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  if (process.argv.includes('--json')) {
    // For `npm run bench` (bench/scenarios/memory.ts): the plain-node figures as one JSON line.
    const idle = await runChild('idle', []);
    const flood = await runChild('flood', []);
    console.log(JSON.stringify({ config: FLOOD, idle, flood }));
    return;
  }
  const variants = [{ name: 'plain node, built packages', execArgv: [] }];
  if (process.argv.includes('--tsx')) {
    variants.push({ name: 'node --import tsx (for comparison)', execArgv: ['--import', 'tsx'] });
    variants.push({ name: 'node --import libxml2-wasm --import tsx (for comparison)', execArgv: ['--import', 'libxml2-wasm', '--import', 'tsx'] });
  }
  let missed = 0;
  console.log(`node ${process.version}; flood: ${fmt(FLOOD.messages)} envelopes, ${FLOOD.handlerMs} ms handler, ${fmt(FLOOD.inFlight)} calls in flight, max_queued ${fmt(FLOOD.maxQueued)}`);
  for (const variant of variants) {
    const idle = await runChild('idle', variant.execArgv);
    const flood = await runChild('flood', variant.execArgv);
    const plain = variant.execArgv.length === 0;
    const verdict = (value, target) => {
      if (!plain) return '';
      if (value > target) missed++;
      return value <= target ? `  (≤ ${target}: met)` : `  (≤ ${target}: MISSED)`;
    };
    console.log(`\n${variant.name}`);
    console.log(`  idle organism RSS            ${fmt(idle.rssMb).padStart(7)} MB${verdict(idle.rssMb, TARGETS.idle)}   heap used ${fmt(idle.heapMb)} MB`);
    console.log(`  flood peak RSS               ${fmt(flood.peakRssMb).padStart(7)} MB${verdict(flood.peakRssMb, TARGETS.flood)}   before the flood ${fmt(flood.rssBeforeMb)} MB`);
    console.log(`  flood drained at             ${fmt(flood.rate).padStart(7)} msg/s   peak calls running ${fmt(flood.peakRunning)}, prepared on the XML worker ${fmt(flood.preparedOnWorker)}`);
    console.log(`  process exit after close()   ${fmt(idle.exitAfterCloseMs).padStart(7)} ms (idle), ${fmt(flood.exitAfterCloseMs)} ms (flood)`);
    if (idle.egressed !== 1 || flood.egressed !== FLOOD.messages) throw new Error(`replies: idle ${idle.egressed} of 1, flood ${flood.egressed} of ${FLOOD.messages}`);
  }
  if (missed > 0) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await main();
