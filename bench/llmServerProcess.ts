// The loopback model server in its own process for bench/llm.ts, so that its work does not share
// the bench's event loop: prints its URL, then serves every request with the reply last written
// to its stdin (one JSON line: { "pieces": [...], "gapMs": n }).
import { createInterface } from 'node:readline';
import { startLlmTestServer, type Reply } from '../packages/llm/test/support/llmTestServer.js';

const server = await startLlmTestServer();
let reply: Reply = { pieces: [] };
server.respondWith(() => reply);
process.stdout.write(`${server.url}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  reply = JSON.parse(line) as Reply;
  process.stdout.write('ok\n');
});
lines.on('close', () => void server.close().then(() => process.exit(0)));
