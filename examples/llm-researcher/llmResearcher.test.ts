import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadOrganism, type EgressMessage, type Organism } from '@organism/core';
import { llmPlugin } from '@organism/llm';
import { startLlmTestServer, type LlmTestServer } from '../../packages/llm/test/support/llmTestServer.js';

const QUESTION = '<question><text>What are the sum and product of 6 and 7?</text></question>';

async function ask(org: Organism): Promise<EgressMessage[]> {
  const egress: EgressMessage[] = [];
  const errors: string[] = [];
  org.egress$.subscribe((m) => egress.push(m));
  org.errors$.subscribe((e) => errors.push(e.code));
  await org.send('researcher', QUESTION);
  await org.whenIdle();
  await org.close();
  expect(errors).toEqual([]);
  return egress;
}

describe('examples/llm-researcher', () => {
  let server: LlmTestServer;
  beforeAll(async () => {
    server = await startLlmTestServer();
  });
  afterAll(() => server.close());

  it('replay.yaml answers offline from the recorded transcript, through the real calculator tools', async () => {
    const org = await loadOrganism('examples/llm-researcher/replay.yaml', {}, { plugins: [llmPlugin({ env: {} })] });
    const egress = await ask(org);
    expect(egress.map((m) => [m.from, m.to, m.payload])).toEqual([
      ['researcher', 'user', '<answer><text>The sum of 6 and 7 is 13 and their product is 42.</text></answer>'],
    ]);
  });

  it('organism.yaml runs against any OpenAI-compatible endpoint named by OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
    server.script(
      { pieces: ['<calculator.add.addpayload><a>6</a><b>7</b></calculator.add.addpayload>'] },
      { pieces: ['<return><answer><text>13</text></answer></return>'] },
    );
    const env = { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'ollama' };
    const org = await loadOrganism('examples/llm-researcher/organism.yaml', {}, { plugins: [llmPlugin({ env })] });
    const egress = await ask(org);
    expect(egress.map((m) => m.payload)).toEqual(['<answer><text>13</text></answer>']);
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer ollama');
    expect(server.requests[0]!.body.model).toBe('llama3.2');
    expect(server.requests[1]!.body.messages.at(-1)).toEqual({
      role: 'user',
      content: 'From calculator.add:\n<calcresult><operation>add</operation><value>13</value></calcresult>',
    });
  });

  it('organism.yaml without OPENAI_BASE_URL says which variable to set', async () => {
    await expect(loadOrganism('examples/llm-researcher/organism.yaml', {}, { plugins: [llmPlugin({ env: {} })] })).rejects.toThrow(
      /organism\.yaml:15 llm\.backends\[0\]\.base_url_env: environment variable OPENAI_BASE_URL is not set/,
    );
  });
});
