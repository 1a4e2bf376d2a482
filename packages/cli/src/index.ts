export { createProgram } from './program';
export { runConsole, formatEgress, formatError } from './console';
export type { ConsoleOptions } from './console';
