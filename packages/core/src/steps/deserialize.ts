import type { OperatorFunction } from 'rxjs';
import type { Delivery, MessageState } from '../messageState';
import { syncStep } from './stepInternals';
import { requirePayloadElement } from './documentInternals';

/** Step 8: turn the payload into each target's typed object through its zod schema. */
export function deserialize(): OperatorFunction<MessageState, MessageState> {
  return syncStep('deserialize', (state) => {
    if (state.route?.kind !== 'deliver') return;
    const element = requirePayloadElement(state);
    const byContract = new Map<unknown, unknown>();
    const deliveries: Delivery[] = [];
    for (const target of state.route.targets) {
      const contract = target.accepted.contract;
      if (!byContract.has(contract)) byContract.set(contract, contract.fromXml(element));
      deliveries.push({ target, value: byContract.get(contract) });
    }
    state.deliveries = deliveries;
  });
}
