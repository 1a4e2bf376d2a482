// Worker bootstrap: plain JavaScript, so it starts without a TypeScript loader. libxml2-wasm is
// loaded before tsx's loader is registered (its large module is then not transformed), as in the CLI.
import 'libxml2-wasm';
import { register } from 'tsx/esm/api';

register();
await import('./workerMain.ts');
