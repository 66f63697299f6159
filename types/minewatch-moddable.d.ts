// Declarations for Moddable module names that npm @moddable/typings 5.6.0 does not declare, written from
// Moddable's documentation and the ECMA-419 spec.
// Keep each one to the surface minewatch uses.

/**
 * ECMA-419 3rd edition, "Key-Value Storage" (embedded:storage/key-value): a domain of string keys holding
 * strings or binary values. Moddable implements it over NVS on ESP32 (to be checked against the ECMA-419 3rd-edition text before the runtime relies on it).
 */
declare module "embedded:storage/key-value" {
  export interface KeyValueOptions {
    path: string;
    format?: "string" | "buffer";
  }
  export default class KeyValue {
    constructor(options: KeyValueOptions);
    read(key: string): string | ArrayBuffer | undefined;
    write(key: string, value: string | ArrayBuffer): void;
    delete(key: string): void;
    close(): void;
    format: "string" | "buffer";
  }
}
