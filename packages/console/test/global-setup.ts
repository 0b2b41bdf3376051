/** The browser tests serve the built console: build it first when it is missing or stale. */
import { ensureConsoleBuilt } from '../scripts/ensure-built.mjs';

export default function setup(): void {
  ensureConsoleBuilt();
}
