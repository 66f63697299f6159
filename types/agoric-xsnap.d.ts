// Minimal declaration of the part of npm @agoric/xsnap 0.15 that test/xs/harness.ts uses (the package
// ships JSDoc, not .d.ts). See node_modules/@agoric/xsnap/src/xsnap.js for the full option list.
declare module "@agoric/xsnap" {
  export function xsnap(options: {
    os: string;
    spawn: unknown;
    fs: unknown;
    name?: string;
    handleCommand?: (request: Uint8Array) => Promise<Uint8Array>;
    stdout?: "ignore" | "inherit" | "pipe";
    stderr?: "ignore" | "inherit" | "pipe";
    meteringLimit?: number;
  }): Promise<unknown>;
}
