/**
 * End-to-end frame authentication: 6 bytes on the wire (the frame counter's low 16 bits + a 4-byte MAC).
 *
 * MAC = first 4 bytes of HMAC-SHA256(key, header || body || counter32), key 128 bits, one per node. The
 * header is covered (its auth bit included) so type and version cannot be swapped; the full 32-bit counter
 * is covered although only 16 bits travel (as LoRaWAN does with FCnt), so a frame replayed after the low
 * 16 bits wrap still fails. 4 bytes give a 2^-32 chance per forged frame, the same as LoRaWAN's MIC.
 * HMAC-SHA256 because the board has it natively (Moddable `crypt`: Digest("SHA256") and HMAC) and the host
 * has a vetted library (@noble/hashes); the MAC itself is injected (FrameMac), so protocol/ holds no crypto.
 */
import { decodeFrame, readHeader } from "./decode.js";
import { ProtocolError } from "./errors.js";
import type { Frame } from "./frames.js";
import { HEADER_AUTH_BIT, MAC_BYTES, MAC_KEY_BYTES, TRAILER_BYTES } from "./schema.js";

/** Computes HMAC-SHA256(key, data) truncated: writes the first `out4.length` (4) bytes into `out4`. */
export interface FrameMac {
  mac(key: Uint8Array, data: Uint8Array, out4: Uint8Array): void;
}

const tagScratch = new Uint8Array(MAC_BYTES);

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== MAC_KEY_BYTES) {
    const n = key instanceof Uint8Array ? key.length : typeof key;
    throw new ProtocolError("bad-key", `a MAC key is ${MAC_KEY_BYTES} bytes, got ${n}`, n);
  }
}

/**
 * Appends the MAC trailer to the frame encoded at out[start..end): sets the header's auth bit, computes the
 * MAC in place and returns the new end (end + 6). `out` needs 6 bytes of room after `end`. One subarray
 * view per call is the only allocation.
 */
export function sealFrame(
  out: Uint8Array,
  start: number,
  end: number,
  counter: number,
  key: Uint8Array,
  mac: FrameMac,
): number {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
    throw new ProtocolError(
      "out-of-range",
      `frame counter must be an integer in 0..4294967295, got ${counter}`,
      counter,
    );
  }
  checkKey(key);
  if (end + TRAILER_BYTES > out.length) {
    throw new ProtocolError(
      "no-room",
      `output buffer of ${out.length} bytes has no room for the MAC trailer (needs ${end + TRAILER_BYTES})`,
      out.length,
    );
  }
  out[start] = out[start]! | HEADER_AUTH_BIT;
  writeCounter32(out, end, counter);
  mac.mac(key, out.subarray(start, end + 4), tagScratch);
  out[end] = (counter >>> 8) & 0xff;
  out[end + 1] = counter & 0xff;
  out.set(tagScratch, end + 2);
  return end + TRAILER_BYTES;
}

function writeCounter32(out: Uint8Array, at: number, counter: number): void {
  out[at] = counter >>> 24;
  out[at + 1] = (counter >>> 16) & 0xff;
  out[at + 2] = (counter >>> 8) & 0xff;
  out[at + 3] = counter & 0xff;
}

/** True when the frame's MAC matches `counter` (full 32 bits) under `key`. */
export function macMatches(bytes: Uint8Array, counter: number, key: Uint8Array, mac: FrameMac): boolean {
  const bodyEnd = bytes.length - TRAILER_BYTES;
  const data = new Uint8Array(bodyEnd + 4);
  data.set(bytes.subarray(0, bodyEnd));
  writeCounter32(data, bodyEnd, counter);
  const tag = new Uint8Array(MAC_BYTES);
  mac.mac(key, data, tag);
  let diff = 0;
  for (let i = 0; i < MAC_BYTES; i++) diff |= tag[i]! ^ bytes[bodyEnd + 2 + i]!;
  return diff === 0;
}

export interface VerifiedFrame {
  frame: Frame;
  /** The full 32-bit frame counter, reconstructed from its low 16 bits. */
  counter: number;
}

/**
 * The collector's (or the node's, for downlinks) gate: checks the MAC, then the counter, then decodes.
 * Keeps the last accepted counter per node; rejects a bad MAC ("bad-mac") and a counter at or below the
 * last accepted one ("replayed-counter"), saying which. Pure code: persist `lastCounter()` and `restore()`
 * it across restarts, or a restarted collector accepts replays of frames it saw before.
 */
export class FrameVerifier {
  #mac: FrameMac;
  #keyFor: (nodeId: string) => Uint8Array | undefined;
  #last = new Map<string, number>();

  constructor(mac: FrameMac, keyFor: (nodeId: string) => Uint8Array | undefined) {
    this.#mac = mac;
    this.#keyFor = keyFor;
  }

  lastCounter(nodeId: string): number | undefined {
    return this.#last.get(nodeId);
  }

  restore(nodeId: string, counter: number): void {
    this.#last.set(nodeId, counter);
  }

  verify(nodeId: string, bytes: Uint8Array): VerifiedFrame {
    const header = readHeader(bytes);
    const key = this.#keyFor(nodeId);
    if (!key) throw new ProtocolError("unauthenticated", `no MAC key for node ${nodeId}`, nodeId);
    checkKey(key);
    if (!header.authenticated) {
      throw new ProtocolError(
        "unauthenticated",
        `${header.spec.name} frame from node ${nodeId} carries no MAC`,
        nodeId,
      );
    }
    const low16 = (bytes[header.bodyEnd]! << 8) | bytes[header.bodyEnd + 1]!;
    const last = this.#last.get(nodeId);
    const counter = this.#resolveCounter(nodeId, bytes, low16, last, key);
    const { frame } = decodeFrame(bytes);
    this.#last.set(nodeId, counter);
    return { frame, counter };
  }

  /**
   * Finds the full counter: the smallest value above the last accepted one with these low 16 bits, if the
   * MAC matches it; otherwise, if the MAC matches an already-used counter with these bits, a replay.
   */
  #resolveCounter(
    nodeId: string,
    bytes: Uint8Array,
    low16: number,
    last: number | undefined,
    key: Uint8Array,
  ): number {
    const mac = this.#mac;
    if (last === undefined) {
      if (macMatches(bytes, low16, key, mac)) return low16;
      throw badMac(nodeId, bytes);
    }
    const epoch = last - (last % 0x10000);
    const sameEpoch = epoch + low16;
    const next = sameEpoch > last ? sameEpoch : sameEpoch + 0x10000;
    if (next <= 0xffffffff && macMatches(bytes, next, key, mac)) return next;
    // A replay: the MAC matches an earlier counter with these low bits. Two earlier epochs are tried (at
    // most 3 HMACs per frame, so a flood of junk cannot make the verifier work harder); an older replay
    // is still rejected, as bad-mac.
    for (let used = next - 0x10000; used >= 0 && used >= next - 0x20000; used -= 0x10000) {
      if (macMatches(bytes, used, key, mac)) {
        throw new ProtocolError(
          "replayed-counter",
          `replayed frame from node ${nodeId}: counter ${used} was already used (last accepted ${last})`,
          used,
        );
      }
    }
    throw badMac(nodeId, bytes);
  }
}

function badMac(nodeId: string, bytes: Uint8Array): ProtocolError {
  let tag = "";
  for (let i = bytes.length - MAC_BYTES; i < bytes.length; i++)
    tag += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return new ProtocolError(
    "bad-mac",
    `bad MAC ${tag} on frame from node ${nodeId} (wrong key, or altered)`,
    tag,
  );
}
