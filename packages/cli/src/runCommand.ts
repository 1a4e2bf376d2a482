import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { loadConfig, loadOrganism, OrganismError, type LoadedConfig, type Organism } from '@organism/core';
import { natsTransport, type NatsTransport } from '@organism/nats';
import { DEFAULT_HOST, DEFAULT_PORT, createLogger, logOrganism, startServer, type OrganismServer, type ServerTls } from '@organism/server';
import { describeError, readNeededFile, type CliIO } from './cliIO.js';
import { runConsole } from './console.js';
import { summary } from './summary.js';
import { cliPlugins } from './plugins.js';

/** Options of `organism run`. */
export interface RunOptions {
  readonly port?: number;
  readonly host?: string;
  readonly logLevel: string;
  /** `--no-console` sets false. */
  readonly console: boolean;
  /** `--no-server` sets false. */
  readonly server: boolean;
  /** PEM files for TLS; `organism.tls` otherwise (its paths relative to the yaml file). */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Distributed mode: the NATS server URL (`nats://host:port`). */
  readonly transport?: string;
  /** With `transport`: the listeners this process runs (default all). */
  readonly listeners?: readonly string[];
  /** With `transport`: redelivery after this many ms without an acknowledgement. */
  readonly ackWait?: number;
  /** With `transport`: deliveries before the dead-letter subject. */
  readonly maxDeliver?: number;
}

/**
 * `organism run`: the organism with a console on standard input and, when asked for, the server.
 * The server runs when a port is given (`--port` or `organism.port`), when standard input is a
 * terminal, or with `--no-console`; then the process serves until SIGINT/SIGTERM, drains and exits
 * 0. Without a server, piped input is read to its end, replies are printed, and the process exits.
 */
