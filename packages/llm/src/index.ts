export { llmPlugin } from './llmPlugin.js';
export type { LlmPluginOptions, LlmExtension } from './llmPlugin.js';
export { createLlmRouter } from './router.js';
export type { LlmRouter, LlmRequest, LlmMessage, LlmStream, LlmCompletion, RouterOptions, RouterEvents, Strategy } from './router.js';
export type { BackendSpec } from './backendSpec.js';
export type { LlmClient, LlmClientRequest, LlmHandler, LlmHandlerContext } from './llmClient.js';
export type { LlmStats, TokenCounts } from './usage.js';
export { llmSectionSchema, listenerLlmSchema } from './llmConfig.js';
export type { Transcript } from './transcript.js';
