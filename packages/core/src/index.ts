export { createOrganism } from './organism';
export type {
  Organism,
  OrganismOptions,
  OperatorHook,
  RoutedMessage,
  EgressMessage,
  OrganismErrorEvent,
  OrganismStats,
  HandlerCallEvent,
} from './organism';
export { loadOrganism } from './loadOrganism';
export { loadConfig, organismYamlSchema } from './config';
export type { LoadedConfig, OrganismYaml } from './config';
export { sendTo, respond, halt } from './handler';
export type { Handler, HandlerContext, HandlerResult, Emit, Addressed, Responded, Halted } from './handler';
export type { ListenerSpec } from './listener';
export type { Huh } from './huh';
export { HUH_TAG, SYSTEM_SENDER } from './huh';
export type { MessageState, StepName, Origin, Delivery } from './messageState';
export { STEP_NAMES } from './messageState';
export type { RoutingTable, Route, Target } from './routingTable';
export { memoryTransport } from './transport';
export type { Transport, TransportItem } from './transport';
export { createKeyedSemaphore } from './keyedSemaphore';
export type { KeyedSemaphore } from './keyedSemaphore';
export type { ThreadScheduling } from './scheduler';
export { DEFAULT_BUDGETS } from './threadRegistry';
export type { ThreadBudgets } from './threadRegistry';
export { META_NS, DEFAULT_META_FLAGS } from './introspection';
export type { MetaFlags } from './introspection';
export { CORE_NS } from './steps/extractResponses';
// The standard steps as operators, for users composing their own pipelines and for tests.
export { repair } from './steps/repair';
export { canonicalize } from './steps/canonicalize';
export { validateEnvelope } from './steps/validateEnvelope';
export { extractPayload } from './steps/extractPayload';
export { assignThread, isUuidV4 } from './steps/assignThread';
export { route } from './steps/route';
export { validatePayload } from './steps/validatePayload';
export { deserialize } from './steps/deserialize';
export { dispatch } from './steps/dispatch';
export type { Call, Job, HandlerOutput, DispatchEnv, HandlerSettled } from './steps/dispatch';
export { extractResponses } from './steps/extractResponses';
export type { ResponseItem } from './steps/extractResponses';
export { envelope } from './steps/envelope';
export type { OutboundItem } from './steps/envelope';
// Re-exported so users need one import for the common case.
export { definePayload } from '@organism/schema';
export type { PayloadType, TypedPayload } from '@organism/schema';
export { OrganismError, ErrorCodes } from '@organism/xml';
export type { ErrorCode } from '@organism/xml';
