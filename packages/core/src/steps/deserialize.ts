import type { OperatorFunction } from 'rxjs';
import type { Contract } from '@organism/schema';
import type { Delivery, MessageState } from '../messageState.js';
import { syncStep } from './stepInternals.js';
import { requirePayloadElement } from './documentInternals.js';

/**
 * The typed value: from the payload text with the fast scanner; if that fails, from the libxml2
 * element, whose verdict (value or coded error) is the authoritative one.
 */
function read(state: MessageState, contract: Contract<unknown>): unknown {
  if (state.payloadXml !== undefined) {
    try {
      return contract.fromCanonicalXml(state.payloadXml);
    } catch {
      // fall through to the element
    }
  }
  return contract.fromXml(requirePayloadElement(state));
}

/** Step 8: turn the payload into each target's typed object through its zod schema. */
export function deserialize(): OperatorFunction<MessageState, MessageState> {
  return syncStep('deserialize', (state) => {
    if (state.route?.kind !== 'deliver') return;
    const targets = state.route.targets;
    if (targets.length === 1) {
      state.deliveries = [{ target: targets[0]!, value: read(state, targets[0]!.accepted.contract) }];
      return;
    }
    const byContract = new Map<unknown, unknown>();
    const deliveries: Delivery[] = [];
    for (const target of targets) {
      const contract = target.accepted.contract;
      if (!byContract.has(contract)) byContract.set(contract, read(state, contract));
      deliveries.push({ target, value: byContract.get(contract) });
    }
    state.deliveries = deliveries;
  });
}
