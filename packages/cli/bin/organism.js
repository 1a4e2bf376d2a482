#!/usr/bin/env node
// The organism command, from the package's build output (npm install builds it; see the README).
import '../dist/bin.js';
