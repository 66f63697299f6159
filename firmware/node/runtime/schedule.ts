/**
 * Frame scheduling: telemetry and status on their configured periods, the birth frame at boot and after a
 * config change, status frames on demand (a time sync's answer; the interlock's at alarm priority), and the
 * transmit pump that hands the outbox's most urgent frames to the first transport that can take them.
 * Alarm and event frames are not scheduled: the runtime builds them in the sampling callback that sees
 * them (runtime/alarm-policy.ts) and pumps at once.
 * A periodic task that throws is counted on the runtime (noteTaskError) and does not stop its timer.
 * Allocation-free per frame: the builder's frame objects are reused, the callbacks made once.
 */
import { type NodeConfig, Param } from "../../../protocol/config-record.js";
import { Capability, Channel } from "../../../protocol/schema.js";
import type { SeismicEvent } from "../../sensing/seismic/index.js";
import type { TimerId } from "../clock.js";
import { NONE, type Outbox, Priority } from "../outbox.js";
import type { Transport } from "../transport.js";
import { clampInt, type FrameBuilder } from "./frames.js";
import type { GasChannels } from "./gas.js";
import type { BatteryHealth } from "./health.js";
import type { NodeRuntimeOptions } from "./options.js";
import type { VibrationChannel } from "./vibration.js";

/** Hands waiting frames, most urgent first, to the first transport that can take them now. */
export function pumpOutbox(outbox: Outbox, transports: readonly Transport[]): void {
  for (;;) {
    const id = outbox.next();
    if (id === NONE) return;
    let link: Transport | undefined;
    for (let i = 0; i < transports.length; i++) {
      if (transports[i]!.canSend) {
        link = transports[i];
        break;
      }
    }
    if (!link) return;
    const bytes = outbox.frameBytes(id);
    if (!link.send(bytes[0]! & 0x0f, bytes, id)) return;
    outbox.markSent(id, link.name);
  }
}

/**
 * What the schedule reads and drives. The runtime passes itself, seen through this interface (no object is
 * made for it: the heap budget counts).
 */
export interface ScheduleParts {
  readonly options: Pick<NodeRuntimeOptions, "clock" | "outbox" | "transports" | "identity" | "batteryMv">;
  readonly builder: FrameBuilder;
  readonly gas: GasChannels | undefined;
  readonly vibration: VibrationChannel | undefined;
  readonly battery: BatteryHealth;
  /** The configuration in force (a config change replaces it). */
  readonly config: NodeConfig;
  /** When the runtime started, clock ms. */
  readonly bootMs: number;
  configHash(): number;
  /** The status frame's sensorFaults word (runtime/health.ts). */
  sensorFaults(): number;
  pump(): void;
  /** Counts an exception caught in a periodic task. */
  noteTaskError(e: unknown): void;
}

export class FrameSchedule {
  #p: ScheduleParts;
  #timers: TimerId[] = [];
  readonly #telemetryTask: () => void;
  readonly #statusTask: () => void;

  constructor(parts: ScheduleParts) {
    this.#p = parts;
    this.#telemetryTask = () => this.#guard(0);
    this.#statusTask = () => this.#guard(1);
  }

  /** (Re)starts the telemetry and status periods from the current configuration. */
  start(): void {
    this.stop();
    const clock = this.#p.options.clock;
    const params = this.#p.config.params;
    const telemetryMs = params[Param.telemetryPeriodS]! * 1000;
    const statusMs = params[Param.statusPeriodS]! * 1000;
    this.#timers.push(clock.setTimer(this.#telemetryTask, telemetryMs, telemetryMs));
    this.#timers.push(clock.setTimer(this.#statusTask, statusMs, statusMs));
  }

  stop(): void {
    const clock = this.#p.options.clock;
    for (const id of this.#timers) clock.clearTimer(id);
    this.#timers.length = 0;
  }

  /** Runs a periodic task; a throw is counted. */
  #guard(task: number): void {
    try {
      if (task === 0) this.emitTelemetry();
      else this.emitStatus();
    } catch (e) {
      this.#p.noteTaskError(e);
    }
  }