export async function runCommand(file: string, options: RunOptions, io: CliIO): Promise<void> {
  let logger;
  try {
    logger = createLogger({ level: options.logLevel });
  } catch (error) {
    io.stderr.write(`ORG_ERR_CLI_USAGE: ${(error as Error).message}\n`);
    io.setExitCode(1);
    return;
  }
  let org: Organism;
  let settings: { port?: number; host?: string; token?: string; metrics_token?: string; tls?: { cert_file: string; key_file: string } };
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(file, { plugins: cliPlugins() });
    settings = loaded.config.organism;
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n`);
    io.setExitCode(1);
    return;
  }

  const interactive = Boolean((io.stdin as { isTTY?: boolean }).isTTY);
  // Asked for: a port, or nothing else to run. A terminal alone starts it too, but as a convenience.
  const asked = options.port !== undefined || settings.port !== undefined || !options.console;
  const wantServer = options.server && (asked || interactive);
  // Distributed, a process with neither server nor console is a worker: it runs its listeners.
  const worker = options.transport !== undefined && !wantServer && !options.console;
  if (!wantServer && !options.console && !worker) {
    io.stderr.write('ORG_ERR_CLI_USAGE: --no-console with --no-server leaves nothing to run\n');
    io.setExitCode(1);
    return;
  }

  let transport: NatsTransport | undefined;
  let hosted: readonly string[] = [];
  try {
    if (options.transport !== undefined) {
      hosted = hostedListeners(loaded, options.listeners);
      transport = await natsTransport({
        servers: natsUrl(options.transport),
        organism: loaded.options.name ?? 'organism',
        listeners: hosted,
        egress: !worker,
        maxAckPending: loaded.options.maxConcurrentPerAgent ?? 5,
        ...(options.ackWait === undefined ? {} : { ackWaitMs: options.ackWait }),
        ...(options.maxDeliver === undefined ? {} : { maxDeliver: options.maxDeliver }),
      });
    } else if (options.listeners !== undefined || options.ackWait !== undefined || options.maxDeliver !== undefined) {
      throw new OrganismError('ORG_ERR_CLI_USAGE', '--listeners, --ack-wait and --max-deliver need --transport nats://host:port (distributed mode)');
    }
    org = await loadOrganism(file, transport === undefined ? {} : { transport }, { plugins: cliPlugins() });
  } catch (error) {
    await transport?.close();
    io.stderr.write(`${describeError(error)}\n`);
    io.setExitCode(1);
    return;
  }
  // Dead letters and connection losses: the logger's to report (they never stop the organism).
  const transportEvents = transport?.events$.subscribe((event) => logger.warn({ code: event.code, subject: event.subject }, event.message));

  let server: OrganismServer | undefined;
  let generatedToken: string | undefined;
  let metricsToken: string | undefined;
  if (wantServer) {
    const configured = io.env.ORGANISM_TOKEN || settings.token;
    const token = configured || (generatedToken = randomBytes(24).toString('base64url'));
    metricsToken = io.env.ORGANISM_METRICS_TOKEN || settings.metrics_token;
    let tls: ServerTls | undefined;
    try {
      tls = readTls(file, options, settings.tls);
    } catch (error) {
      io.stderr.write(`${describeError(error)}\n`);
      await org.close();
      io.setExitCode(1);
      return;
    }
    try {
      server = await startServer(org, {
        ...(tls === undefined ? {} : { tls }),
        port: options.port ?? settings.port ?? DEFAULT_PORT,
        host: options.host ?? settings.host ?? DEFAULT_HOST,
        token,
        ...(metricsToken === undefined ? {} : { metricsToken }),
        ...(transport === undefined ? {} : { threads: transport.threads }),
        logger,
      });
    } catch (error) {
      io.stderr.write(`${describeError(error)}\n`);
      if (asked) {
        await org.close();
        io.setExitCode(1);
        return;
      }
      io.stderr.write('the console runs without a server (pass --port to choose another port, or --no-server)\n');
    }
  }
  // Organism events are the logger's to report when a server runs; the console reports them otherwise.
  const logging = server ? logOrganism(org, logger) : undefined;

  const lines = [summary(org)];
  if (transport !== undefined) {
    await transport.consuming();
    lines.push(
      `distributed on ${options.transport} (stream ${transport.subjects.stream}): this process runs ${hosted.length === 0 ? 'no listeners' : hosted.join(', ')}${worker ? '' : ' and hosts egress'}`,
    );
  }
  if (server) {
    const metrics = `GET ${server.address.http}/metrics${metricsToken === undefined ? '' : ' with the metrics token'}`;
    lines.push(`listening on ${server.address.url} (GET ${server.address.http}/healthz, ${metrics})`);
    if (metricsToken === undefined && !isLoopback(server.address.host)) {
      lines.push(`note: /metrics is open to anyone who reaches ${server.address.host}; set ORGANISM_METRICS_TOKEN or organism.metrics_token to require a token`);
    }
    if (generatedToken) lines.push(`token: ${generatedToken} (generated for this run; set ORGANISM_TOKEN or organism.token to choose one)`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining accepted work');
    void (async () => {
      try {
        await server?.close();
        await org.close();
        logging?.unsubscribe();
        transportEvents?.unsubscribe();
        logger.info('stopped');
        process.exit(0);
      } catch (error) {
        io.stderr.write(`${describeError(error)}\n`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (options.console) {
    try {
      await runConsole(org, { input: io.stdin, output: io.stdout, onlyOwn: server !== undefined });
    } catch (error) {
      io.stderr.write(`${describeError(error)}\n`);
    }
  }
  // With a server, the process keeps serving until a signal; the listening socket keeps it alive.
  if (server && options.console && !stopping) logger.info('console input ended; still serving until SIGINT or SIGTERM');
  if (worker && !stopping) logger.info('worker running until SIGINT or SIGTERM');
  if (!server && !worker && !stopping) {
    await org.close();
    transportEvents?.unsubscribe();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The listeners named by `--listeners` (default all), checked against the organism. */
function hostedListeners(loaded: LoadedConfig, names: readonly string[] | undefined): string[] {
  const all = loaded.config.listeners.map((l) => l.name);
  if (names === undefined) return all;
  const byKey = new Map(all.map((name) => [name.toLowerCase(), name]));
  return names.map((name) => {
    const found = byKey.get(name.toLowerCase());
    if (found === undefined) throw new OrganismError('ORG_ERR_CLI_USAGE', `--listeners: no listener "${name}" in this organism; its listeners are: ${all.join(', ')}`);
    return found;
  });
}

/** `--transport` takes a NATS URL. */
function natsUrl(url: string): string {
  if (!/^(nats|tls):\/\/[^/\s]+$/.test(url)) {
    throw new OrganismError('ORG_ERR_CLI_USAGE', `--transport ${url}: expected a NATS server URL such as nats://127.0.0.1:4222`);
  }
  return url;
}

/** Only this machine can reach a server bound to it. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The TLS key and certificate: `--tls-cert`/`--tls-key` (relative to the working directory), else
 * `organism.tls` (relative to the yaml file). Both or neither; ORG_ERR_CONFIG names a file that
 * cannot be read.
 */
function readTls(file: string, options: RunOptions, configured: { cert_file: string; key_file: string } | undefined): ServerTls | undefined {
  let certFile: string;
  let keyFile: string;
  if (options.tlsCert !== undefined || options.tlsKey !== undefined) {
    if (options.tlsCert === undefined || options.tlsKey === undefined) {
      throw new OrganismError('ORG_ERR_CONFIG', 'TLS needs both --tls-cert and --tls-key');
    }
    certFile = resolve(options.tlsCert);
    keyFile = resolve(options.tlsKey);
  } else if (configured !== undefined) {
    certFile = resolve(dirname(file), configured.cert_file);
    keyFile = resolve(dirname(file), configured.key_file);
  } else {
    return undefined;
  }
  return { cert: readNeededFile(certFile, 'TLS certificate', 'ORG_ERR_CONFIG'), key: readNeededFile(keyFile, 'TLS key', 'ORG_ERR_CONFIG') };
}
