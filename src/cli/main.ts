#!/usr/bin/env node
/**
 * The `blosc-ts` command line (see run.ts for the commands and `blosc-ts --help`).
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
