export { createProgram } from './program.js';
export { runConsole, formatEgress, formatError } from './console.js';
export type { ConsoleOptions } from './console.js';
export type { CliIO } from './cliIO.js';
export { validateOrganism } from './validateCommand.js';
export type { ValidationReport } from './validateCommand.js';
export { listenerArtifact } from './schemaCommand.js';
export type { SchemaArtifact } from './schemaCommand.js';
