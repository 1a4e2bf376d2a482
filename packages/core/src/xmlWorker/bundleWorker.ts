import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The worker's code as one plain JavaScript module, so the worker starts without a TypeScript
 * loader (tsx registers a loader thread of its own: ~30 MB more per worker). Built with esbuild
 * (tsx's own dependency), without blocking the event loop, into the temporary directory, once per content; libxml2-wasm stays an
 * external import by absolute URL, since it loads its .wasm file next to itself. Undefined when
 * esbuild is not available: the worker then starts through the tsx bootstrap.
 */
export async function bundledWorkerEntry(): Promise<URL | undefined> {
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
    const dir = join(tmpdir(), 'organism-xml-worker');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      // Written aside and renamed: a concurrent process never reads half a file.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return pathToFileURL(file);
  } catch {
    return undefined;
  } finally {
    // esbuild's service process is not needed any more.
    void Promise.resolve(esbuild?.stop()).catch(() => undefined);
  }
}
