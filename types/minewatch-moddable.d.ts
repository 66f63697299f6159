// Declarations for Moddable module names that npm @moddable/typings 5.6.0 does not declare. Written from
// Moddable's documentation and checked against the declarations that Moddable SDK 8.2.3 itself compiles
// with (its typings/ folder): `mcconfig` type-checks our .ts against Moddable's, so these must not be looser.
// Keep each one to the surface minewatch uses.

/**
 * ECMA-419 3rd edition "Key-Value Storage": `KeyValueStorage.open({ path, format })` returns a Storage
 * (there is no constructor). Moddable implements it over NVS on ESP32 (modules/io/storage).
 */
declare module "embedded:storage/key-value" {
  export type StorageFormat =
    | "buffer"
    | "string"
    | "uint8"
    | "int8"
    | "uint16"
    | "int16"
    | "uint32"
    | "int32"
    | "uint64"
    | "int64";
  export interface StorageOpenOptions {
    path: string;
    format?: StorageFormat;
    mode?: "r" | "r+";
  }
  export interface Storage {
    read(key: string): ArrayBuffer | string | number | bigint | undefined;
    write(key: string, value: ArrayBuffer | ArrayBufferView | string | number | bigint): void;
    delete(key: string): void;
    close(): void;
    format: StorageFormat;
  }
  const KeyValueStorage: {
    open(options: StorageOpenOptions): Storage;
  };
  export default KeyValueStorage;
}

/**
 * Moddable's `crypt` module (modules/crypt): Digest("SHA256") etc. Moddable's declaration types `write`
 * as taking a string or an ArrayBuffer only, so firmware passes ArrayBuffers (no typed-array views).
 */
declare module "crypt" {
  export type DigestType = "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512";
  export class Digest {
    constructor(type: DigestType);
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
  }
}
