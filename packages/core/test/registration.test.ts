import { describe, it, expect } from '@jest/globals';
import { z } from 'zod';
import { createOrganism, definePayload, OrganismError, type ListenerSpec } from '../src/index.js';
import { Greeting, greeter, listener } from './support/contracts.js';

function creationError(listeners: ListenerSpec[], options: Record<string, unknown> = {}): OrganismError {
  try {
    createOrganism({ listeners, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(OrganismError);
    return error as OrganismError;
  }
  throw new Error('expected createOrganism to throw');
}

describe('organism: registration errors', () => {
  it('refuses duplicate names, compared case-insensitively', () => {
    const error = creationError([greeter, listener('Greeter', Greeting)]);
    expect(error.code).toBe('ORG_ERR_REGISTRATION');
    expect(error.message).toMatch(/listener "Greeter".*duplicate/);
  });

  it('reserves the name "organism" for the organism itself', () => {
    const error = creationError([listener('Organism', Greeting)]);
    expect(error.code).toBe('ORG_ERR_REGISTRATION');
    expect(error.message).toContain('reserved');
  });

  it('reserves the payload type "huh"', () => {
    const error = creationError([listener('critic', definePayload('Huh', z.object({ code: z.string() })))]);
    expect(error.code).toBe('ORG_ERR_REGISTRATION');
    expect(error.message).toMatch(/listener "critic".*"huh" is reserved/);
  });

  it('refuses a peer that is not a registered listener', () => {
    const error = creationError([greeter, listener('agent', definePayload('Task', z.object({ t: z.string() })), { agent: true, peers: ['greeter', 'calculator'] })]);
    expect(error.code).toBe('ORG_ERR_REGISTRATION');
    expect(error.message).toMatch(/listener "agent".*peer "calculator"/);
  });

  it('names the field of a zod construct XSD cannot express', () => {
    const Event = definePayload('Event', z.object({ title: z.string(), when: z.date() }));
    const error = creationError([listener('calendar', Event)]);
    expect(error.code).toBe('ORG_ERR_SCHEMA_UNSUPPORTED');
    expect(error.message).toContain('listener "calendar"');
    expect(error.message).toContain('when');
  });

  it('refuses names that cannot be routing keys, a missing handler and a listener without payload types', () => {
    expect(creationError([listener('has space', Greeting)]).code).toBe('ORG_ERR_REGISTRATION');
    expect(creationError([listener('9lives', Greeting)]).code).toBe('ORG_ERR_REGISTRATION');
    expect(creationError([{ ...greeter, handler: 'greet' as never }]).message).toContain('handler must be a function');
    expect(creationError([listener('empty', [])]).message).toContain('at least one payload type');
  });

  it('refuses limits that are not positive integers with ORG_ERR_CONFIG', () => {
    expect(creationError([greeter], { maxConcurrentHandlers: 0 })).toMatchObject({ code: 'ORG_ERR_CONFIG' });
    expect(creationError([greeter], { maxConcurrentPerAgent: 1.5 })).toMatchObject({ code: 'ORG_ERR_CONFIG' });
    expect(creationError([greeter], { maxQueued: -1 })).toMatchObject({ code: 'ORG_ERR_CONFIG' });
  });
});
