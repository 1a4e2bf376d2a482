import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BenchFailure, type Scenario, type ScenarioOutcome } from '../scenario.js';
import { spread } from '../stats.js';

interface MemoryChild {
  readonly exitAfterCloseMs: number;
  readonly egressed: number;
}
interface MemoryResult {
  readonly config: Readonly<Record<string, number>>;
  readonly idle: MemoryChild & { readonly rssMb: number; readonly heapMb: number };
  readonly flood: MemoryChild & { readonly peakRssMb: number; readonly rssBeforeMb: number; readonly rate: number; readonly peakRunning: number };
}

const SCRIPT = fileURLToPath(new URL('../memory.mjs', import.meta.url));

/**
 * Scenario: the organism's memory as an installed package meets it. `bench/memory.mjs` runs with
 * plain node (none of the bench's flags, no TypeScript loader) on the packages' built `dist/`,
 * each measure in a fresh child that must exit by itself after `close()`.
 */
export const memory: Scenario = {
  name: 'memory',
  title: 'memory, plain node',
  async run(ctx): Promise<ScenarioOutcome> {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--json'], { timeout: 400_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryResult;
    if (result.idle.egressed !== 1 || result.flood.egressed !== result.config.messages) {
      throw new BenchFailure(`memory: replies idle ${result.idle.egressed} of 1, flood ${result.flood.egressed} of ${result.config.messages}`);
    }
    ctx.progress(`memory: idle ${result.idle.rssMb.toFixed(0)} MB, flood peak ${result.flood.peakRssMb.toFixed(0)} MB`);
    return {
      config: { ...result.config, process: 'fresh child processes, plain node, no flags, built packages' },
      figures: [
        { id: 'memory.idleRss', label: 'idle organism RSS (one listener, after one round trip)', unit: 'MB', value: spread([result.idle.rssMb]) },
        { id: 'memory.floodPeakRss', label: `flood peak RSS, ${result.config.inFlight!.toLocaleString('en-US')} calls in flight`, unit: 'MB', value: spread([result.flood.peakRssMb]) },
        { id: 'memory.floodBaselineRss', label: 'RSS before the flood', unit: 'MB', value: spread([result.flood.rssBeforeMb]) },
        { id: 'memory.floodRate', label: 'flood drained at', unit: 'msg/s', value: spread([result.flood.rate]) },
        { id: 'memory.exitAfterClose', label: 'process exit after close() (flood child)', unit: 'ms', value: spread([result.flood.exitAfterCloseMs]) },
      ],
    };
  },
};
