// The README's embedding example; test/readme.test.ts checks that the README shows this file
// verbatim and runs it. `npx tsx examples/embed.ts` runs it on the demo and prints the replies.
import { pathToFileURL } from 'node:url';
import { loadOrganism } from '@organism/core';

export async function main(file = 'organism.yaml'): Promise<string[]> {
  const org = await loadOrganism(file);
  const replies: string[] = [];
  org.messages$.subscribe((m) => console.log(`routed <${m.tag}> ${m.from} → ${m.listener}`));
  org.errors$.subscribe((e) => console.error(`${e.code}: ${e.message}`));
  org.egress$.subscribe((m) => replies.push(`${m.from}: ${m.payload}`));

  await org.send('greeter', '<greeting><name>World</name></greeting>', { from: 'user' });
  await org.send('researcher', '<question><a>6</a><b>7</b></question>', { from: 'user' });
  await org.whenIdle();
  await org.close();
  return replies;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(await main());
