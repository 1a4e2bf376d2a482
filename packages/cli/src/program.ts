import { Command } from 'commander';
import { loadOrganism, type Organism } from '@organism/core';
import { runConsole } from './console';

function summary(org: Organism): string {
  const lines = [`organism "${org.name}" running with ${org.routing.listeners.size} listeners:`];
  for (const listener of org.routing.listeners.values()) {
    const tags = [...listener.types.values()].map((t) => t.rootTag).join(', ');
    lines.push(`  ${listener.name}${listener.agent ? ' (agent)' : ''}: ${tags}`);
  }
  return lines.join('\n');
}

/**
 * The `organism` command line.
 *
 * @example
 * await createProgram().parseAsync(['node', 'organism', 'run', 'organism.yaml']);
 */
export function createProgram(): Command {
  const program = new Command('organism')
    .description('Schema-driven multi-agent message passing over XML')
    .showHelpAfterError();

  program
    .command('run')
    .description('Run an organism with a console')
    .argument('[file]', 'organism.yaml to run', 'organism.yaml')
    .addHelpText(
      'after',
      `
Examples:
  $ organism run organism.yaml
  $ printf '@greeter <greeting><name>World</name></greeting>\\n' | organism run`,
    )
    .action(async (file: string) => {
      let org: Organism;
      try {
        org = await loadOrganism(file);
      } catch (error) {
        process.stderr.write(`${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${summary(org)}\n`);
      const stop = () => void org.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runConsole(org, { input: process.stdin, output: process.stdout });
      } finally {
        await org.close();
      }
    });

  return program;
}
