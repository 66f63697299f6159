/** The virtual-clock / real-network gate, without sockets: holds time while requests are open, orders arrivals. */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { NetGate } from "../../host-sim/net/gate.js";
import { runVirtual, runVirtualUntil } from "../../host-sim/net/run.js";

const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("NetGate", () => {
  it("holds virtual time while a request is open and delivers the reply latencyMs after the send", async () => {
    const clock = new VirtualClock();
    const gate = new NetGate(clock, { latencyMs: 7 });
    const link = gate.openLink("peer");
    const log: string[] = [];
    clock.setTimer(() => {
      const op = gate.begin(link, "request");
      // The "peer" answers after 30 ms of wall time; meanwhile a timer is due at 50 ms virtual.
      setTimeout(() => {
        gate.deliver(link, () => log.push(`reply@${clock.now()}`));
        gate.end(op);
      }, 30);
    }, 10);
    clock.setTimer(() => log.push(`timer@${clock.now()}`), 40);
    await runVirtual(clock, gate, 100);
    expect(log).toEqual(["reply@17", "timer@40"]);
    expect(clock.now()).toBe(100);
  });

  it("schedules arrivals of one settle in link order, then arrival order, whatever the wall-clock order", async () => {
    const clock = new VirtualClock();
    const gate = new NetGate(clock, { latencyMs: 0 });
    const a = gate.openLink("a");
    const b = gate.openLink("b");
    const log: string[] = [];
    clock.setTimer(() => {
      const opA = gate.begin(a, "x");
      const opB = gate.begin(b, "y");
      setTimeout(() => {
        gate.deliver(b, () => log.push("b1"));
        gate.deliver(a, () => log.push("a1"));
        gate.deliver(b, () => log.push("b2"));
        gate.end(opB);
        gate.end(opA);
      }, 5);
    }, 1);
    await runVirtual(clock, gate, 10);
    expect(log).toEqual(["a1", "b1", "b2"]);
  });

  it("waits for tracked host work before time moves", async () => {
    const clock = new VirtualClock();
    const gate = new NetGate(clock);
    let done = false;
    const seen: boolean[] = [];
    clock.setTimer(() => void gate.track(later(20).then(() => (done = true))), 5);
    clock.setTimer(() => seen.push(done), 6);
    await runVirtual(clock, gate, 10);
    expect(seen).toEqual([true]);
  });

  it("gives up on a request after stallMs of wall time and says so", async () => {
    const clock = new VirtualClock();
    const gate = new NetGate(clock, { stallMs: 30 });
    const link = gate.openLink("silent peer");
    clock.setTimer(() => gate.begin(link, "PINGRESP"), 1);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), 1000);
    await runVirtual(clock, gate, 2000);
    expect(fired).toEqual([1000]);
    expect(gate.stalls).toEqual(["silent peer: PINGRESP"]);
  });

  it("closing a link ends its open requests", async () => {
    const clock = new VirtualClock();
    const gate = new NetGate(clock, { stallMs: 10_000 });
    const link = gate.openLink("dropped");
    gate.begin(link, "CONNECT");
    expect(gate.inFlight).toBe(1);
    setTimeout(() => gate.closeLink(link), 5);
    const ok = await runVirtualUntil(clock, gate, () => gate.inFlight === 0, 100);
    expect(ok).toBe(true);
    expect(gate.stalls).toEqual([]);
  });

  it("rejects bad options with the value", () => {
    const clock = new VirtualClock();
    expect(() => new NetGate(clock, { latencyMs: -1 })).toThrow(/latencyMs .* got -1/);
    expect(() => new NetGate(clock, { stallMs: 0 })).toThrow(/stallMs .* got 0/);
  });
});
