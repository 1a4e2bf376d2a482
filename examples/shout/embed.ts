import { createOrganism } from '@organism/core';
import { Shout, shout } from './shout.js';

const org = createOrganism({
  name: 'shouting',
  listeners: [{ name: 'shouter', payload: Shout, handler: shout, description: 'Shouts the text back, up to three times' }],
});

org.messages$.subscribe((m) => console.log(`routed <${m.tag}> ${m.from} → ${m.listener}`, m.value));
org.egress$.subscribe((m) => console.log(`egress ${m.from} → ${m.to}: ${m.payload}`));
org.errors$.subscribe((e) => console.log(`error ${e.code} at ${e.step}: ${e.message}`));

await org.send('shouter', '<shout><text>hello</text><times>2</times></shout>');
await org.inject(
  '<message xmlns="https://xml-pipeline.org/ns/envelope/v1">' +
    '<meta><from>alice</from><to>shouter</to><thread>2b7e4f0a-9c1d-4e8b-a3f5-6d0c1b2a3e4f</thread></meta>' +
    '<shout xmlns=""><text>hi</text></shout>' +
    '</message>',
);
await org.whenIdle();
console.log(org.stats());
await org.close();
