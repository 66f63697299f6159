/**
 * manifests/lin/flash.ts, Moddable's `flash` module for the desktop simulator, on Node: its Moddable imports
 * (`file`, `mc/config`) are replaced by an in-memory file system, so the NOR rules and the ESP32's refusals
 * are checked here, not only once a firmware engineer runs the lin build.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const files = vi.hoisted(() => new Map<string, Uint8Array>());

vi.mock("mc/config", () => ({ default: { file: { root: "/tmp/mw/" } } }));
vi.mock("file", () => {
  class File {
    readonly #path: string;
    position = 0;
    constructor(path: string, write = false) {
      this.#path = path;
      if (!files.has(path)) {
        if (!write) throw new Error(`file not found: ${path}`);
        files.set(path, new Uint8Array(0));
      }
    }
    static exists(path: string): boolean {
      return files.has(path);
    }
    get length(): number {
      return files.get(this.#path)!.length;
    }
    read(_type: ArrayBufferConstructor, count: number): ArrayBuffer {
      const data = files.get(this.#path)!;
      const out = data.slice(this.position, this.position + count);
      this.position += out.length;
      return out.buffer;
    }
    write(buffer: ArrayBuffer): void {
      const bytes = new Uint8Array(buffer);
      const old = files.get(this.#path)!;
      const end = Math.max(old.length, this.position + bytes.length);
      const next = new Uint8Array(end);
      next.set(old);
      next.set(bytes, this.position);
      files.set(this.#path, next);
      this.position += bytes.length;
    }
    close(): void {}
  }
  return { File };
});

/** The shim's surface (imported by a computed path: its Moddable imports have no host type declarations). */
type LinFlash = new (
  name: string,
) => {
  readonly byteLength: number;
  readonly blockSize: number;
  read(offset: number, byteLength: number): ArrayBuffer;
  write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void;
  erase(sector: number): void;
};
const shim = "../../manifests/lin/flash.js";
const Flash = ((await import(/* @vite-ignore */ shim)) as { default: LinFlash }).default;

describe("lin flash shim (manifests/lin/flash.ts)", () => {
  beforeEach(() => files.clear());

  it("a new partition is erased; writes only clear bits (NOR), as on the ESP32", () => {
    const f = new Flash("outbox");
    expect(f.byteLength).toBe(0x40000);
    expect(f.blockSize).toBe(4096);
    expect(Array.from(new Uint8Array(f.read(10, 3)))).toEqual([0xff, 0xff, 0xff]);
    f.write(10, 2, Uint8Array.of(0xf0, 0x0f).buffer);
    f.write(10, 2, Uint8Array.of(0x3c, 0xff).buffer);
    expect(Array.from(new Uint8Array(f.read(10, 3)))).toEqual([0x30, 0x0f, 0xff]);
    f.erase(0);
    expect(Array.from(new Uint8Array(f.read(10, 2)))).toEqual([0xff, 0xff]);
  });

  it('a 0-byte write throws Error "invalid" as the ESP32 flash module does, and changes nothing', () => {
    const f = new Flash("outbox");
    const before = files.get("/tmp/mw/minewatch-flash-outbox.bin")!.slice();
    expect(() => f.write(0, 0, new ArrayBuffer(4))).toThrow(
      /^invalid: flash write of 0 bytes at offset 0; the ESP32's flash module refuses a byteLength <= 0$/,
    );
    expect(() => f.write(4096, 0, new ArrayBuffer(0))).toThrow(/^invalid: flash write of 0 bytes/);
    expect(files.get("/tmp/mw/minewatch-flash-outbox.bin")).toEqual(before);
  });

  it('a buffer shorter than byteLength throws "invalid"; a typed array view writes its own bytes', () => {
    const f = new Flash("outbox");
    expect(() => f.write(0, 4, new ArrayBuffer(2))).toThrow(
      /^invalid: flash write of 4 bytes from a buffer of 2; .* shorter than byteLength$/,
    );
    const backing = Uint8Array.of(0xaa, 0x12, 0x34, 0xbb);
    f.write(100, 2, backing.subarray(1, 3));
    expect(Array.from(new Uint8Array(f.read(100, 2)))).toEqual([0x12, 0x34]);
  });

  it("a range past the partition is refused with the sizes", () => {
    const f = new Flash("outbox");
    expect(() => f.write(0x40000 - 1, 2, new ArrayBuffer(2))).toThrow(
      /exceeds the partition \(262144 bytes\)/,
    );
    expect(() => f.write(0, -1, new ArrayBuffer(2))).toThrow(RangeError);
  });
});
