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
  it('leaves out an egress item\'s envelope that its meta and payload make, and reads it back whole', () => {
    const data = encodeItem(egressItem, 'S:1:0');
    const text = new TextDecoder().decode(data);
    expect(text).not.toContain('<message');
    const receipt = { hold() {}, release() {} };
    const { item, id } = decodeItem(data, 'organism.x.egress', receipt);
    expect(id).toBe('S:1:0');
    expect(item).toEqual({ ...egressItem, receipt });
  });

  it('writes an egress envelope the parts do not make once, and an item envelope that differs from its egress\'s', () => {
    const spaced = envelope.replace('<meta>', '<meta> ');
    const odd: TransportItem = { ...egressItem, envelope: spaced, egress: { ...egressItem.egress!, envelope: spaced } };
    const data = encodeItem(odd, 'S:1:1');
    expect(new TextDecoder().decode(data).split('<message').length - 1).toBe(1);
    const { item: back } = decodeItem(data, 'organism.x.egress');
    expect(back.envelope).toBe(spaced);
    expect(back.egress!.envelope).toBe(spaced);

    const item: TransportItem = { ...egressItem, envelope: envelope.replace('Hi', 'Ho') };
    const { item: differs } = decodeItem(encodeItem(item, 'S:2:0'), 'organism.x.egress');
    expect(differs.envelope).toBe(item.envelope);
    expect(differs.egress!.envelope).toBe(envelope);
  });

  const delivery: TransportItem = {
    envelope: '<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>user</from><to>greeter</to><thread>t1</thread></meta><g xmlns=""><n>W</n></g></message>',
    origin: 'external',
    identity: 'user',
    thread: 't1',
    built: { from: 'user', to: 'greeter', thread: 't1', tag: 'g', ns: '', payloadXml: '<g><n>W</n></g>' },
    delivery: { listener: 'greeter', chain: ['user', 'greeter'], respondTo: 'user', budget: { messages: 1, repeats: [['greeter\u00001', 1]] } },
  };

  it('leaves out a delivery\'s envelope that its built parts make, and keeps one they do not', () => {
    const data = encodeItem(delivery, 'u:0');
    expect(new TextDecoder().decode(data)).not.toContain('<message');
    expect(decodeItem(data, 'organism.x.deliver.greeter').item).toEqual(delivery);
    const kept = { ...delivery, envelope: (delivery.envelope as string).replace('<meta>', '<meta>\n') };
    const keptData = encodeItem(kept, 'u:1');
    expect(new TextDecoder().decode(keptData)).toContain('<message');
    expect(decodeItem(keptData, 'organism.x.deliver.greeter').item).toEqual(kept);
  });

  it('refuses a version 2 delivery whose built payload is not one element (nothing to make its envelope from)', () => {
    const body = { v: 2, id: 'u:2', origin: 'external', thread: 't1', built: { ...delivery.built, payloadXml: 'text' }, delivery: delivery.delivery };
    expect(() => decodeItem(encoder.encode(JSON.stringify(body)), 'organism.x.deliver.greeter')).toThrow(
      expect.objectContaining({ code: 'ORG_ERR_NATS_MESSAGE', message: expect.stringContaining('not one XML element') }),
    );
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
