// Run by typeScriptModules.test.ts with plain node: @organism/core from its build output (dist/)
// loads organism.yaml, which names a .ts module; Node 20 needs tsx's loader for it.
import * as core from '@organism/core';

const org = await core.loadOrganism(new URL('./organism.yaml', import.meta.url).pathname);
const replies = [];
org.egress$.subscribe((m) => replies.push(m.payload));
await org.send('greeter', '<greeting><name>TS</name></greeting>', { from: 'user' });
await org.whenIdle();
await org.close();
console.log(replies.join('\n'));
console.log(`same core: ${globalThis.tsModuleCore === core}`);
console.log(`core from: ${import.meta.resolve('@organism/core').replace(/.*\/packages\//, 'packages/')}`);
