// `npm run bench:llm`: the LLM agents against the loopback model server (packages/llm/test/support).
//   1. overhead: from the chunk with a payload's closing tag arriving from the socket (the response
//      body stream, before the AI SDK parses it) to the tool's handler starting; sequential.
//   2. 1,000 agent threads streaming at once: wall time, and RSS per active thread.
// Figures go to docs/benchmarks.md ("LLM agents"); this prints them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { loadOrganism, type Organism } from '@organism/core';
import { llmPlugin } from '@organism/llm';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { probe } from './llmListeners.js';

const SEQUENTIAL = Number(process.env.LLM_BENCH_SEQUENTIAL ?? 2000);
const CONCURRENT = Number(process.env.LLM_BENCH_THREADS ?? 1000);
const PIECES = 20;
const GAP_MS = 25;

const listeners = fileURLToPath(new URL('./llmListeners.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'organism-llm-bench-'));
// The loopback model server runs in a child process: its writes do not share this event loop.
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./llmServerProcess.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const server = {
  url: (await replies.next()).value as string,
  async respondWith(reply: { pieces: string[]; gapMs: number }) {
    child.stdin!.write(`${JSON.stringify(reply)}\n`);
    await replies.next();
  },
  close() {
    child.stdin!.end();
    return new Promise((resolve) => child.once('exit', resolve));
  },
};

/** When the closing-tag chunk of the current request came out of the socket. */
let arrival = 0n;
const timedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!response.body) return response;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        // the closing piece is `ping>` (JSON-encoded in its SSE frame: `"ping>"`)
        if (Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).includes('ping>"')) arrival = process.hrtime.bigint();
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};

function organismYaml(concurrency: number): string {
  return `organism:
  name: llm-bench
max_concurrent_handlers: ${concurrency * 2}
max_concurrent_per_agent: ${concurrency}
max_queued: ${concurrency * 4 + 100}
handler_timeout_ms: 120000
llm:
  max_conversations: ${concurrency * 2}
  backends:
    - name: loopback
      provider: openai-compatible
      base_url: ${server.url}/v1
      max_concurrent: ${concurrency}
listeners:
  - name: agent
    agent: true
    peers: [probe]
    payload_class: ${listeners}#Task
    description: Calls the probe
    llm: { model: bench-model }
  - name: probe
    payload_class: ${listeners}#Ping
    handler: ${listeners}#ping
    description: Notes when it starts
`;
}

async function load(concurrency: number, timed: boolean): Promise<Organism> {
  const file = join(dir, `bench-${concurrency}.yaml`);
  writeFileSync(file, organismYaml(concurrency));
  return loadOrganism(file, {}, { plugins: [llmPlugin({ env: {}, ...(timed ? { fetch: timedFetch } : {}) })] });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const fmt = (us: number) => `${us.toFixed(0)} µs`;

// 1. many threads streaming at once (first, while the heap is small)
{
  const org = await load(CONCURRENT, false);
  const pieces = [...Array.from({ length: PIECES - 2 }, (_, i) => `thinking ${i} `), '<probe.ping><n>1</n></probe.', 'ping>'];
  await server.respondWith({ pieces, gapMs: GAP_MS });
  // warm up: one small burst, so the baseline has the code and the connections' first costs
  await Promise.all(Array.from({ length: 20 }, (_, i) => org.send('agent', `<task><n>${i}</n></task>`)));
  await org.whenIdle();
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  let peak = before.rss;
  let peakHeap = before.heapUsed + before.external;
  let peakActive = 0;
  // Sampled every 20 ms; stats() is not cheap with the LLM extension (it copies the per-thread token table).
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    const active = org.stats().inFlight;
    if (m.rss > peak) peak = m.rss;
    if (m.heapUsed + m.external > peakHeap) peakHeap = m.heapUsed + m.external;
    if (active > peakActive) peakActive = active;
  }, 20);
  probe.starts.length = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => org.send('agent', `<task><n>${i}</n></task>`)));
  await org.whenIdle();
  const wall = performance.now() - started;
  clearInterval(sampler);
  const probes = probe.starts.length;
  await org.close();
  const streamMs = PIECES * GAP_MS;
  console.log(`${CONCURRENT} agent threads streaming at once (${PIECES} pieces each, ${GAP_MS} ms apart = ${streamMs} ms per stream):`);
  console.log(`  all done in ${wall.toFixed(0)} ms, ${probes} tool calls, peak ${peakActive} handler calls in flight`);
  const perThread = (delta: number) => `${(delta / 1024 / Math.max(1, peakActive)).toFixed(0)} KiB`;
  console.log(`  RSS ${(before.rss / 2 ** 20).toFixed(0)} MiB before, ${(peak / 2 ** 20).toFixed(0)} MiB peak: ${perThread(peak - before.rss)} per active thread`);
  console.log(`  heap + external ${((before.heapUsed + before.external) / 2 ** 20).toFixed(0)} MiB before, ${(peakHeap / 2 ** 20).toFixed(0)} MiB peak: ${perThread(peakHeap - before.heapUsed - before.external)} per active thread`);
  console.log(`  (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} CPUs)`);
}


// 2. overhead, sequential
{
  const org = await load(4, true);
  await server.respondWith({ pieces: ['<probe.ping><n>1</n></probe.', 'ping>'], gapMs: 1 });
  const overheads: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    probe.starts.length = 0;
    arrival = 0n;
    await org.send('agent', `<task><n>${i}</n></task>`);
    await org.whenIdle();
    if (probe.starts.length !== 1 || arrival === 0n) throw new Error(`iteration ${i}: the probe started ${probe.starts.length} times`);
    overheads.push(Number(probe.starts[0]! - arrival) / 1000);
  }
  await org.close();
  // The floor: the same chunks read from the provider's own stream, with no organism.
  const model = createOpenAICompatible({ name: 'floor', baseURL: `${server.url}/v1`, includeUsage: true, fetch: timedFetch }).chatModel('bench-model');
  const floor: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    arrival = 0n;
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] });
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (r.value.type === 'text-delta' && r.value.delta === 'ping>') floor.push(Number(process.hrtime.bigint() - arrival) / 1000);
    }
  }
  const floorSorted = floor.slice(Math.floor(SEQUENTIAL / 10)).sort((a, b) => a - b);
  console.log(`floor, closing-tag chunk out of the socket -> its text out of the provider's stream (no organism):`);
  console.log(`  p50 ${fmt(percentile(floorSorted, 50))}   p99 ${fmt(percentile(floorSorted, 99))}`);
  const measured = overheads.slice(Math.floor(SEQUENTIAL / 10)).sort((a, b) => a - b); // the first 10 % warm up
  console.log(`overhead, closing-tag chunk out of the socket -> handler start (${measured.length} payloads after warm-up):`);
  console.log(`  p50 ${fmt(percentile(measured, 50))}   p99 ${fmt(percentile(measured, 99))}   max ${fmt(measured.at(-1)!)}`);
  console.log(`  (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} CPUs)`);
}

await server.close();
rmSync(dir, { recursive: true, force: true });
