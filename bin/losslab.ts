#!/usr/bin/env node
// The losslab executable: only calls main(argv) and sets the exit code (and survives a closed output pipe).
import { main } from '../src/cli/main';
import { tolerateClosedOutput } from '../src/io';

tolerateClosedOutput();

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
