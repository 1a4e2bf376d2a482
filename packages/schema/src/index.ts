export { definePayload, isPayloadType, isTypedPayload, type PayloadType, type TypedPayload } from './definePayload.js';
export { compileContract, type Contract } from './compileContract.js';
export type { FieldDoc } from './fieldDocs.js';
