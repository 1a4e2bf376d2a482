export { createProgram } from './program';
export { runConsole, formatEgress, formatError } from './console';
export type { ConsoleOptions } from './console';
export type { CliIO } from './cliIO';
export { validateOrganism } from './validateCommand';
export type { ValidationReport } from './validateCommand';
export { listenerArtifact } from './schemaCommand';
export type { SchemaArtifact } from './schemaCommand';