  emitTelemetry(): void {
    const p = this.#p;
    const t = p.builder.telemetry;
    const gas = p.gas;
    t.ch4CentiPctVol = clampInt(gas ? gas.filteredScaled(Channel.Ch4) : 0, -1000, 10000);
    t.coPpm = clampInt(gas ? gas.filteredScaled(Channel.Co) : 0, -1000, 10000);
    t.o2DeciPctVol = clampInt(gas ? gas.filteredScaled(Channel.O2) : 0, -100, 1000);
    t.h2sDeciPpm = clampInt(gas ? gas.filteredScaled(Channel.H2s) : 0, -1000, 10000);
    const vib = p.vibration;
    t.vibRmsUmPerS = clampInt(vib ? vib.takeRmsUmPerS() : 0, 0, 0xffff);
    t.vibPeakUmPerS = clampInt(vib ? vib.peakSinceTelemetryMmPerS * 1000 : 0, 0, 0xffff);
    if (vib) vib.peakSinceTelemetryMmPerS = 0;
    t.batteryMv = clampInt(this.readBattery(), 0, 0xffff);
    p.builder.emit(t);
    p.pump();
  }

  /** Reads the battery into `battery`; a new low sends a status frame. Returns the reading, mV. */
  readBattery(): number {
    const battery = this.#p.battery;
    if (battery.update(this.#p.options.batteryMv())) this.emitStatus();
    return battery.mv;
  }

  /** A status frame now (at `priority`: the interlock's go at alarm priority). */
  emitStatus(priority: Priority = Priority.Status): void {
    const p = this.#p;
    let tx = 0;
    let fail = 0;
    let rx = 0;
    for (const t of p.options.transports) {
      const c = t.counters;
      tx += c.txCount;
      fail += c.txFailCount;
      rx += c.rxCount;
    }
    const now = p.options.clock.now();
    // The battery is read here, not through readBattery(): a new low found now is in this very frame.
    p.battery.update(p.options.batteryMv());
    p.builder.emitStatus(
      (now - p.bootMs) / 1000,
      p.battery.mv,
      p.sensorFaults(),
      tx,
      fail,
      rx,
      p.options.outbox.depth,
      priority,
    );
    p.pump();
  }

  /** The event frame of a finished seismic event record (built in the sampling callback that saw it). */
  emitEvent(ev: SeismicEvent, now: number): void {
    const p = this.#p;
    const f = p.builder.event;
    f.onsetAgoMs = clampInt(now - ev.onsetMs, 0, 0xffffffff);
    f.durationMs = clampInt(ev.durationMs, 0, 0xffff);
    f.pgaMilliG = clampInt((ev.pgaMPerS2 / 9.80665) * 1000, 0, 0xffff);
    f.ppvUmPerS = clampInt(ev.ppvMmPerS * 1000, 0, 0xffffffff);
    f.dominantFreqDeciHz = clampInt(ev.dominantFreqHz * 10, 0, 0xffff);
    f.staLtaPeakX100 = clampInt(ev.staLtaPeak * 100, 0, 0xffff);
    p.builder.emit(f);
    p.pump();
  }

  emitBirth(): void {
    const p = this.#p;
    const b = p.builder.birth;
    const id = p.options.identity;
    b.fwMajor = id.fwMajor;
    b.fwMinor = id.fwMinor;
    b.fwPatch = id.fwPatch;
    b.configHash = p.configHash() >>> 0;
    let caps = 0;
    const gas = p.gas;
    if (gas) {
      if (gas.pipelines[Channel.Ch4]) caps |= Capability.Ch4;
      if (gas.pipelines[Channel.Co]) caps |= Capability.Co;
      if (gas.pipelines[Channel.O2]) caps |= Capability.O2;
      if (gas.pipelines[Channel.H2s]) caps |= Capability.H2s;
    }
    if (p.vibration) caps |= Capability.Vibration;
    for (const t of p.options.transports) {
      if (t.name === "mqtt") caps |= Capability.Mqtt;
      if (t.name === "lorawan") caps |= Capability.LoRaWan;
    }
    b.capabilities = caps;
    p.builder.emit(b);
    p.pump();
  }
}
