import { describe, expect, it } from "vitest";
import { ObservedOutbox, type OutboxListener, Priority, REFUSED } from "../../firmware/node/outbox.js";
import { FlashModel } from "../../host-sim/flash.js";

const enc = new TextEncoder();

/** Records every report as one line, in order. */
function recorder(): { lines: string[]; listener: OutboxListener } {
  const lines: string[] = [];
  return {
    lines,
    listener: {
      built: (id, frame, priority, counter) =>
        lines.push(
          `built ${id === REFUSED ? "refused" : "stored"} #${counter} p${priority} ${frame.length}B`,
        ),
      sent: (_id, counter, via) => lines.push(`sent #${counter} via ${via || "-"}`),
      acknowledged: (_id, counter) => lines.push(`acked #${counter}`),
    },
  };
}

describe("an observed outbox", () => {
  it("hears every frame built, sent and acknowledged, in order", () => {
    const a = recorder();
    const flash = new FlashModel({ byteLength: 6 * 256, blockSize: 256 });
    const box = new ObservedOutbox(flash, { maxRecords: 2, maxPayloadBytes: 32 }, a.listener);
    const first = box.append(enc.encode("alarm 1"), Priority.Alarm, 1);
    const second = box.append(enc.encode("alarm 2"), Priority.Alarm, 2);
    // Both slots hold alarms: a telemetry frame is less urgent than every waiting frame, so it is refused.
    expect(box.append(enc.encode("telemetry"), Priority.Telemetry, 3)).toBe(REFUSED);
    expect(box.markSent(first, "mqtt")).toBe(true);
    expect(box.markSent(first, "mqtt")).toBe(false); // already in flight: no second report
    expect(box.ack(first)).toBe(true);
    expect(box.ack(first)).toBe(false); // a duplicate PUBACK: no report
    expect(a.lines).toEqual([
      "built stored #1 p0 7B",
      "built stored #2 p0 7B",
      "built refused #3 p4 9B",
      "sent #1 via mqtt",
      "acked #1",
    ]);
    expect(box.markSent(second)).toBe(true);
    expect(box.ack(second)).toBe(true);
    expect(a.lines.slice(5)).toEqual(["sent #2 via -", "acked #2"]);
  });

  it("tells nothing of a frame whose append threw", () => {
    const r = recorder();
    const flash = new FlashModel({ byteLength: 6 * 256, blockSize: 256 });
    const box = new ObservedOutbox(flash, { maxPayloadBytes: 8 }, r.listener);
    expect(() => box.append(enc.encode("far too long"), Priority.Alarm, 1)).toThrow();
    expect(r.lines).toEqual([]);
  });
});
