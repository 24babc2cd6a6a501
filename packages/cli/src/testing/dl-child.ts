/**
 * Test helper: the `dl` command run from the TypeScript sources in a child process (as
 * bin/dl.js runs dist/main.js), for tests that need a real process: signals, exit codes, and
 * plain Node speed for the report's Vega rendering.
 */
import { main } from '../main';

void main(process.argv.slice(2));
