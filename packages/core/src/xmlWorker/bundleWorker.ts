import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * Where bundles are written, one per content (code version and install path):
 * `ORGANISM_XML_WORKER_DIR` when set (read at each build), else `organism-xml-worker` in the
 * system's temporary directory.
 */
function bundleDir(): string {
  return process.env.ORGANISM_XML_WORKER_DIR || join(tmpdir(), 'organism-xml-worker');
}
/** A bundle no process has used for this long is removed (each use refreshes its time). */
const STALE_BUNDLE_MS = 7 * 24 * 60 * 60 * 1000;
/** A partial write left by a process that died before its rename. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;
const BUNDLE_NAME = /^[0-9a-f]{16}\.mjs$/;
const PARTIAL_NAME = /^[0-9a-f]{16}\.mjs\.\d+\.tmp$/;

/**
 * The worker's code as one plain JavaScript module, so the worker starts without a TypeScript
 * loader (tsx registers a loader thread of its own: ~30 MB more per worker). Built with esbuild
 * (tsx's own dependency), without blocking the event loop, into the temporary directory, once per content; libxml2-wasm stays an
 * external import by absolute URL, since it loads its .wasm file next to itself. Undefined when
 * esbuild is not available: the worker then starts through the tsx bootstrap.
 *
 * Every install path and code version gets a bundle of its own, so the directory is pruned as a
 * bundle is written or reused: bundles unused for 7 days go (using one refreshes its time, see
 * {@link touchBundle}), and so do partial writes older than an hour. Other files are left alone.
 */
export async function bundledWorkerEntry(dir: string = bundleDir()): Promise<URL | undefined> {
  let esbuild: typeof import('esbuild') | undefined;
  try {
    esbuild = require('esbuild') as typeof import('esbuild');
    const libxml2 = pathToFileURL(require.resolve('libxml2-wasm')).href;
    const libxml2Root = pathToFileURL(dirname(require.resolve('libxml2-wasm/package.json'))).href;
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('./workerMain.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      external: ['libxml2-wasm', 'libxml2-wasm/*'],
      // Bundled CommonJS dependencies require Node's built-in modules.
      // (and look at their own location, which only the Xerces backend, never used in the worker, reads).
      banner: {
        js:
          "import { createRequire as __organismRequire } from 'node:module'; const require = __organismRequire(import.meta.url); " +
          "const __filename = new URL(import.meta.url).pathname; const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      },
    });
    // The external imports, by absolute URL: the file is loaded from outside the project tree.
    const code = result.outputFiles[0]!.text.replace(/(from\s*|import\s*)"libxml2-wasm(\/[^"]*)?"/g, (_, keyword: string, sub: string | undefined) =>
      `${keyword}${JSON.stringify(sub === undefined ? libxml2 : libxml2Root + sub)}`,
    );
    if (/"libxml2-wasm[/"]/.test(code)) return undefined;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    const url = pathToFileURL(file);
    if (!touchBundle(url)) {
      // Written aside and renamed: a concurrent process never reads half a file.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    pruneBundles(dir, Date.now());
    return url;
  } catch {
    return undefined;
  } finally {
    // esbuild's service process is not needed any more.
    void Promise.resolve(esbuild?.stop()).catch(() => undefined);
  }
}

/**
 * Marks a bundle as in use (its modification time is now), so that no process prunes it.
 * False when it is gone (pruned while this process kept its URL): build it again. A bundle that
 * exists but cannot be touched (another user's) is still there to be read: true.
 */
export function touchBundle(url: URL): boolean {
  try {
    const now = new Date();
    utimesSync(url, now, now);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function pruneBundles(dir: string, now: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // pruning is housekeeping: the bundle itself is written
  }
  for (const name of names) {
    const maxAge = BUNDLE_NAME.test(name) ? STALE_BUNDLE_MS : PARTIAL_NAME.test(name) ? STALE_PARTIAL_MS : undefined;
    if (maxAge === undefined) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > maxAge) unlinkSync(path);
    } catch {
      // Removed by another process meanwhile, or not ours to remove: leave it.
    }
  }
}
