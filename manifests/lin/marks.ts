/**
 * Memory marks for the headless host of `npm run check:moddable` (scripts/moddable-check/host.c): on
 * Moddable's desktop build a module named `setup/...` runs before main (build/simulators/modules/screen.c),
 * so this one marks what the platform and the preloaded modules leave live before the node starts;
 * sim-board.ts marks around building the simulated board. A mark is `screen.postMessage("mark:<name>")`;
 * the host collects garbage and reports the live slots and chunks. Under mcsim it is a message nobody reads.
 */
export function mark(name: string): void {
  (globalThis as { screen?: { postMessage?(message: string): void } }).screen?.postMessage?.(`mark:${name}`);
}

export default function setup(done: () => void): void {
  mark("before-main");
  done();
}
