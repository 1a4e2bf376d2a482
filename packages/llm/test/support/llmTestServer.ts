import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP server on loopback that speaks the two wire formats the LLM backends use: OpenAI
 * chat completions (`POST …/chat/completions`, SSE of `chat.completion.chunk`s ending in
 * `data: [DONE]`) and Anthropic messages (`POST …/messages`, SSE of `message_start` …
 * `message_stop`). Each request takes the next scripted reply; tests say per reply what the
 * "model" writes, in which pieces, and how the HTTP exchange goes wrong.
 */
export interface Reply {
  /** HTTP status; anything but 200 sends `error` as a JSON error body. Default 200. */
  readonly status?: number;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Error message of a non-200 reply. */
  readonly error?: string;
  /** The model's text, one SSE delta per piece (cut pieces inside tags to test the extractor). */
  readonly pieces?: readonly string[];
  /** Milliseconds between pieces. Default 0 (each piece still its own write). */
  readonly gapMs?: number;
  /** Send the pieces, then keep the socket open and send nothing more (a stalled stream). */
  readonly stall?: boolean;
  /** Write the SSE bytes in chunks of this many bytes (boundaries inside SSE frames too). */
  readonly splitBytes?: number;
  /** Usage the final event reports. Default: input 10, output = number of pieces. */
  readonly usage?: { readonly input: number; readonly output: number };
}

/** One request the server received. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: any;
  /** Resolves when the client's socket closed (an abort shows here). */
  readonly closed: Promise<void>;
  /** High-resolution time at which each piece was written to the socket. */
  readonly writtenAt: bigint[];
}

export interface LlmTestServer {
  /** `http://127.0.0.1:<port>` (append `/v1` for OpenAI-style base URLs). */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Queue replies (served in order, to any path); without any left, the server answers 500. */
  script(...replies: Reply[]): void;
  /** Serve replies from a function instead (for many concurrent requests). */
  respondWith(fn: ((request: ReceivedRequest) => Reply) | undefined): void;
  /** Forget the requests, the queued replies and the reply function (between tests). */
  reset(): void;
  close(): Promise<void>;
}

function openAiChunk(id: string, delta: Record<string, unknown>, finish: string | null, usage?: Reply['usage']): string {
  const body: Record<string, unknown> = {
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'test-model',
    choices: finish === 'usage' ? [] : [{ index: 0, delta, finish_reason: finish }],
  };
  if (usage) body.usage = { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function anthropicEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function frames(kind: 'openai' | 'anthropic', reply: Reply): { head: string[]; pieces: string[]; tail: string[] } {
  const pieces = reply.pieces ?? [];
  const usage = reply.usage ?? { input: 10, output: pieces.length };
  if (kind === 'openai') {
    return {
      head: [openAiChunk('c1', { role: 'assistant', content: '' }, null)],
      pieces: pieces.map((p) => openAiChunk('c1', { content: p }, null)),
      tail: [openAiChunk('c1', {}, 'stop'), openAiChunk('c1', {}, 'usage', usage), 'data: [DONE]\n\n'],
    };
  }
  return {
    head: [
      anthropicEvent('message_start', {
        message: { id: 'm1', type: 'message', role: 'assistant', model: 'test-model', content: [], stop_reason: null, usage: { input_tokens: usage.input, output_tokens: 0 } },
      }),
      anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ],
    pieces: pieces.map((p) => anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
    tail: [
      anthropicEvent('content_block_stop', { index: 0 }),
      anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }),
      anthropicEvent('message_stop', {}),
    ],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start the scripted server on 127.0.0.1 and an ephemeral port.
 *
 * @example
 * const server = await startLlmTestServer();
 * server.script({ pieces: ['<answer><text>4', '2</text></ans', 'wer>'] });
 */
export async function startLlmTestServer(): Promise<LlmTestServer> {
  const queue: Reply[] = [];
  let responder: ((request: ReceivedRequest) => Reply) | undefined;
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    const received: ReceivedRequest = { path: req.url ?? '/', headers: req.headers, body: text ? JSON.parse(text) : undefined, closed, writtenAt: [] };
    requests.push(received);
    const reply = responder ? responder(received) : (queue.shift() ?? { status: 500, error: 'no scripted reply left' });
    const kind = received.path.endsWith('/messages') ? 'anthropic' : 'openai';
    const status = reply.status ?? 200;
    if (status !== 200) {
      const body =
        kind === 'anthropic'
          ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message: reply.error ?? `status ${status}` } }
          : { error: { message: reply.error ?? `status ${status}`, type: 'server_error', code: null } };
      res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
    const { head, pieces, tail } = frames(kind, reply);
    const write = (data: string) => {
      if (res.destroyed) return;
      if (reply.splitBytes) {
        const bytes = Buffer.from(data, 'utf8');
        for (let i = 0; i < bytes.length; i += reply.splitBytes) res.write(bytes.subarray(i, i + reply.splitBytes));
      } else {
        res.write(data);
      }
    };
    for (const frame of head) write(frame);
    for (const piece of pieces) {
      if (reply.gapMs) await sleep(reply.gapMs);
      if (res.destroyed) return;
      write(piece);
      received.writtenAt.push(process.hrtime.bigint());
    }
    if (reply.stall) return;
    for (const frame of tail) write(frame);
    res.end();
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    respondWith: (fn) => {
      responder = fn;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      responder = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
