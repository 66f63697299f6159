// Moddable's `crypt` module (modules/crypt in the Moddable SDK; npm @moddable/typings 5.6.0 does not
// declare it): the surface firmware/main.ts uses. Digest("SHA256"): write() any number of times, close()
// returns the digest as an ArrayBuffer.
declare module "crypt" {
  export class Digest {
    constructor(algorithm: "SHA1" | "SHA256" | "SHA512" | "MD5");
    write(data: ArrayBuffer | ArrayBufferView): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
