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
 * Counter resynchronisation (`resync`, the collector's side; SPEC.md "Counter resynchronisation"). Without
 * it, a collector with no saved counter accepts only counters below 65536 and a gap over 65535 frames locks
 * a node out; with it, a counter the verifier cannot place within `maxStep` of what it knows is found by a
 * bounded forward search over `epochs` epochs of 65536 and HELD (ProtocolError "held"), never accepted and
 * never moving the highest counter, until a second, different frame with a consistent counter (within the
 * window below it to `maxStep` above) confirms it; then both are accepted (`takeReleased` hands over the
 * held ones). So one forged frame can neither be accepted far ahead nor lock the real node out: only a
 * counter within `maxStep` of the highest is accepted on one frame, through one candidate (2^-32 a try).
 * A search costs up to `epochs` HMACs (4 on a known node's first failing frame) and runs on the first and
 * then every `searchEvery`-th consecutive failing frame. Bad MACs are counted per node (`badMacCount`).
 *
 * Pure code: persist `lastCounter()` and `restore()` it across restarts, or a restarted collector accepts
 * replays of frames it saw before. After `restore` the whole window counts as seen (the conservative choice:
 * a frame from before the restart that arrives late is refused as stale, never accepted twice).
 */
export interface FrameVerifierOptions {
  /** Counters tolerated out of order below the highest accepted one. Default 256. */
  windowSize?: number;
  /** Counter resynchronisation; off (undefined) for a node's downlink verifier. */
  resync?: ResyncOptions;
}

export interface ResyncOptions {
  /** Largest step above the highest accepted counter taken on one frame. Default 4096. */
  maxStep?: number;
  /** Epochs of 65536 counters searched forward. Default 1024 (counters below 2^26: 21 years at 10 s). */
  epochs?: number;
  /** A search on the first failing frame, then on every n-th consecutive failure. Default 8. */
  searchEvery?: number;
}

interface Held {
  counter: number;
  frame: Frame;
  bytes: Uint8Array;
}

/** A held frame that a later frame confirmed. */
export interface ReleasedFrame extends VerifiedFrame {
  bytes: Uint8Array;
}

interface CounterState {
  highest: number;
  /** seen[c % windowSize] === c when counter c was accepted; -1 marks a slot as "seen" after restore. */
  seen: Float64Array;
  /** Counters at or below this are stale (before restore, or out of the window). */
  floor: number;
  /** At most one frame held on a counter found by search or a jump: the anchor a second frame must confirm. */
  held: Held[];
  /** Confirmed held frames not yet taken (takeReleased). */
  released: ReleasedFrame[];
  /** Frames that failed since the last accepted or held one. */
  failures: number;
  badMacs: number;
}

const EPOCH = 0x10000;
/** Epochs searched on a known node's first failing frame. */
const NEAR_EPOCHS = 4;

export class FrameVerifier {
  #mac: FrameMac;
  #keyFor: (nodeId: string) => Uint8Array | undefined;
  #state = new Map<string, CounterState>();
  readonly windowSize: number;
  readonly #resync: Required<ResyncOptions> | undefined;

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
    if (options.resync) {
      const r = { maxStep: 4096, epochs: 1024, searchEvery: 8, ...options.resync };
      if (!Number.isInteger(r.maxStep) || r.maxStep < w || r.maxStep > EPOCH - w) {
        throw new ProtocolError(
          "out-of-range",
          `resync maxStep must be an integer in ${w}..${EPOCH - w}`,
          r.maxStep,
        );
      }
      if (!Number.isInteger(r.epochs) || r.epochs < 1 || r.epochs > EPOCH) {
        throw new ProtocolError("out-of-range", "resync epochs must be an integer in 1..65536", r.epochs);
      }
      if (!Number.isInteger(r.searchEvery) || r.searchEvery < 1) {
        throw new ProtocolError("out-of-range", "resync searchEvery must be an integer >= 1", r.searchEvery);
      }
      this.#resync = r;
    }
  }

  /** The highest counter accepted from the node (persist it). */
  lastCounter(nodeId: string): number | undefined {
    const h = this.#state.get(nodeId)?.highest;
    return h === undefined || h < 0 ? undefined : h;
  }

  /** Frames from the node that failed their MAC check, since this verifier started. */
  badMacCount(nodeId: string): number {
    return this.#state.get(nodeId)?.badMacs ?? 0;
  }

  /** Held frames that a later frame confirmed: accepted now, in counter order (then forgotten here). */
  takeReleased(nodeId: string): ReleasedFrame[] {
    const st = this.#state.get(nodeId);
    if (!st || st.released.length === 0) return [];
    const out = st.released;
    st.released = [];
    return out;
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
    const counter = this.#resync
      ? this.#resolveResync(nodeId, bytes, low16, this.#stateFor(nodeId), key)
      : this.#resolveCounter(nodeId, bytes, low16, st, key);
    const { frame } = decodeFrame(bytes);
    const s = st ?? this.#stateFor(nodeId);
    this.#accept(s, counter);
    return { frame, counter };
  }

  #accept(s: CounterState, counter: number): void {
    if (counter > s.highest) s.highest = counter;
    s.seen[counter % this.windowSize] = counter;
    s.failures = 0;
  }

  #stateFor(nodeId: string): CounterState {
    let st = this.#state.get(nodeId);
    if (!st) {
      st = {
        highest: -1,
        seen: new Float64Array(this.windowSize).fill(-2),
        floor: -1,
        held: [],
        released: [],
        failures: 0,
        badMacs: 0,
      };
      this.#state.set(nodeId, st);
    }
    return st;
  }

  /** The window check for a counter whose MAC matched, at or below highest + maxStep. */
  #windowed(nodeId: string, st: CounterState, candidate: number): number {
    const w = this.windowSize;
    if (candidate > st.highest) return candidate;
    if (candidate <= st.floor || st.seen[candidate % w] === -1) throw stale(nodeId, candidate, st.highest);
    if (st.seen[candidate % w] === candidate) throw replayed(nodeId, candidate, st.highest);
    return candidate;
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
      throw this.#badMac(nodeId, bytes, st);
    }
    const w = this.windowSize;
    const base = st.highest - w + 1;
    const candidate = base + ((((low16 - base) % EPOCH) + EPOCH) % EPOCH);
    if (candidate >= 0 && candidate <= 0xffffffff && macMatches(bytes, candidate, key, mac)) {
      return this.#windowed(nodeId, st, candidate);
    }
    // A node far ahead (up to 65535 frames past the highest accepted: a long radio gap).
    const ahead = candidate + EPOCH;
    if (candidate <= st.highest && ahead <= 0xffffffff && macMatches(bytes, ahead, key, mac)) return ahead;
    // An old replay from the previous epoch. At most 3 HMACs per frame, so junk cannot make the verifier
    // work harder; a replay from further back is reported as bad-mac.
    const older = candidate - EPOCH;
    if (older >= 0 && macMatches(bytes, older, key, mac)) throw stale(nodeId, older, st.highest);
    throw this.#badMac(nodeId, bytes, st);
  }

  /** #resolveCounter with resynchronisation: far counters are held until a second frame confirms them. */
  #resolveResync(
    nodeId: string,
    bytes: Uint8Array,
    low16: number,
    st: CounterState,
    key: Uint8Array,
  ): number {
    const r = this.#resync!;
    const mac = this.#mac;
    const w = this.windowSize;
    if (st.highest < 0) {
      // No state: the first epoch is taken as before (one candidate), anything later needs confirmation.
      if (macMatches(bytes, low16, key, mac)) return low16;
    } else {
      const base = st.highest - w + 1;
      const candidate = base + ((((low16 - base) % EPOCH) + EPOCH) % EPOCH);
      if (candidate >= 0 && candidate <= 0xffffffff && macMatches(bytes, candidate, key, mac)) {
        if (candidate <= st.highest + r.maxStep) return this.#windowed(nodeId, st, candidate);
        return this.#hold(nodeId, st, candidate, bytes);
      }
      const older = candidate - EPOCH;
      if (older >= 0 && older > st.highest - EPOCH && macMatches(bytes, older, key, mac)) {
        throw stale(nodeId, older, st.highest);
      }
    }
    // Against the held anchor: the counter nearest it with these low 16 bits (one HMAC).
    const anchor = st.held[0];
    if (anchor) {
      const base = anchor.counter - w + 1;
      const near = base + ((((low16 - base) % EPOCH) + EPOCH) % EPOCH);
      if (near <= anchor.counter + r.maxStep && near <= 0xffffffff && macMatches(bytes, near, key, mac)) {
        return this.#hold(nodeId, st, near, bytes);
      }
    }
    // A bounded forward search beyond what one frame may step, on the first failing frame and every n-th
    // consecutive one after: all `epochs` for a node with no state, and on every n-th failure; the next
    // NEAR_EPOCHS for a known node's first failure (a gap of up to about 4 x 65536 frames, found at once).
    st.failures++;
    const full = (st.failures - 1) % r.searchEvery === 0;
    if (full || st.failures === 1) {
      const epochs = full && (st.highest < 0 || st.failures > 1) ? r.epochs : Math.min(NEAR_EPOCHS, r.epochs);
      const from = st.highest < 0 ? EPOCH : st.highest + r.maxStep + 1;
      let c = from + ((((low16 - from) % EPOCH) + EPOCH) % EPOCH);
      for (let e = 0; e < epochs && c <= 0xffffffff; e++, c += EPOCH) {
        if (macMatches(bytes, c, key, mac)) return this.#hold(nodeId, st, c, bytes);
      }
    }
    throw this.#badMac(nodeId, bytes, st);
  }

  /**
   * Holds a frame on `counter` as the anchor (replacing an anchor it does not fit; a re-send of the anchor
   * keeps it), or, when it confirms the anchor (a different counter from the window below it to maxStep
   * above), accepts the anchor (takeReleased) and this frame.
   */
  #hold(nodeId: string, st: CounterState, counter: number, bytes: Uint8Array): number {
    const r = this.#resync!;
    const anchor = st.held[0];
    st.failures = 0;
    if (
      anchor !== undefined &&
      counter !== anchor.counter &&
      counter > anchor.counter - this.windowSize &&
      counter <= anchor.counter + r.maxStep
    ) {
      st.held = [];
      // A jump past the window: the slots of the old window (or of a restore) say nothing about the new one.
      if (Math.min(anchor.counter, counter) > st.highest + this.windowSize) st.seen.fill(-2);
      if (st.seen[anchor.counter % this.windowSize] !== anchor.counter) {
        this.#accept(st, anchor.counter);
        st.released.push({ frame: anchor.frame, counter: anchor.counter, bytes: anchor.bytes });
      }
      if (st.seen[counter % this.windowSize] === counter) throw replayed(nodeId, counter, st.highest);
      return counter;
    }
    if (anchor === undefined || counter !== anchor.counter)
      st.held = [{ counter, frame: decodeFrame(bytes).frame, bytes: bytes.slice() }];
    const where =
      st.highest < 0
        ? "beyond the first 65536 and this collector has no counter for the node"
        : `more than ${r.maxStep} past the highest accepted ${st.highest}`;
    throw new ProtocolError(
      "held",
      `frame from node ${nodeId} held: counter ${counter} is ${where}; a second frame must confirm it`,
      counter,
    );
  }

  #badMac(nodeId: string, bytes: Uint8Array, st: CounterState | undefined): ProtocolError {
    if (st) st.badMacs++;
    return badMac(nodeId, bytes);
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
