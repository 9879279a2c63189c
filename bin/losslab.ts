#!/usr/bin/env node
// The losslab executable: only calls main(argv) and sets the exit code.
import { main } from '../src/cli/main';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
