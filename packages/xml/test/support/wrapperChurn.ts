// Run by libxml2Tuning.test under `node --trace-opt`: parses documents and walks their wrappers
// (each `root`/`firstChild` is a new XmlElement), the pattern that made V8 abort its compiles.
import { parseXml } from '@organism/xml';

const count = Number(process.argv[2] ?? 20_000);
let names = 0;
for (let i = 0; i < count; i++) {
  using parsed = parseXml(`<greeting><name>n${i}</name></greeting>`);
  const root = parsed.doc.root;
  if (root.firstChild !== null && root.name === 'greeting') names++;
}
if (names !== count) throw new Error(`walked ${names} of ${count} documents`);
