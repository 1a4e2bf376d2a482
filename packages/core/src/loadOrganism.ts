import { OrganismError } from '@organism/xml';
import { loadConfig, type LoadConfigOptions } from './config.js';
import { createOrganism, type Organism, type OrganismOptions } from './organism.js';

/**
 * Load `organism.yaml`, import its listeners' modules (TypeScript without a build step) and start
 * the organism. Mistakes in the file, including a payload contract that cannot be expressed as
 * XSD, are reported with file, line and key path before anything runs.
 *
 * @example
 * const org = await loadOrganism('organism.yaml');
 * org.egress$.subscribe((m) => console.log(`${m.from}: ${m.payload}`));
 * await org.send('greeter', '<greeting><name>World</name></greeting>');
 * await org.whenIdle();
 * await org.close();
 */
export async function loadOrganism(file: string, overrides: Partial<OrganismOptions> = {}, loadOptions: LoadConfigOptions = {}): Promise<Organism> {
  const loaded = await loadConfig(file, loadOptions);
  try {
    return createOrganism({ ...loaded.options, ...overrides });
  } catch (error) {
    if (!(error instanceof OrganismError)) throw error;
    const index = loaded.config.listeners.findIndex((l) => error.message.startsWith(`listener "${l.name}"`));
    if (index < 0) throw error;
    throw new OrganismError(error.code, `${loaded.where(['listeners', index])}: ${error.message}`, {
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  }
}
