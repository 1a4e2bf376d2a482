import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '@organism/xml';
import type { Organism } from '@organism/core';
import { CloseCodes, startServer, type OrganismServer } from '../src/index.js';
import { testOrganism } from './support/testOrganism.js';

const observability = readFileSync('docs/observability.md', 'utf8');
const server = readFileSync('docs/server.md', 'utf8');

describe('docs/observability.md', () => {
  let org: Organism;
  let running: OrganismServer;
  beforeAll(async () => {
    org = testOrganism();
    running = await startServer(org, { port: 0, token: 't', processMetrics: false });
  });
  afterAll(async () => {
    await running.close();
    await org.close();
  });

  it('documents every metric /metrics serves, and no other', async () => {
    const served = new Set([...(await running.registry.metrics()).matchAll(/^# TYPE (organism_\w+) /gm)].map((m) => m[1]!));
    const documented = new Set([...observability.matchAll(/^\| `(organism_\w+)` \|/gm)].map((m) => m[1]!));
    expect(served.size).toBeGreaterThan(8);
    expect([...served].sort()).toEqual([...documented].sort());
  });
});

describe('docs/server.md', () => {
  it('documents every close code the server uses', () => {
    for (const code of Object.values(CloseCodes)) expect(server).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('names only registered error codes', () => {
    const named = new Set([...server.matchAll(/ORG_ERR_[A-Z0-9_]+/g)].map((m) => m[0]));
    expect([...named].filter((code) => !(code in ErrorCodes))).toEqual([]);
    for (const code of Object.keys(ErrorCodes).filter((c) => c.startsWith('ORG_ERR_SERVER_'))) {
      if (code !== 'ORG_ERR_SERVER_LISTEN') expect(named.has(code)).toBe(true);
    }
  });
});
