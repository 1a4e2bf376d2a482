export { createOrganism } from './organism.js';
export type {
  Organism,
  OrganismOptions,
  OperatorHook,
  RoutedMessage,
  EgressMessage,
  OrganismErrorEvent,
  OrganismStats,
  HandlerCallEvent,
} from './organism.js';
export { loadOrganism } from './loadOrganism.js';
export { loadConfig, organismYamlSchema } from './config.js';
export type { LoadedConfig, LoadConfigOptions, OrganismYaml } from './config.js';
export type { OrganismPlugin, OrganismExtension, PluginConfigInput, PluginListener, PluginListenerParts, PluginSetup } from './plugin.js';
export { sendTo, respond, halt } from './handler.js';
export type { Handler, HandlerContext, HandlerResult, Emit, Addressed, Responded, Halted } from './handler.js';
export type { ListenerSpec } from './listener.js';
export type { Huh } from './huh.js';
export { HUH_TAG, SYSTEM_SENDER } from './huh.js';
export type { MessageState, StepName, Origin, Delivery } from './messageState.js';
export { STEP_NAMES } from './messageState.js';
export type { RoutingTable, Route, Target } from './routingTable.js';
export { memoryTransport } from './transport.js';
export type { Transport, TransportItem, TransportReceipt, BuiltEnvelope, RoutedDelivery, ThreadSnapshot, EgressItem } from './transport.js';
export { createKeyedSemaphore } from './keyedSemaphore.js';
export type { KeyedSemaphore } from './keyedSemaphore.js';
export type { ThreadScheduling } from './scheduler.js';
export { DEFAULT_BUDGETS } from './threadRegistry.js';
export type { ThreadBudgets } from './threadRegistry.js';
export { META_NS, DEFAULT_META_FLAGS } from './introspection.js';
export type { MetaFlags } from './introspection.js';
export { CORE_NS } from './steps/extractResponses.js';
// The standard steps as operators, for users composing their own pipelines and for tests.
export { repair } from './steps/repair.js';
export { canonicalize } from './steps/canonicalize.js';
export { validateEnvelope } from './steps/validateEnvelope.js';
export { extractPayload } from './steps/extractPayload.js';
export { assignThread, isUuidV4 } from './steps/assignThread.js';
export { route } from './steps/route.js';
export { validatePayload } from './steps/validatePayload.js';
export { deserialize } from './steps/deserialize.js';
export { dispatch } from './steps/dispatch.js';
export type { Call, Job, HandlerOutput, DispatchEnv, HandlerSettled } from './steps/dispatch.js';
export { extractResponses } from './steps/extractResponses.js';
export type { ResponseItem } from './steps/extractResponses.js';
export { envelope } from './steps/envelope.js';
export type { OutboundItem } from './steps/envelope.js';
// Re-exported so users need one import for the common case.
export { definePayload } from '@organism/schema';
export type { PayloadType, TypedPayload } from '@organism/schema';
export { OrganismError, ErrorCodes } from '@organism/xml';
export type { ErrorCode } from '@organism/xml';
