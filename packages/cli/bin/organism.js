#!/usr/bin/env node
// Runs the TypeScript CLI without a build step. libxml2-wasm is plain JavaScript: load it before
// tsx's loader is registered, so its large module is not transformed (that costs ~150 MB of RSS).
import 'libxml2-wasm';
import { register } from 'tsx/esm/api';
register();
await import('../src/bin.ts');
