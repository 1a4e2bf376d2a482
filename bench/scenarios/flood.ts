import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createOrganism, type OrganismOptions } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline.js';
import { greetingEnvelope } from '../envelopes.js';
import { greeter } from '../listeners.js';
import { formatCount } from '../loads.js';
import { tallyOutcomes } from '../outcomeTally.js';
import { samplePeaks } from '../peakSampler.js';
import { BenchFailure, type Scenario, type ScenarioOutcome } from '../scenario.js';
import { spread } from '../stats.js';
import { cpuPerMessage, ratePerSecond, startStopwatch } from '../stopwatch.js';

const COUNT = 200_000;
const HANDLER_MS = 10;
const CONCURRENCY = 200;
/**
 * The handlers can finish 20,000 calls/s, below the 25,000/s round-trip target: a pump that
 * meets its target is held back by the handler, and the injector by admission.
 */
const OPTIONS = {
  maxConcurrentHandlers: CONCURRENCY,
  maxConcurrentPerAgent: CONCURRENCY,
  maxQueued: 10_000,
  whenFull: 'wait',
} as const satisfies Partial<OrganismOptions>;

const CHILD_FLAG = '--flood-child';
const MB = 1024 * 1024;

interface FloodResult {
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly peakHeapCommittedMb: number;
  readonly peakQueued: number;
  readonly rate: number;
  readonly cpu: number;
}

type ChildMessage = { readonly ok: true; readonly result: FloodResult } | { readonly ok: false; readonly error: string };

/**
 * Runs in a fresh process, so its peak RSS is the organism's and not the bench's: 200,000
 * envelopes, each built just before its inject (a pre-built array would weigh ~50 MB), injected
 * one `await inject()` after the other, as fast as admission lets them in.
 */
async function floodChild(): Promise<FloodResult> {
  const org = createOrganism({ name: 'bench-flood', listeners: [greeter({ delayMs: HANDLER_MS })], ...OPTIONS });
  try {
    const tally = tallyOutcomes(org, { from: 'greeter', to: 'user', tag: 'greetingresponse' });
    const baseline = process.memoryUsage.rss();
    const peaks = samplePeaks({
      rss: () => process.memoryUsage.rss(),
      heap: () => process.memoryUsage().heapUsed,
      heapCommitted: () => process.memoryUsage().heapTotal,
      queued: () => org.stats().queued,
    });
    const watch = startStopwatch();
    for (let i = 0; i < COUNT; i++) {
      await org.inject(greetingEnvelope(i, randomUUID()));
      // The inject loop runs in microtasks while there is room, starving the sampling timer.
      if ((i & 255) === 0) peaks.sample();
    }
    await withDeadline(org.whenIdle(), 240_000, 'flood');
    const elapsed = watch.stop();
    const { rss, heap, heapCommitted, queued } = peaks.stop();
    tally.check(`flood ${formatCount(COUNT)}`, { egressed: COUNT });
    // The kernel's high-water mark catches peaks between samples.
    const maxRss = Math.max(rss, process.resourceUsage().maxRSS * 1024);
    return {
      baselineRssMb: baseline / MB,
      peakRssMb: maxRss / MB,
      peakHeapMb: heap / MB,
      peakHeapCommittedMb: heapCommitted / MB,
      peakQueued: queued,
      rate: ratePerSecond(COUNT, elapsed),
      cpu: cpuPerMessage(COUNT, elapsed),
    };
  } finally {
    await closeWithin(org, 'flood');
  }
}

function runChild(): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      child.kill();
      settle(() => reject(new BenchFailure('flood: the child process did not finish within 280 s')));
    }, 280_000);
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done();
    };
    child.on('message', (message: ChildMessage) =>
      settle(() => (message.ok ? resolve(message.result) : reject(new BenchFailure(message.error)))),
    );
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) => settle(() => reject(new BenchFailure(`flood: the child process exited (${signal ?? code}) without a result`))));
  });
}

/**
 * Scenario 5: 200,000 messages into an organism whose handler takes 10 ms (200 at a time). One
 * run, in a child process: a peak is a one-shot measure, and a second flood in the same process
 * would start from a heap the first one grew.
 */
export const flood: Scenario = {
  name: 'flood',
  title: 'flood',
  async run(ctx): Promise<ScenarioOutcome> {
    const result = await runChild();
    ctx.progress(`flood: peak RSS ${result.peakRssMb.toFixed(0)} MB, peak queued ${formatCount(result.peakQueued)}`);
    return {
      config: { ...OPTIONS, handlerMs: HANDLER_MS, messages: COUNT, runs: 1, process: 'fresh child process, same node flags' },
      figures: [
        { id: 'flood.peakRss', label: `peak RSS, ${formatCount(COUNT)} injected`, unit: 'MB', value: spread([result.peakRssMb]) },
        { id: 'flood.baselineRss', label: 'RSS before the flood', unit: 'MB', value: spread([result.baselineRssMb]) },
        { id: 'flood.peakHeap', label: 'peak JS heap used (live + garbage)', unit: 'MB', value: spread([result.peakHeapMb]) },
        { id: 'flood.peakHeapCommitted', label: 'peak JS heap committed', unit: 'MB', value: spread([result.peakHeapCommittedMb]) },
        { id: 'flood.peakQueued', label: `peak queued (max_queued ${formatCount(OPTIONS.maxQueued)})`, unit: 'count', value: spread([result.peakQueued]) },
        { id: 'flood.rate', label: 'drained at', unit: 'msg/s', value: spread([result.rate]), cpuUsPerMessage: spread([result.cpu]) },
      ],
    };
  },
};

if (process.argv.includes(CHILD_FLAG)) {
  floodChild().then(
    (result) => process.send!({ ok: true, result } satisfies ChildMessage, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies ChildMessage, () => process.exit(1)),
  );
}
