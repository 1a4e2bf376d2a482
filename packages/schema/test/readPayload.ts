import { parseXml } from '@organism/xml';
import type { Contract } from '@organism/schema';

/** Parses `xml` (well-formed, no repairs expected) and reads its root through `contract.fromXml`. */
export function readPayload<T>(contract: Contract<T>, xml: string): T {
  const parsed = parseXml(xml);
  try {
    if (parsed.repairs.length > 0) throw new Error(`test input is not well-formed: ${parsed.repairs.join('; ')}`);
    return contract.fromXml(parsed.doc.root);
  } finally {
    parsed.dispose();
  }
}

/** The error `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
