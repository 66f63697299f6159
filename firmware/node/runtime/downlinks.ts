/**
 * Downlinks (config change, alarm acknowledge, time sync), verified before anything is applied: MAC and
 * counter (protocol/auth.ts FrameVerifier), the accepted counter persisted so a replay after a reboot is
 * still refused. Each is acknowledged by an uplink: a config change by a birth frame whose configHash is
 * the configuration now in force (the new one, or the old one when refused with a reason), an alarm
 * acknowledge by an alarm frame with the channel's resulting level, a time sync by a status frame.
 * The counters and the last error live on the runtime (status, console, tests read them there).
 */
import { type FrameMac, FrameVerifier } from "../../../protocol/auth.js";
import type { ConfigFrame, DownlinkFrame } from "../../../protocol/frames.js";
import { FrameType } from "../../../protocol/schema.js";
import type { NodeRuntime } from "../runtime.js";
import { applyEntries, encodeConfig, Param } from "./config.js";
import { RuntimeError } from "./errors.js";
import { KEY_CONFIG, KEY_DOWNLINK_COUNTER, readU32, writeU32 } from "./storage.js";

/** The verifier's name for this node's own downlink counter. */
const NODE_LABEL = "self";

export class DownlinkHandler {
  #rt: NodeRuntime;
  #verifier: FrameVerifier;

  constructor(rt: NodeRuntime, mac: FrameMac, key: Uint8Array) {
    this.#rt = rt;
    this.#verifier = new FrameVerifier(mac, () => key);
    const dl = readU32(rt.options.storage, KEY_DOWNLINK_COUNTER);
    if (dl !== undefined) this.#verifier.restore(NODE_LABEL, dl);
  }

  /** A downlink as the transport delivered it: (topic / port frame type, sealed bytes). */
  onDownlink(frameType: number, bytes: Uint8Array): void {
    const rt = this.#rt;
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
      writeU32(rt.options.storage, KEY_DOWNLINK_COUNTER, v.counter);
    } catch (e) {
      rt.downlinksRejected++;
      rt.lastDownlinkError = (e as Error).message;
      return;
    }
    rt.downlinksAccepted++;
    const now = rt.options.clock.now();
    switch (frame.type) {
      case FrameType.Config:
        this.applyConfig(frame);
        return;
      case FrameType.AlarmAck:
        rt.acknowledgeAlarm(frame.channel, now);
        return;
      case FrameType.TimeSync:
        rt.unixOffsetMs = frame.unixS * 1000 + frame.millis - now;
        rt.schedule.emitStatus();
        return;
    }
  }

  /** Applies a config change, or refuses it with a reason; either way a birth frame reports the hash. */
  applyConfig(frame: ConfigFrame): void {
    const rt = this.#rt;
    const now = rt.options.clock.now();
    try {
      const next = applyEntries(rt.config, frame.revision, frame.entries);
      rt.gas?.reconfigure(next, now);
      rt.vibration?.reconfigure(
        next.params[Param.staLtaOnX100]!,
        next.params[Param.staLtaOffX100]!,
        next.params[Param.telemetryPeriodS]! * 1000,
        next.params[Param.ppvAlarmUmPerS]!,
      );
      const periodsChanged =
        next.params[Param.telemetryPeriodS] !== rt.config.params[Param.telemetryPeriodS] ||
        next.params[Param.statusPeriodS] !== rt.config.params[Param.statusPeriodS];
      const bytes = encodeConfig(next);
      rt.options.storage.write(KEY_CONFIG, bytes.buffer as ArrayBuffer);
      rt.config = next;
      if (periodsChanged && rt.running) rt.schedule.start();
    } catch (e) {
      rt.configRefused++;
      rt.lastDownlinkError = (e as Error).message;
    }
    rt.schedule.emitBirth();
  }
}
