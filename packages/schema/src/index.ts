export { definePayload, isPayloadType, isTypedPayload, type PayloadType, type TypedPayload } from './definePayload';
export { compileContract, type Contract } from './compileContract';
export type { FieldDoc } from './fieldDocs';
