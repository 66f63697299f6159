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

/**
 * Computes HMAC-SHA256(key, data) truncated: writes the first `out4.length` (4) bytes into `out4`. `out4` may
 * overlap the end of `data` (sealFrame writes the tag in place, so a preloaded module needs no scratch buffer):
 * an implementation reads all of `data` before it writes `out4`.
 */
export interface FrameMac {
  mac(key: Uint8Array, data: Uint8Array, out4: Uint8Array): void;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== MAC_KEY_BYTES) {
    const n = key instanceof Uint8Array ? key.length : typeof key;
    throw new ProtocolError("bad-key", `a MAC key is ${MAC_KEY_BYTES} bytes, got ${n}`, n);
  }
}

/**
 * Appends the MAC trailer to the frame encoded at out[start..end): sets the header's auth bit, computes the
 * MAC in place and returns the new end (end + 6). `out` needs 6 bytes of room after `end`. Two subarray
 * views per call are the only allocations.
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
  // The tag overwrites the counter's low half at end+2..end+4 after the MAC has read it (FrameMac's contract).
  mac.mac(key, out.subarray(start, end + 4), out.subarray(end + 2, end + 2 + MAC_BYTES));
  out[end] = (counter >>> 8) & 0xff;
  out[end + 1] = counter & 0xff;
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
 *
 * Replay protection is a sliding window (as IPsec's anti-replay window, RFC 4303 section 3.4.3): frames may
 * arrive out of counter order, because the node's outbox sends an alarm ahead of telemetry that queued
 * during an outage, and LoRaWAN and MQTT paths race. A counter is accepted once if it is above the highest
 * accepted one, or within `windowSize` below it and not seen yet; a counter seen before is
 * "replayed-counter"; one older than the window is "stale-counter" (it cannot be told from a replay, so
 * it is refused, and the error says so). A bad MAC is "bad-mac".
 *
 * The full 32-bit counter is rebuilt from its low 16 bits: first as the unique value in
 * (highest - windowSize, highest - windowSize + 65536], then one epoch later (a node up to 65535 frames
 * ahead after a long radio gap), then one epoch earlier (an old replay): at most 3 HMACs per frame.
 *
 * Pure code: persist `lastCounter()` and `restore()` it across restarts, or a restarted collector accepts
 * replays of frames it saw before. After `restore` the whole window counts as seen (the conservative choice:
 * a frame from before the restart that arrives late is refused as stale, never accepted twice).
 */
export interface FrameVerifierOptions {
  /** Counters tolerated out of order below the highest accepted one. Default 256. */
  windowSize?: number;
}

interface CounterState {
  highest: number;
  /** seen[c % windowSize] === c when counter c was accepted; -1 marks a slot as "seen" after restore. */
  seen: Float64Array;
  /** Counters at or below this are stale (before restore, or out of the window). */
  floor: number;
}

export class FrameVerifier {
  #mac: FrameMac;
  #keyFor: (nodeId: string) => Uint8Array | undefined;
  #state = new Map<string, CounterState>();
  readonly windowSize: number;

  constructor(
    mac: FrameMac,
    keyFor: (nodeId: string) => Uint8Array | undefined,
    options: FrameVerifierOptions = {},
  ) {
    const w = options.windowSize ?? 256;
    if (!Number.isInteger(w) || w < 1 || w > 0x8000) {
      throw new ProtocolError("out-of-range", `replay window must be an integer in 1..32768, got ${w}`, w);
    }
    this.#mac = mac;
    this.#keyFor = keyFor;
    this.windowSize = w;
  }

  /** The highest counter accepted from the node (persist it). */
  lastCounter(nodeId: string): number | undefined {
    return this.#state.get(nodeId)?.highest;
  }

  /** Resumes after a restart: counters up to `counter` count as used. */
  restore(nodeId: string, counter: number): void {
    const st = this.#stateFor(nodeId);
    st.highest = counter;
    st.floor = counter;
    st.seen.fill(-1);
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
    const st = this.#state.get(nodeId);
    const counter = this.#resolveCounter(nodeId, bytes, low16, st, key);
    const { frame } = decodeFrame(bytes);
    const s = st ?? this.#stateFor(nodeId);
    if (st === undefined || counter > s.highest) s.highest = counter;
    s.seen[counter % this.windowSize] = counter;
    return { frame, counter };
  }

  #stateFor(nodeId: string): CounterState {
    let st = this.#state.get(nodeId);
    if (!st) {
      st = { highest: -1, seen: new Float64Array(this.windowSize).fill(-2), floor: -1 };
      this.#state.set(nodeId, st);
    }
    return st;
  }

  /** Finds the full counter whose low 16 bits travelled, checks its MAC, then the replay window. */
  #resolveCounter(
    nodeId: string,
    bytes: Uint8Array,
    low16: number,
    st: CounterState | undefined,
    key: Uint8Array,
  ): number {
    const mac = this.#mac;
    if (st === undefined || st.highest < 0) {
      if (macMatches(bytes, low16, key, mac)) return low16;
      throw badMac(nodeId, bytes);
    }
    const w = this.windowSize;
    const base = st.highest - w + 1;
    const candidate = base + ((((low16 - base) % 0x10000) + 0x10000) % 0x10000);
    if (candidate >= 0 && candidate <= 0xffffffff && macMatches(bytes, candidate, key, mac)) {
      if (candidate > st.highest) return candidate;
      if (candidate <= st.floor || st.seen[candidate % w] === -1) throw stale(nodeId, candidate, st.highest);
      if (st.seen[candidate % w] === candidate) throw replayed(nodeId, candidate, st.highest);
      return candidate;
    }
    // A node far ahead (up to 65535 frames past the highest accepted: a long radio gap).
    const ahead = candidate + 0x10000;
    if (candidate <= st.highest && ahead <= 0xffffffff && macMatches(bytes, ahead, key, mac)) return ahead;
    // An old replay from the previous epoch. At most 3 HMACs per frame, so junk cannot make the verifier
    // work harder; a replay from further back is reported as bad-mac.
    const older = candidate - 0x10000;
    if (older >= 0 && macMatches(bytes, older, key, mac)) throw stale(nodeId, older, st.highest);
    throw badMac(nodeId, bytes);
  }
}

function replayed(nodeId: string, counter: number, highest: number): ProtocolError {
  return new ProtocolError(
    "replayed-counter",
    `replayed frame from node ${nodeId}: counter ${counter} was already accepted (highest accepted ${highest})`,
    counter,
  );
}

function stale(nodeId: string, counter: number, highest: number): ProtocolError {
  return new ProtocolError(
    "replayed-counter",
    `replayed frame from node ${nodeId}: counter ${counter} was already used or is older than the replay window (highest accepted ${highest})`,
    counter,
  );
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
