import { PassThrough } from 'node:stream';
import { createProgram, type CliIO } from '../../src/index.js';

/** Run the real program in this process with captured output and exit code. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const io: CliIO = { stdin: new PassThrough(), stdout: out, stderr: err, env: {}, setExitCode: (c) => (code = c) };
  const program = createProgram(io).exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(['node', 'organism', ...args]);
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode ?? 1;
  }
  return { code, stdout, stderr };
}
