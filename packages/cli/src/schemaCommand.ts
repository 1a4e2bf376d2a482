import { OrganismError, loadOrganism, type Organism } from '@organism/core';
import { cliPlugins } from './plugins.js';
import { describeError, type CliIO } from './cliIO.js';

/** Which artifact `organism schema` prints. */
export type SchemaArtifact = 'xsd' | 'example' | 'prompt';

/**
 * What the organism generated from a listener's payload contract(s): the XSD and an example of the
 * bare-tag payload (what `--to <listener>` sends), or the tool-prompt fragment LLM agents see (with
 * the full root tag). Several payload types are printed in turn.
 */
export function listenerArtifact(org: Organism, name: string, artifact: SchemaArtifact): string {
  const listener = org.routing.listeners.get(name.toLowerCase());
  if (!listener) {
    const known = [...org.routing.listeners.values()].map((l) => l.name).join(', ');
    throw new OrganismError('ORG_ERR_CLI_USAGE', `no listener "${name}" in this organism; its listeners are: ${known}`);
  }
  const parts = [...listener.types.values()].map((type) => {
    switch (artifact) {
      case 'xsd':
        return type.contract.xsd;
      case 'example':
        return type.contract.example;
      case 'prompt':
        return type.contract.prompt(type.rootTag);
    }
  });
  return parts.map((part) => part.trimEnd()).join('\n\n');
}

/** `organism schema`. */
export async function schemaCommand(name: string, file: string, artifact: SchemaArtifact, io: CliIO): Promise<void> {
  let org: Organism | undefined;
  try {
    org = await loadOrganism(file, {}, { plugins: cliPlugins() });
    io.stdout.write(`${listenerArtifact(org, name, artifact)}\n`);
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n`);
    io.setExitCode(1);
  } finally {
    await org?.close();
  }
}
