/**
 * Stand-ins for the Moddable modules that only firmware/main.ts imports and that the XS harness has no shim
 * for (the device provider, key-value storage, flash, the manifest's config, native crypto). They let the
 * target-rules test load every firmware module on XS; nothing here is called: main() is not run there.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the module-loading test`);
}
export default Object.freeze({
  open: () => unavailable("open"),
});
export class Digest {
  constructor() {
    unavailable("crypt Digest");
  }
}
