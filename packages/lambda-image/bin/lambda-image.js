#!/usr/bin/env node
// A fixed file for npm to link (the compiled dist/ does not exist until the package is built).
import '../dist/cli.js';
