import type { z } from 'zod';
import type { OrganismError } from '@organism/xml';
import type { Handler } from './handler.js';
import type { ListenerSpec } from './listener.js';
import type { Organism } from './organism.js';

/**
 * Something that plugs into an organism at run time: it sees the organism once it exists, adds
 * its counters to `stats().extensions`, its Prometheus lines to `/metrics`, and is told when
 * `close()` starts. Core knows nothing else about it.
 *
 * @example
 * const counter: OrganismExtension = {
 *   name: 'hits',
 *   attach: (org) => void org.messages$.subscribe(() => hits++),
 *   stats: () => ({ hits }),
 *   metrics: () => `# TYPE hits_total counter\nhits_total ${hits}\n`,
 * };
 * const org = createOrganism({ listeners, extensions: [counter] });
 */
export interface OrganismExtension {
  /** Key of its entry in `stats().extensions`. */
  readonly name: string;
  /** Called once, at the end of `createOrganism`, before any message is accepted. */
  attach?(org: Organism): void;
  /** A plain-data snapshot, shown as `stats().extensions[name]`. */
  stats?(): unknown;
  /** Prometheus text exposition lines (`# HELP`, `# TYPE`, samples), appended to `/metrics`. */
  metrics?(): string;
  /**
   * Called as `close()` starts, before the organism drains: stop outbound work that would hold the
   * drain (an extension that calls remote services aborts its requests here).
   */
  close?(): void | Promise<void>;
}

/** A listener entry of `organism.yaml` as a plugin sees it. */
export interface PluginListener {
  /** Position in `listeners:` (for {@link PluginConfigInput.where}). */
  readonly index: number;
  readonly name: string;
  readonly description: string;
  readonly agent: boolean;
  readonly peers: readonly string[];
  /** The listener's own `handler:`, imported; absent when the file names none. */
  readonly handler?: Handler;
  /** The values of the plugin's {@link OrganismPlugin.listenerKeys} present on this entry. */
  readonly keys: Readonly<Record<string, unknown>>;
}

/** What {@link OrganismPlugin.configure} gets: its section, the listeners, and the file's error helpers. */
export interface PluginConfigInput {
  /** The path of the file as the user named it. */
  readonly file: string;
  /** The raw value of the plugin's top-level section; `undefined` when the file has none. */
  readonly section: unknown;
  readonly listeners: readonly PluginListener[];
  /** `file:line key.path`, as every message about the file starts. */
  where(path: readonly (string | number)[]): string;
  /** An ORG_ERR_CONFIG error about a key path: `file:line key.path: message`. */
  error(path: readonly (string | number)[], message: string, cause?: unknown): OrganismError;
  /**
   * Parse a value found at `path` with a zod schema; the first issue becomes an ORG_ERR_CONFIG
   * error worded and located as core's own (`file:line llm.backends[0].priority: must be ≥ 0, got -1`).
   */
  parse<S extends z.ZodType>(schema: S, value: unknown, path: readonly (string | number)[]): z.output<S>;
}

/** What a plugin adds to one listener: a handler (required when the file names none) and an `onHuh`. */
export type PluginListenerParts = Partial<Pick<ListenerSpec, 'handler' | 'onHuh'>>;

/** A configured plugin: handlers for the listeners it owns, and its run-time side. */
export interface PluginSetup {
  /**
   * Parts for one listener, or `undefined` when the listener is not this plugin's. A listener
   * without `handler:` must get a handler from some plugin, else loading fails as before
   * ("required key handler is missing").
   */
  listener?(entry: PluginListener): PluginListenerParts | undefined;
  /** Passed to the organism as one of its {@link OrganismOptions.extensions}. */
  readonly extension?: OrganismExtension;
}

/**
 * Extends `organism.yaml`: a plugin owns one top-level section and extra listener keys, checks
 * them, and supplies handlers (for listeners that name none) and a run-time extension. Give
 * plugins to {@link loadConfig} / {@link loadOrganism}; the CLI registers its own.
 *
 * @example
 * const plugin: OrganismPlugin = {
 *   name: 'echo',
 *   section: 'echo',
 *   listenerKeys: ['echo'],
 *   configure: (input) => ({
 *     listener: (entry) => (entry.keys.echo ? { handler: (_, ctx) => `<echoed><from>${ctx.from}</from></echoed>` } : undefined),
 *   }),
 * };
 * const org = await loadOrganism('organism.yaml', {}, { plugins: [plugin] });
 */
export interface OrganismPlugin {
  readonly name: string;
  /** Top-level key of `organism.yaml` this plugin owns. */
  readonly section?: string;
  /** Listener keys this plugin owns. */
  readonly listenerKeys?: readonly string[];
  /** Check the section and keys (throw `input.error(...)` or let `input.parse` throw) and set up. */
  configure(input: PluginConfigInput): PluginSetup | Promise<PluginSetup>;
}
