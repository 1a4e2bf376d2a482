import { OrganismError, createOrganism, loadConfig, type ListenerSpec, type LoadedConfig, type OrganismOptions } from '@organism/core';
import { cliPlugins } from './plugins.js';
import { describeError, type CliIO } from './cliIO.js';

/** What `organism validate` found. */
export interface ValidationReport {
  readonly errors: readonly OrganismError[];
  readonly listeners: number;
  readonly rootTags: number;
}

function asError(error: unknown): OrganismError {
  return error instanceof OrganismError ? error : new OrganismError('ORG_ERR_INTERNAL', String((error as Error)?.message ?? error), { cause: error });
}

function within(at: (index: number) => string, index: number, error: OrganismError): OrganismError {
  return new OrganismError(error.code, `${at(index)}: ${error.message}`, {
    cause: error,
    ...(error.details ? { details: error.details } : {}),
  });
}

/** Compile one organism from `options` and close it; its registration error, if any. */
async function tryCreate(options: OrganismOptions): Promise<OrganismError | undefined> {
  try {
    const org = createOrganism(options);
    await org.close();
    return undefined;
  } catch (error) {
    return asError(error);
  }
}

/**
 * Load and check everything an `organism.yaml` names without starting it: the YAML keys, the
 * modules and exports, every payload contract (XSD, example, prompt), names, peers and root tags.
 * Listeners are checked one by one so one bad listener does not hide the next.
 */
export async function validateOrganism(file: string): Promise<ValidationReport> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(file, { plugins: cliPlugins() });
  } catch (error) {
    return { errors: [asError(error)], listeners: 0, rootTags: 0 };
  }
  const { options } = loaded;
  const at = (index: number): string => loaded.where(['listeners', index]);
  const errors: OrganismError[] = [];
  const specs: readonly ListenerSpec[] = options.listeners;
  const shared = { validator: options.validator ?? 'libxml2', ...(options.limits ? { limits: options.limits } : {}) } as const;
  const names = new Map<string, number>();
  let rootTags = 0;
  for (const [index, spec] of specs.entries()) {
    const failure = await tryCreate({ ...shared, listeners: [{ ...spec, peers: [] }] });
    if (failure) errors.push(within(at, index, failure));
    rootTags += Array.isArray(spec.payload) ? spec.payload.length : 1;
    const key = spec.name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined) {
      errors.push(
        new OrganismError('ORG_ERR_REGISTRATION', `${at(index)}: listener "${spec.name}": duplicate name, also listeners[${first}] (names compare case-insensitively)`),
      );
    } else {
      names.set(key, index);
    }
  }
  for (const [index, spec] of specs.entries()) {
    for (const peer of spec.peers ?? []) {
      if (!names.has(peer.toLowerCase())) {
        errors.push(new OrganismError('ORG_ERR_REGISTRATION', `${at(index)}: listener "${spec.name}": peer "${peer}" is not a listener of this organism`));
      }
    }
  }
  if (errors.length === 0) {
    const failure = await tryCreate(options);
    if (failure) errors.push(failure);
  }
  return { errors, listeners: specs.length, rootTags };
}

/** `organism validate`: the report on standard output, exit code 0 or 1. */
export async function validateCommand(file: string, io: CliIO): Promise<void> {
  const report = await validateOrganism(file);
  if (report.errors.length === 0) {
    io.stdout.write(`${file}: ok (${report.listeners} listeners, ${report.rootTags} root tags)\n`);
    return;
  }
  io.stderr.write(`${file}: ${report.errors.length} error${report.errors.length === 1 ? '' : 's'}\n`);
  for (const error of report.errors) io.stderr.write(`${describeError(error)}\n`);
  io.setExitCode(1);
}
