/**
 * Downlinks (config change, alarm acknowledge, time sync), verified before anything is applied: MAC and
 * counter (protocol/auth.ts FrameVerifier), the accepted counter persisted so a replay after a reboot is
 * still refused. Each is acknowledged by an uplink: a config change by a birth frame whose configHash is
 * the configuration now in force (the new one, or the old one when refused; a refused one is first answered
 * at once by a config-refused frame naming the parameter and the reason), an alarm
 * acknowledge by an alarm frame with the channel's resulting level, a time sync by a status frame.
 * The handler verifies, counts and dispatches; what a downlink does is the node's (DownlinkActions).
 */
import { FrameVerifier } from "../../../protocol/auth.js";
import type { ConfigFrame, DownlinkFrame } from "../../../protocol/frames.js";
import { ConfigRefusal, FrameType } from "../../../protocol/schema.js";
import { KEY_DOWNLINK_COUNTER, readU32, writeU32 } from "../storage.js";
import { ConfigRefusedError, RuntimeError } from "./errors.js";
import type { NodeRuntimeOptions } from "./options.js";

/** The verifier's name for this node's own downlink counter. */
const NODE_LABEL = "self";

/**
 * What a verified downlink does on the node, and what the handler needs to verify one. The runtime passes
 * itself, seen through this interface (no object is made for it: the heap budget counts).
 */
export interface DownlinkActions {
  readonly options: Pick<NodeRuntimeOptions, "mac" | "key" | "storage" | "clock">;
  /**
   * Validates, applies and persists a config change; throws (with the reason) to refuse it. `allowLooser`:
   * the set-points may be looser than the profile (a provisioning record's override; never a downlink).
   */
  changeConfig(frame: ConfigFrame, allowLooser: boolean): void;
  /** Reports the configuration now in force (a birth frame). */
  reportConfig(): void;
  /**
   * Answers a refused config downlink at once (a config-refused frame): its revision, the parameter (-1:
   * none named), the ConfigRefusal reason and the refused raw value (NaN: none).
   */
  reportRefusal(revision: number, param: number, reason: number, raw: number): void;
  acknowledgeAlarm(ch: number, now: number): void;
  /** Unix time minus clock time, ms, from a time sync (answered by a status frame). */
  timeSync(unixOffsetMs: number): void;
}

export class DownlinkHandler {
  accepted = 0;
  rejected = 0;
  configRefused = 0;
  lastError = "";
  #verifier: FrameVerifier;
  #actions: DownlinkActions;

  constructor(actions: DownlinkActions) {
    const { mac, key, storage } = actions.options;
    this.#actions = actions;
    this.#verifier = new FrameVerifier(mac, () => key);
    const dl = readU32(storage, KEY_DOWNLINK_COUNTER);
    if (dl !== undefined) this.#verifier.restore(NODE_LABEL, dl);
  }

  /** A downlink as the transport delivered it: (topic / port frame type, sealed bytes). */
  onDownlink(frameType: number, bytes: Uint8Array): void {
    let frame: DownlinkFrame;
    try {
      const v = this.#verifier.verify(NODE_LABEL, bytes);
      if (v.frame.type !== frameType) {
        throw new RuntimeError(
          "bad-downlink",
          `downlink on the ${frameType} topic holds a type ${v.frame.type} frame`,
          v.frame.type,
        );
      }
      frame = v.frame as DownlinkFrame;
      writeU32(this.#actions.options.storage, KEY_DOWNLINK_COUNTER, v.counter);
    } catch (e) {
      this.rejected++;
      this.lastError = (e as Error).message;
      return;
    }
    this.accepted++;
    const now = this.#actions.options.clock.now();
    switch (frame.type) {
      case FrameType.Config:
        this.#apply(frame, false, true);
        return;
      case FrameType.AlarmAck:
        this.#actions.acknowledgeAlarm(frame.channel, now);
        return;
      case FrameType.TimeSync:
        this.#actions.timeSync(frame.unixS * 1000 + frame.millis - now);
        return;
    }
  }

  /** Applies a config change, or refuses it with a reason; either way a birth frame reports the hash. */
  applyConfig(frame: ConfigFrame, allowLooser = false): void {
    this.#apply(frame, allowLooser, false);
  }

  /** `answer`: a refusal is answered by a config-refused frame (a downlink; the console has its own reply). */
  #apply(frame: ConfigFrame, allowLooser: boolean, answer: boolean): void {
    try {
      this.#actions.changeConfig(frame, allowLooser);
    } catch (e) {
      this.configRefused++;
      this.lastError = (e as Error).message;
      if (answer) {
        if (e instanceof ConfigRefusedError) {
          this.#actions.reportRefusal(frame.revision, e.param, e.reason, e.raw);
        } else {
          this.#actions.reportRefusal(frame.revision, -1, ConfigRefusal.Other, Number.NaN);
        }
      }
    }
    this.#actions.reportConfig();
  }
}
