import { Command, InvalidArgumentError, Option } from 'commander';
import { processIO, type CliIO } from './cliIO.js';
import { runCommand, type RunOptions } from './runCommand.js';
import { DEFAULT_URL, sendCommand } from './sendCommand.js';
import { validateCommand } from './validateCommand.js';
import { schemaCommand, type SchemaArtifact } from './schemaCommand.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535 (0: any free port)');
  return n;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a timeout is a positive number of milliseconds');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
}

/** `a,b` → the names; `''` → none (a process that only hosts the server and egress). */
function listenerList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.length === 1 && names[0] === '') return [];
  if (names.some((name) => name === '')) throw new InvalidArgumentError("a comma-separated list of listener names ('' for none)");
  return names;
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

/**
 * The `organism` command line: `run`, `send`, `validate`, `schema`.
 *
 * @example
 * await createProgram().parseAsync(['node', 'organism', 'run', 'organism.yaml']);
 */
export function createProgram(io: CliIO = processIO()): Command {
  const program = new Command('organism')
    .description('Schema-driven multi-agent message passing over XML')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .addHelpText('after', examples('organism run organism.yaml', "organism send --to greeter '<greeting><name>World</name></greeting>'", 'organism validate', 'organism schema greeter --example'));

  program
    .command('run')
    .description(
      'Run an organism with a console on standard input and, when a port is configured or given or the console is a terminal, ' +
        'a WebSocket server with GET /healthz and GET /metrics. With a server it runs until SIGINT/SIGTERM, then drains and exits 0.',
    )
    .argument('[file]', 'organism.yaml to run', 'organism.yaml')
    .option('-p, --port <port>', 'serve on this port (0: any free port; default organism.port, else 8765)', port)
    .option('--host <host>', 'interface to bind (default organism.host, else 127.0.0.1)')
    .addOption(new Option('--log-level <level>', 'log level (logs go to standard error)').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .option('--no-console', 'do not read commands from standard input (serve only)')
    .option('--no-server', 'do not start the server (console only)')
    .option('--tls-cert <file>', 'serve wss:// and https:// with this PEM certificate chain (with --tls-key; default organism.tls.cert_file)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (default organism.tls.key_file)')
    .option('--transport <url>', 'distributed mode: run on NATS JetStream at this URL (nats://host:port) instead of in memory')
    .option('--listeners <names>', "with --transport: the listeners this process runs, comma-separated (default all; '' for none)", listenerList)
    .option('--ack-wait <ms>', 'with --transport: redeliver a message not acknowledged for this long (default 30000)', milliseconds)
    .option('--max-deliver <n>', 'with --transport: deliveries of a message before it goes to the dead-letter subject (default 5)', positiveInteger)
    .addHelpText(
      'after',
      examples(
        'organism run organism.yaml',
        'ORGANISM_TOKEN=s3cret organism run organism.yaml --port 8765 --no-console',
        'organism run --port 0 --log-level debug',
        "printf '@greeter <greeting><name>World</name></greeting>\\n' | organism run",
        'organism run organism.yaml --transport nats://127.0.0.1:4222 --listeners greeter --no-console --no-server',
        'organism run organism.yaml --transport nats://127.0.0.1:4222 --listeners researcher --port 8765 --no-console',
      ) +
        '\nClients authenticate with ORGANISM_TOKEN or organism.token; without either, a token is generated and printed.\n' +
        'With --transport, a process with the server or the console also hosts egress (the replies to clients); one with\n' +
        '--no-console --no-server is a worker that runs its --listeners until SIGINT/SIGTERM.\n',
    )
    .action((file: string, options: RunOptions) => runCommand(file, options, io));

  program
    .command('send')
    .description('Send one payload to a running organism and print every reply on its thread until the thread is idle; exit 1 on a <huh> or an error')
    .argument('<payload>', 'payload XML (with --to), a payload with its full root tag, or a whole <message> envelope')
    .option('--to <listener>', 'the listener to address')
    .option('--url <url>', `server URL (default ORGANISM_URL, else ${DEFAULT_URL})`)
    .option('--token <token>', 'token (default ORGANISM_TOKEN)')
    .option('--timeout <ms>', 'give up when the thread is not idle by then', milliseconds, 30_000)
    .option('--ca <file>', 'for wss://: a PEM certificate to trust, e.g. a self-signed server\'s (default ORGANISM_CA; NODE_EXTRA_CA_CERTS works too)')
    .addHelpText(
      'after',
      examples(
        "organism send --to greeter '<greeting><name>World</name></greeting>'",
        "organism send --url ws://127.0.0.1:9000 --token s3cret '<greeter.greeting><name>World</name></greeter.greeting>'",
        "ORGANISM_TOKEN=s3cret organism send --to researcher '<question><a>6</a><b>7</b></question>'",
      ),
    )
    .action((payload: string, options: { to?: string; url?: string; token?: string; timeout: number; ca?: string }) => sendCommand(payload, options, io));

  program
    .command('validate')
    .description('Load and check an organism.yaml (keys, imports, payload schemas, names, peers, root tags) without starting it; exit 0 or 1 with the error list')
    .argument('[file]', 'organism.yaml to check', 'organism.yaml')
    .addHelpText('after', examples('organism validate', 'organism validate deploy/organism.yaml'))
    .action((file: string) => validateCommand(file, io));

  program
    .command('schema')
    .description("Print what the organism generates from a listener's payload contract: the XSD, an example payload, or the LLM tool prompt (default)")
    .argument('<listener>', 'listener name')
    .option('-f, --file <file>', 'organism.yaml', 'organism.yaml')
    .addOption(new Option('--xsd', 'print the payload XSD').conflicts(['example', 'prompt']))
    .addOption(new Option('--example', 'print an example payload').conflicts(['xsd', 'prompt']))
    .addOption(new Option('--prompt', 'print the tool-prompt fragment (default)').conflicts(['xsd', 'example']))
    .addHelpText('after', examples('organism schema greeter --xsd', 'organism schema calculator.add --example', 'organism schema researcher --prompt -f organism.yaml'))
    .action((listener: string, options: { file: string; xsd?: boolean; example?: boolean }) => {
      const artifact: SchemaArtifact = options.xsd ? 'xsd' : options.example ? 'example' : 'prompt';
      return schemaCommand(listener, options.file, artifact, io);
    });

  return program;
}
