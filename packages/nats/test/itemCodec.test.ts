import { describe, expect, it } from '@jest/globals';
import type { TransportItem } from '@organism/core';
import { decodeItem, encodeItem } from '../src/itemCodec.js';

const encoder = new TextEncoder();
const envelope =
  '<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>greeter</from><to>user</to><thread>t1</thread></meta><r xmlns=""><m>Hi</m></r></message>';
const egressItem: TransportItem = {
  envelope,
  origin: 'response',
  egress: { from: 'greeter', to: 'user', thread: 't1', tag: 'r', payload: '<r><m>Hi</m></r>', envelope },
};

describe('item codec', () => {
  it('writes an egress item\'s envelope once and reads it back whole', () => {
    const data = encodeItem(egressItem, 'S:1:0');
    const text = new TextDecoder().decode(data);
    expect(text.split('<message').length - 1).toBe(1);
    const receipt = { hold() {}, release() {} };
    const { item, id } = decodeItem(data, 'organism.x.egress', receipt);
    expect(id).toBe('S:1:0');
    expect(item).toEqual({ ...egressItem, receipt });
  });

  it('keeps an envelope that differs from its egress\'s', () => {
    const item: TransportItem = { ...egressItem, envelope: envelope.replace('Hi', 'Ho') };
    const { item: back } = decodeItem(encodeItem(item, 'S:2:0'), 'organism.x.egress');
    expect(back.envelope).toBe(item.envelope);
    expect(back.egress!.envelope).toBe(envelope);
  });

  it('still reads a version 1 item (its envelope written out), as processes of the previous release wrote it', () => {
    const v1 = { v: 1, id: 'S:3:0', envelope, origin: 'response', egress: egressItem.egress };
    const { item } = decodeItem(encoder.encode(JSON.stringify(v1)), 'organism.x.egress');
    expect(item.envelope).toBe(envelope);
    expect(item.egress).toEqual(egressItem.egress);
  });

  it.each([
    ['a version 1 item without its envelope', { v: 1, id: 'a', origin: 'response', egress: egressItem.egress }, '"envelope" is not a string'],
    ['an item with neither an envelope nor an egress', { v: 2, id: 'a', origin: 'external' }, '"envelope" is not a string'],
    ['a null envelope', { v: 2, id: 'a', envelope: null, origin: 'response', egress: egressItem.egress }, '"envelope" is not a string'],
    ['an unknown version', { v: 3, id: 'a', envelope, origin: 'external' }, 'not a version 1 or 2 organism item'],
    ['an egress with a missing field', { v: 2, id: 'a', origin: 'response', egress: { ...egressItem.egress, tag: undefined } }, '"egress" has the wrong shape'],
  ])('refuses %s with ORG_ERR_NATS_MESSAGE', (_name, body, why) => {
    expect(() => decodeItem(encoder.encode(JSON.stringify(body)), 'organism.x.egress')).toThrow(expect.objectContaining({ code: 'ORG_ERR_NATS_MESSAGE', message: expect.stringContaining(why) }));
  });

  it('refuses a body that is not UTF-8 JSON', () => {
    expect(() => decodeItem(new Uint8Array([0xff, 0xfe]), 'organism.x.egress')).toThrow(expect.objectContaining({ code: 'ORG_ERR_NATS_MESSAGE' }));
  });
});
