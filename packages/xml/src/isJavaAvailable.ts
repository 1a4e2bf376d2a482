import { spawn } from 'node:child_process';
import { join } from 'node:path';

let javaCheck: Promise<boolean> | undefined;

/** The java executable xsd-schema-validator will use: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function javaExecutable(): string {
  const home = process.env['JAVA_HOME'];
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/**
 * Whether a `java` runtime can be started (needed by the Xerces backend only). Checked once per process
 * with `java -version`; never rejects.
 *
 * @example
 * ```ts
 * const validator = (await isJavaAvailable()) ? xercesValidator() : libxml2Validator;
 * ```
 */
export function isJavaAvailable(): Promise<boolean> {
  javaCheck ??= new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (value: boolean): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      child.kill();
      settle(false);
    }, 15_000);
    timer.unref();
    const child = spawn(javaExecutable(), ['-version'], { stdio: 'ignore' });
    child.on('error', () => settle(false));
    child.on('exit', (code) => settle(code === 0));
  });
  return javaCheck;
}
