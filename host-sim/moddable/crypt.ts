/**
 * Host stand-in for Moddable's `crypt` Digest (modules/crypt), over node:crypto, so that the board's own
 * HMAC construction (firmware/node/runtime/board-crypto.ts) can be tested against a vetted HMAC on the host.
 * Node only (not bundled for XS).
 */
import { createHash, type Hash } from "node:crypto";

const NAMES = {
  MD5: "md5",
  SHA1: "sha1",
  SHA224: "sha224",
  SHA256: "sha256",
  SHA384: "sha384",
  SHA512: "sha512",
};

export class Digest {
  #algorithm: string;
  #hash: Hash;

  constructor(type: keyof typeof NAMES) {
    const name = NAMES[type];
    if (!name) throw new TypeError(`crypt: unsupported digest ${type}`);
    this.#algorithm = name;
    this.#hash = createHash(name);
  }

  write(message: string | ArrayBuffer): void {
    if (!(typeof message === "string" || message instanceof ArrayBuffer)) {
      // Moddable's declaration accepts only these two; catch firmware that passes a view.
      throw new TypeError("crypt: Digest.write takes a string or an ArrayBuffer");
    }
    this.#hash.update(typeof message === "string" ? message : new Uint8Array(message));
  }

  update(message: string | ArrayBuffer): void {
    this.write(message);
  }

  close(): ArrayBuffer {
    const out = this.#hash.digest();
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }

  reset(): void {
    this.#hash = createHash(this.#algorithm);
  }
}
