/**
 * Builds sealed downlink frames (config, alarm-ack, time-sync) as a collector or network server would send
 * them to a node: encode, then MAC with the node's key and the collector's downlink counter.
 */
import { type FrameMac, sealFrame } from "../../protocol/auth.js";
import { encodeFrameInto, MAX_FRAME_BYTES } from "../../protocol/encode.js";
import type { DownlinkFrame } from "../../protocol/frames.js";
import { nobleFrameMac } from "../../site/frame-mac.js";

export function sealDownlink(
  frame: DownlinkFrame,
  counter: number,
  key: Uint8Array,
  mac: FrameMac = nobleFrameMac,
): Uint8Array {
  const buf = new Uint8Array(MAX_FRAME_BYTES + 8);
  const end = encodeFrameInto(frame, buf, 0);
  return buf.slice(0, sealFrame(buf, 0, end, counter, key, mac));
}
