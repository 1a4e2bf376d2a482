export { natsTransport } from './natsTransport.js';
export type { NatsTransport, NatsTransportOptions, NatsTransportEvent } from './natsTransport.js';
export { natsSubjects } from './subjects.js';
export type { NatsSubjects } from './subjects.js';
