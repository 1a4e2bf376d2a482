import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import { z } from 'zod';
import { OrganismError } from '@organism/xml';
import { definePayload, isPayloadType, type PayloadType } from '@organism/schema';
import type { ListenerSpec } from './listener.js';
import type { OrganismOptions } from './organism.js';
import { locateYamlPath } from './yamlLocator.js';
import { describeConfigIssue } from './configIssue.js';
import { DEFAULT_BUDGETS } from './threadRegistry.js';
import { DEFAULT_META_FLAGS } from './introspection.js';
import type { Handler } from './handler.js';
import type { OrganismExtension, OrganismPlugin, PluginConfigInput, PluginListener, PluginListenerParts } from './plugin.js';
import { SYSTEM_SENDER } from './huh.js';

const moduleRef = z
  .string()
  .regex(/^[^#]+#[A-Za-z_$][\w$]*$/, 'expected "path/to/module.ts#ExportName"');

/** What a key holds, for "required key … is missing" where the schema's type says too little. */
const KEY_EXPECTATIONS: Readonly<Record<string, string>> = {
  payload_class: 'a module reference "path/to/module.ts#ExportName", or a list of them',
  handler: 'a module reference "path/to/module.ts#ExportName"',
  on_huh: 'a module reference "path/to/module.ts#ExportName"',
  listeners: 'a list of listeners, each with name, payload_class, handler and description',
  organism: 'a mapping with at least name:',
};

const listenerSchema = z
  .object({
    name: z.string().min(1),
    payload_class: z.union([moduleRef, z.array(moduleRef).min(1)]),
    // Required unless a plugin supplies the handler (checked after the plugins ran).
    handler: moduleRef.optional(),
    description: z.string().min(1),
    agent: z.boolean().default(false),
    peers: z.array(z.string()).default([]),
    broadcast: z.boolean().default(false),
    on_huh: moduleRef.optional(),
  })
  .strict();

/** The `organism.yaml` schema (seed-compatible keys). Documented in docs/organism-yaml.md. */
export const organismYamlSchema = z
  .object({
    organism: z
      .object({
        name: z.string().min(1),
        port: z.number().int().min(0).max(65535).optional(),
        host: z.string().optional(),
        token: z.string().optional(),
        metrics_token: z.string().optional(),
        tls: z.object({ cert_file: z.string().min(1), key_file: z.string().min(1) }).strict().optional(),
      })
      .strict(),
    max_concurrent_handlers: z.number().int().positive().default(20),
    max_concurrent_per_agent: z.number().int().positive().default(5),
    thread_scheduling: z.enum(['breadth-first', 'depth-first']).default('breadth-first'),
    max_queued: z.number().int().positive().default(10_000),
    when_full: z.enum(['wait', 'reject']).default('wait'),
    validator: z.enum(['libxml2', 'xerces']).default('libxml2'),
    max_hops: z.number().int().positive().default(DEFAULT_BUDGETS.maxHops),
    max_messages_per_thread: z.number().int().positive().default(DEFAULT_BUDGETS.maxMessages),
    max_repeats: z.number().int().positive().default(DEFAULT_BUDGETS.maxRepeats),
    handler_timeout_ms: z.number().int().positive().default(30_000),
    xml_worker: z.enum(['auto', 'on', 'off']).default('auto'),
    meta: z
      .object({
        list_capabilities: z.boolean().default(DEFAULT_META_FLAGS.listCapabilities),
        request_schema: z.boolean().default(DEFAULT_META_FLAGS.requestSchema),
        request_example: z.boolean().default(DEFAULT_META_FLAGS.requestExample),
        request_prompt: z.boolean().default(DEFAULT_META_FLAGS.requestPrompt),
      })
      .strict()
      .default({
        list_capabilities: DEFAULT_META_FLAGS.listCapabilities,
        request_schema: DEFAULT_META_FLAGS.requestSchema,
        request_example: DEFAULT_META_FLAGS.requestExample,
        request_prompt: DEFAULT_META_FLAGS.requestPrompt,
      }),
    limits: z
      .object({
        max_bytes: z.number().int().positive().optional(),
        max_depth: z.number().int().positive().optional(),
        max_payloads_per_response: z.number().int().positive().optional(),
      })
      .strict()
      .default({}),
    externals: z.array(z.string().trim().min(1)).default([]),
    listeners: z.array(listenerSchema).min(1),
  })
  .strict();

export type OrganismYaml = z.infer<typeof organismYamlSchema>;

/** A loaded `organism.yaml`: the raw validated config and the options to create the organism. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: OrganismYaml;
  readonly options: OrganismOptions;
  /**
   * Where a key path is in the file, as messages about it start: `file:line key.path`.
   * @example loaded.where(['listeners', 2]) // 'organism.yaml:20 listeners[2]'
   */
  where(path: readonly (string | number)[]): string;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Plugins that own extra sections and listener keys and may supply handlers (the CLI registers its own). */
  readonly plugins?: readonly OrganismPlugin[];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** `file:line key.path` of a key path in the file, as every message about the file starts. */
function locate(file: string, text: string, path: readonly (string | number)[]): string {
  const line = locateYamlPath(text, path);
  return `${file}${line !== undefined ? `:${line}` : ''}${path.length ? ` ${formatPath(path)}` : ''}`;
}

function configError(file: string, text: string, path: readonly (string | number)[], message: string, cause?: unknown): OrganismError {
  return new OrganismError('ORG_ERR_CONFIG', `${locate(file, text, path)}: ${message}`, cause === undefined ? undefined : { cause });
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Import a module of the user's, TypeScript included, without a build step. */
async function importModule(path: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(path) && !LOADS_TYPESCRIPT) await registerTypeScriptLoader();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
/**
 * This process imports TypeScript already: Node strips types itself (22.18 and later), or this
 * module runs from its own TypeScript source (under jest or tsx).
 */
const LOADS_TYPESCRIPT = Boolean((process.features as { typescript?: unknown }).typescript) || import.meta.url.endsWith('.ts');
let typeScriptLoader: Promise<void> | undefined;

/**
 * A Node that cannot load TypeScript itself (Node 20): tsx's loader, an optional peer dependency,
 * registered once for the process. Registered, not `tsImport`: the user's module then imports the
 * `@organism/*`, zod and libxml2-wasm modules already loaded, where tsImport loaded a second copy
 * of each through the loader (over 400 MB more RSS for the demo).
 */
function registerTypeScriptLoader(): Promise<void> {
  typeScriptLoader ??= import('tsx/esm/api').then(
    ({ register }) => {
      register();
    },
    (cause: unknown) => {
      typeScriptLoader = undefined;
      throw new NoTypeScriptLoader(cause);
    },
  );
  return typeScriptLoader;
}

/** A TypeScript module was named and neither Node nor an installed tsx can load it. */
class NoTypeScriptLoader extends Error {
  constructor(cause: unknown) {
    super('no TypeScript loader is installed', { cause });
  }
}

/**
 * Read and check an `organism.yaml`, import the modules it names, and return the options for
 * {@link createOrganism}. Every mistake is reported before anything starts, with file, line, key
 * path and a hint.
 *
 * @example
 * const { options } = await loadConfig('organism.yaml');
 * const org = createOrganism(options);
 */
export async function loadConfig(file: string, loadOptions: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const plugins = loadOptions.plugins ?? [];
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OrganismError('ORG_ERR_CONFIG', `${file}: cannot read the file (${(error as Error).message})`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const mark = (error as { mark?: { line: number } }).mark;
    throw new OrganismError(
      'ORG_ERR_CONFIG',
      `${file}${mark ? `:${mark.line + 1}` : ''}: not valid YAML: ${(error as { reason?: string }).reason ?? (error as Error).message}`,
      { cause: error },
    );
  }
  // The plugins' sections and listener keys are theirs to check: core's schema sees the rest.
  const { core: coreRaw, sections, listenerKeys } = splitPluginKeys(raw, plugins);
  const parsed = organismYamlSchema.safeParse(coreRaw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keyPath = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed =
        keyPath[0] === 'listeners'
          ? [...Object.keys(listenerSchema.shape), ...plugins.flatMap((p) => p.listenerKeys ?? [])]
          : keyPath[0] === 'organism' && keyPath[1] === 'tls'
            ? ['cert_file', 'key_file']
          : keyPath[0] === 'organism'
            ? ['name', 'port', 'host', 'token', 'metrics_token', 'tls']
            : keyPath[0] === 'limits'
              ? ['max_bytes', 'max_depth', 'max_payloads_per_response']
              : keyPath[0] === 'meta'
                ? ['list_capabilities', 'request_schema', 'request_example', 'request_prompt']
              : [...Object.keys(organismYamlSchema.shape), ...plugins.flatMap((p) => (p.section ? [p.section] : []))];
      const hint = issue.keys
        .map((key) => {
          const suggestion = closest(key, allowed);
          return `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
        })
        .join('; ');
      return Promise.reject(configError(file, text, [...keyPath, issue.keys[0]!], hint));
    }
    const described = describeConfigIssue(issue, coreRaw, KEY_EXPECTATIONS);
    throw configError(file, text, described.path, described.message);
  }
  const config = parsed.data;
  const base = dirname(path);
  const modules = new Map<string, Record<string, unknown>>();

  const resolveExport = async (ref: string, at: (string | number)[]): Promise<unknown> => {
    const [modulePath, exportName] = ref.split('#') as [string, string];
    const absolute = resolve(base, modulePath);
    let mod = modules.get(absolute);
    if (!mod) {
      try {
        mod = await importModule(absolute);
      } catch (error) {
        const missing = !existsSync(absolute);
        throw configError(
          file,
          text,
          at,
          missing
            ? `module ${modulePath} not found (paths are relative to ${file})`
            : error instanceof NoTypeScriptLoader
              ? `module ${modulePath} is TypeScript, which this Node cannot load without a loader: install tsx beside @organism/core (npm install tsx), or name the module's compiled .js file`
              : `module ${modulePath} failed to load: ${(error as Error).message}`,
          error,
        );
      }
      modules.set(absolute, mod);
    }
    if (!(exportName in mod)) {
      const suggestion = closest(exportName, Object.keys(mod));
      throw configError(
        file,
        text,
        at,
        `export "${exportName}" not found in ${modulePath}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      );
    }
    return mod[exportName];
  };

  const listeners: ListenerSpec[] = [];
  const pluginListeners: PluginListener[] = [];
  for (const [index, entry] of config.listeners.entries()) {
    const refs = Array.isArray(entry.payload_class) ? entry.payload_class : [entry.payload_class];
    const payloads: PayloadType<any>[] = [];
    for (const [i, ref] of refs.entries()) {
      const at = Array.isArray(entry.payload_class) ? ['listeners', index, 'payload_class', i] : ['listeners', index, 'payload_class'];
      const value = await resolveExport(ref, at);
      if (isPayloadType(value)) {
        payloads.push(value);
      } else if ((value as { _zod?: { def?: { type?: string } } })?._zod?.def?.type === 'object') {
        payloads.push(definePayload(ref.split('#')[1]!, value as z.ZodObject));
      } else {
        throw configError(file, text, at, `${ref} is neither definePayload(...) nor a z.object(...) schema`);
      }
    }
    const handler = entry.handler === undefined ? undefined : await resolveExport(entry.handler, ['listeners', index, 'handler']);
    if (handler !== undefined && typeof handler !== 'function') {
      throw configError(file, text, ['listeners', index, 'handler'], `${entry.handler} is not a function`);
    }
    const onHuh = entry.on_huh ? await resolveExport(entry.on_huh, ['listeners', index, 'on_huh']) : undefined;
    if (onHuh !== undefined && typeof onHuh !== 'function') {
      throw configError(file, text, ['listeners', index, 'on_huh'], `${entry.on_huh} is not a function`);
    }
    pluginListeners.push({
      index,
      name: entry.name,
      description: entry.description,
      agent: entry.agent,
      peers: entry.peers,
      ...(handler !== undefined ? { handler: handler as Handler } : {}),
      keys: listenerKeys[index] ?? {},
    });
    listeners.push({
      name: entry.name,
      payload: payloads.length === 1 ? payloads[0]! : payloads,
      handler: handler as ListenerSpec['handler'],
      description: entry.description,
      agent: entry.agent,
      peers: entry.peers,
      broadcast: entry.broadcast,
      ...(onHuh ? { onHuh: onHuh as ListenerSpec['onHuh'] } : {}),
    });
  }

  const listenerNames = new Set(config.listeners.map((l) => l.name.toLowerCase()));
  config.externals.forEach((name, index) => {
    if (listenerNames.has(name.toLowerCase())) {
      throw configError(file, text, ['externals', index], `"${name}" is a listener; externals names parties outside the organism`);
    }
    if (name.toLowerCase() === SYSTEM_SENDER) {
      throw configError(file, text, ['externals', index], `"${name}" is the organism's own sender name, not an external party`);
    }
  });

  const where = (keyPath: readonly (string | number)[]): string => locate(file, text, keyPath);
  const extensions: OrganismExtension[] = [];
  const supplied: Array<PluginListenerParts | undefined> = [];
  for (const plugin of plugins) {
    const input: PluginConfigInput = {
      file,
      section: plugin.section ? sections.get(plugin.section) : undefined,
      listeners: pluginListeners,
      where,
      error: (keyPath, message, cause) => configError(file, text, keyPath, message, cause),
      parse: (schema, value, keyPath) => {
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        // A misspelt key also makes the right one missing: the misspelling is the better report.
        const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
        throw pluginIssueError(file, text, schema, issue, value, keyPath);
      },
    };
    const setup = await plugin.configure(input);
    if (setup.extension) extensions.push(setup.extension);
    for (const entry of pluginListeners) {
      const parts = setup.listener?.(entry);
      if (parts) supplied[entry.index] = { ...supplied[entry.index], ...parts };
    }
  }
  for (const [index, spec] of listeners.entries()) {
    const parts = supplied[index];
    if (parts) listeners[index] = { ...spec, ...parts };
    if (typeof listeners[index]!.handler !== 'function') {
      throw configError(file, text, ['listeners', index], `required key handler is missing (expected ${KEY_EXPECTATIONS.handler})`);
    }
  }

  const limits = {
    ...(config.limits.max_bytes !== undefined ? { maxBytes: config.limits.max_bytes } : {}),
    ...(config.limits.max_depth !== undefined ? { maxDepth: config.limits.max_depth } : {}),
    ...(config.limits.max_payloads_per_response !== undefined ? { maxPayloadsPerResponse: config.limits.max_payloads_per_response } : {}),
  };
  return {
    file: path,
    config,
    where,
    options: {
      name: config.organism.name,
      listeners,
      ...(extensions.length > 0 ? { extensions } : {}),
      maxConcurrentHandlers: config.max_concurrent_handlers,
      maxConcurrentPerAgent: config.max_concurrent_per_agent,
      threadScheduling: config.thread_scheduling,
      maxQueued: config.max_queued,
      whenFull: config.when_full,
      validator: config.validator,
      limits,
      budgets: { maxHops: config.max_hops, maxMessages: config.max_messages_per_thread, maxRepeats: config.max_repeats },
      handlerTimeoutMs: config.handler_timeout_ms,
      externals: config.externals,
      xmlWorker: config.xml_worker,
      meta: {
        listCapabilities: config.meta.list_capabilities,
        requestSchema: config.meta.request_schema,
        requestExample: config.meta.request_example,
        requestPrompt: config.meta.request_prompt,
      },
    },
  };
}

/** The raw file without the plugins' sections and listener keys, and those, by section and listener index. */
function splitPluginKeys(
  raw: unknown,
  plugins: readonly OrganismPlugin[],
): { core: unknown; sections: Map<string, unknown>; listenerKeys: Array<Record<string, unknown>> } {
  const sections = new Map<string, unknown>();
  const listenerKeys: Array<Record<string, unknown>> = [];
  if (plugins.length === 0 || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { core: raw, sections, listenerKeys };
  const core: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const plugin of plugins) {
    if (plugin.section && plugin.section in core) {
      sections.set(plugin.section, core[plugin.section]);
      delete core[plugin.section];
    }
  }
  const keys = new Set(plugins.flatMap((p) => p.listenerKeys ?? []));
  if (keys.size > 0 && Array.isArray(core.listeners)) {
    core.listeners = core.listeners.map((entry: unknown, index) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
      const own: Record<string, unknown> = {};
      const rest: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
      for (const key of keys) {
        if (key in rest) {
          own[key] = rest[key];
          delete rest[key];
        }
      }
      listenerKeys[index] = own;
      return rest;
    });
  }
  return { core, sections, listenerKeys };
}

/** The keys a zod object schema allows at a path inside it (for a did-you-mean hint). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  const unwrap = (n: z.ZodType | undefined): z.ZodType | undefined => {
    while (n && ['optional', 'default', 'nullable', 'prefault', 'readonly', 'pipe'].includes(n.def.type)) {
      const def = n.def as { innerType?: z.ZodType; in?: z.ZodType };
      n = def.innerType ?? def.in;
    }
    return n;
  };
  for (const key of path) {
    node = unwrap(node);
    if (!node) return [];
    if (node.def.type === 'object') node = (node as z.ZodObject).shape[String(key)] as z.ZodType | undefined;
    else if (node.def.type === 'array') node = (node as z.ZodArray<z.ZodType>).element;
    else if (node.def.type === 'record') node = (node.def as unknown as { valueType: z.ZodType }).valueType;
    else return [];
  }
  node = unwrap(node);
  return node?.def.type === 'object' ? Object.keys((node as z.ZodObject).shape) : [];
}

/** A plugin's zod issue as core words its own: `file:line section.key: message`. */
function pluginIssueError(
  file: string,
  text: string,
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  value: unknown,
  at: readonly (string | number)[],
): OrganismError {
  const inner = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(schema, inner);
    const hint = issue.keys
      .map((key) => {
        const suggestion = closest(key, allowed);
        return `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
      })
      .join('; ');
    return configError(file, text, [...at, ...inner, issue.keys[0]!], hint);
  }
  const described = describeConfigIssue({ ...issue, path: inner }, value, KEY_EXPECTATIONS);
  return configError(file, text, [...at, ...described.path], described.message);
}
