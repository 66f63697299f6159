/**
 * The node runtime: turns samples into delivered frames. Everything comes in by injection (DESIGN.md): the
 * clock, the sensors (ports over the drivers built from the device provider), key-value storage, the flash
 * outbox, the transports, the MAC and key, and the config digest. On the board firmware/main.ts wires
 * Moddable's; in the simulator host-sim/node wires the simulated ones. No Node API, no Date.now().
 *
 * What it does:
 * - Boot: loads the config (defaults if none or unreadable), opens the frame counter, queues a birth frame.
 * - Sampling: one timer per gas port at the port's rate, one for the accelerometer FIFO, one 1 s tick that
 *   lets a channel with no reading raise its no-data fault on time. Each reading goes through its sensing
 *   pipeline in the same timer callback.
 * - Alarm policy (runtime/alarm-policy.ts): a change of a channel's alarm levels builds the alarm frame(s)
 *   in that same callback, at the outbox's top priority, and kicks the transmit pump at once: the alarm does
 *   not wait for a period. Seismic events next (event class), status and birth, telemetry last.
 * - Periods: telemetry and status on their configured periods.
 * - Downlinks (verified: MAC and counter, the counter persisted): config change (validated against the
 *   schema, the set-point order and the gas profile; applied and persisted; acknowledged by a new birth frame
 *   whose configHash is the new configuration's, or the old one's if refused), alarm acknowledge
 *   (acknowledged by an alarm frame with the channel's resulting level), time sync (acknowledged by a
 *   status frame).
 * - Health: uptime, battery, sensor faults, radio counters, outbox depth in the status frame; a software
 *   watchdog over the periodic tasks (runtime/watchdog.ts).
 * - Methane power interlock (firmware/node/interlock, when the board has its outputs): every CH4 evaluation
 *   goes to it in the sampling callback, before any frame is built, so the relay drops in the sample that
 *   crosses the trip level, network or not. Its trips, resets and self-test failures are status frames at
 *   alarm priority (interlock byte in sensorFaults bits 24..31); a relay that does not follow its command
 *   is also a fault on the CH4 channel. An alarm acknowledge downlink on CH4 is also the interlock's reset.
 * Steady state allocates nothing per sample: the pipelines and ports do not, and the runtime's callbacks
 * are made once at start.
 */
import { type FrameMac, FrameVerifier } from "../../protocol/auth.js";
import type { ConfigFrame, DownlinkFrame } from "../../protocol/frames.js";
import { AlarmLevel, Capability, Channel, FrameType } from "../../protocol/schema.js";
import { resolveCh4Trip } from "../sensing/profiles/index.js";
import type { Clock, TimerId } from "./clock.js";
import { Interlock, ResetSource } from "./interlock/interlock.js";
import type { InterlockIo } from "./interlock/outputs.js";
import { INTERLOCK_SHIFT, RELAY_FAULT_CODE } from "./interlock/status.js";
import { annunciationOf } from "./interlock/summary.js";
import type { ResetResultCode } from "./interlock/trip.js";
import { NONE, type Outbox, Priority } from "./outbox.js";
import { announcements, highestLevel, SEVERITY } from "./runtime/alarm-policy.js";
import {
  applyEntries,
  decodeConfig,
  defaultConfig,
  encodeConfig,
  type NodeConfig,
  Param,
} from "./runtime/config.js";
import { RuntimeError } from "./runtime/errors.js";
import { clampInt, FrameBuilder } from "./runtime/frames.js";
import { GasChannels, type GasSetup } from "./runtime/gas.js";
import type { AccelPort, GasPort } from "./runtime/sensors.js";
import {
  FrameCounter,
  KEY_CONFIG,
  KEY_DOWNLINK_COUNTER,
  type KeyValueStore,
  readBytes,
  readU32,
  writeU32,
} from "./runtime/storage.js";
import { EventPhase, VibrationChannel, type VibrationSetup } from "./runtime/vibration.js";
import { Watchdog } from "./runtime/watchdog.js";
import type { Transport } from "./transport.js";

export interface NodeIdentity {
  /** EUI-64, 8 bytes. */
  nodeId: Uint8Array;
  fwMajor: number;
  fwMinor: number;
  fwPatch: number;
}

export interface NodeRuntimeOptions {
  clock: Clock;
  storage: KeyValueStore;
  outbox: Outbox;
  transports: Transport[];
  mac: FrameMac;
  /** The node's 16-byte MAC key. */
  key: Uint8Array;
  /** First 32 bits of SHA-256 of `bytes` (birth configHash): Moddable's crypt on the board, noble on the host. */
  configDigest: (bytes: Uint8Array) => number;
  identity: NodeIdentity;
  gasPorts?: GasPort[];
  gas?: GasSetup;
  accel?: AccelPort;
  vibration?: VibrationSetup;
  /** Battery voltage now, mV (an ADC channel on the board, a battery model in the simulator). */
  batteryMv: () => number;
  /** Called when the watchdog trips: reboot. Default: the runtime stops itself. */
  onWatchdog?: (task: string, lateMs: number) => void;
  /** Watchdog check period, ms (default 1000). */
  watchdogCheckMs?: number;
  /** Factory configuration used when storage holds none (default runtime/config.ts defaultConfig()). */
  factoryConfig?: NodeConfig;
  /** The interlock's opened pins (firmware/node/interlock/outputs.ts); needs a CH4 gas port. */
  interlock?: InterlockIo;
  /** Told of every interlock event after the runtime has handled it (simulator history, logs). */
  onInterlockEvent?: (event: number, detail: number) => void;
}

const NODE_LABEL = "self";

export class NodeRuntime {
  readonly options: NodeRuntimeOptions;
  config: NodeConfig;
  readonly builder: FrameBuilder;
  readonly counter: FrameCounter;
  readonly gas: GasChannels | undefined;
  readonly vibration: VibrationChannel | undefined;
  readonly watchdog: Watchdog;
  readonly interlock: Interlock | undefined;
  /** Why stored config was not used at boot ("" when it was, or when there was none). */
  configLoadError = "";
  /** Protocol alarm levels on per channel (bit set) and when the channel left Clear. */
  readonly levels = new Uint8Array(5);
  readonly onsetMs = new Float64Array(5).fill(Number.NaN);
  /** Value the vibration alarm reported (PPV, um/s). */
  vibAlarmUmPerS = 0;
  bootMs = 0;
  /** Unix time minus clock time, ms (NaN until a time sync). */
  unixOffsetMs = Number.NaN;
  downlinksAccepted = 0;
  downlinksRejected = 0;
  configRefused = 0;
  lastDownlinkError = "";
  /** Exceptions caught in periodic tasks (the watchdog trips if a task keeps failing). */
  taskErrors = 0;
  lastTaskError = "";
  #clock: Clock;
  #verifier: FrameVerifier;
  #timers: TimerId[] = [];
  #periodTimers: TimerId[] = [];
  #running = false;
  #wdAccel = -1;
  #wdTick = -1;

  constructor(options: NodeRuntimeOptions) {
    const o = options;
    if (!o || typeof o.clock?.now !== "function")
      throw new RuntimeError("bad-option", "runtime needs a clock", o?.clock);
    if (!(o.key instanceof Uint8Array) || o.key.length !== 16) {
      throw new RuntimeError(
        "bad-option",
        `runtime key must be 16 bytes, got ${o.key?.length}`,
        o.key?.length,
      );
    }
    if (!(o.identity?.nodeId instanceof Uint8Array) || o.identity.nodeId.length !== 8) {
      throw new RuntimeError("bad-option", "identity.nodeId must be an 8-byte EUI-64", o.identity?.nodeId);
    }
    if (o.gasPorts?.length && !o.gas)
      throw new RuntimeError("bad-option", "gas ports need a gas setup (profile, location)", undefined);
    this.options = o;
    this.#clock = o.clock;
    this.config = this.#loadConfig();
    this.counter = new FrameCounter(o.storage);
    this.builder = new FrameBuilder(this.counter, o.key, o.mac, o.outbox, o.identity.nodeId);
    const now = o.clock.now();
    const fitted: number[] = [];
    for (const p of o.gasPorts ?? []) for (const ch of p.channels) fitted.push(ch);
    this.gas = o.gas && fitted.length > 0 ? new GasChannels(o.gas, fitted, this.config, now) : undefined;
    this.vibration = o.accel
      ? new VibrationChannel(
          o.accel,
          o.vibration ?? {},
          this.config.params[Param.staLtaOnX100]!,
          this.config.params[Param.staLtaOffX100]!,
          this.#telemetryMs(),
          this.config.params[Param.ppvAlarmUmPerS]!,
        )
      : undefined;
    this.#verifier = new FrameVerifier(o.mac, () => o.key);
    const dl = readU32(o.storage, KEY_DOWNLINK_COUNTER);
    if (dl !== undefined) this.#verifier.restore(NODE_LABEL, dl);
    if (o.interlock) {
      if (!o.gas || !this.gas?.pipelines[Channel.Ch4])
        throw new RuntimeError("bad-option", "the methane interlock needs a CH4 gas port", o.gas?.profile);
      this.interlock = new Interlock({
        clock: o.clock,
        io: o.interlock,
        settings: resolveCh4Trip(o.gas.profile, o.gas.location),
        storage: o.storage,
        onEvent: (event, detail) => this.#onInterlockEvent(event, detail),
      });
    } else this.interlock = undefined;
    this.watchdog = new Watchdog(o.clock, o.watchdogCheckMs ?? 1000, (task, late) => {
      if (o.onWatchdog) o.onWatchdog(task, late);
      else this.stop();
    });
  }

  #loadConfig(): NodeConfig {
    const factory = this.options.factoryConfig ?? defaultConfig();
    try {
      const stored = readBytes(this.options.storage, KEY_CONFIG);
      return stored ? decodeConfig(stored) : factory;
    } catch (e) {
      this.configLoadError = (e as Error).message;
      return factory;
    }
  }

  #telemetryMs(): number {
    return this.config.params[Param.telemetryPeriodS]! * 1000;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Boots: birth frame, transports, sampling, periods, watchdog. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const o = this.options;
    this.bootMs = this.#clock.now();
    // First: the relay is held de-energised until the first valid CH4 reading.
    this.interlock?.start();
    for (const t of o.transports) {
      t.attach({
        onAck: (tag) => this.#onAck(tag),
        onDownlink: (type, bytes) => this.#onDownlink(type, bytes),
        onConnection: (up) => {
          if (up) this.pump();
        },
      });
    }
    this.#emitBirth();
    const ports = o.gasPorts ?? [];
    if (this.gas && ports.length > 0) {
      for (let i = 0; i < ports.length; i++) {
        const port = ports[i]!;
        // Each port is its own task: one sensor whose loop fails must trip the watchdog on its own.
        const handle = this.watchdog.watch(`gas-port-${i}`, 10 * port.pollMs);
        this.#timers.push(this.#clock.setTimer(() => this.#pollGas(port, handle), port.pollMs, port.pollMs));
      }
      const tickMs = this.gas.periodMs;
      this.#timers.push(this.#clock.setTimer(() => this.#tick(), tickMs, tickMs));
      this.#wdTick = this.watchdog.watch("gas-check", 10 * tickMs);
    }
    const accel = o.accel;
    if (this.vibration && accel) {
      this.#timers.push(this.#clock.setTimer(() => this.#pollAccel(), accel.pollMs, accel.pollMs));
      this.#wdAccel = this.watchdog.watch("vibration", Math.max(1000, 20 * accel.pollMs));
    }
    this.#schedulePeriods();
    this.watchdog.start();
    for (const t of o.transports) t.start();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const id of this.#timers) this.#clock.clearTimer(id);
    for (const id of this.#periodTimers) this.#clock.clearTimer(id);
    this.#timers.length = 0;
    this.#periodTimers.length = 0;
    this.watchdog.stop();
    // A stopped runtime protects nothing: every interlock output goes low (fail-safe).
    this.interlock?.stop();
    for (const t of this.options.transports) t.stop();
  }

  #schedulePeriods(): void {
    for (const id of this.#periodTimers) this.#clock.clearTimer(id);
    this.#periodTimers.length = 0;
    const telemetryMs = this.#telemetryMs();
    const statusMs = this.config.params[Param.statusPeriodS]! * 1000;
    this.#periodTimers.push(
      this.#clock.setTimer(() => this.#guard(() => this.emitTelemetry()), telemetryMs, telemetryMs),
    );
    this.#periodTimers.push(
      this.#clock.setTimer(() => this.#guard(() => this.emitStatus()), statusMs, statusMs),
    );
  }

  /** Runs a task; a throw is counted (and keeps the task from kicking the watchdog). */
  #guard(task: () => void): boolean {
    try {
      task();
      return true;
    } catch (e) {
      this.taskErrors++;
      this.lastTaskError = (e as Error)?.message ?? String(e);
      return false;
    }
  }

  // ---- sampling and the alarm policy -----------------------------------------------------------------------

  #pollGas(port: GasPort, handle: number): void {
    try {
      const now = this.#clock.now();
      const ch = port.poll();
      const gas = this.gas!;
      if (ch < 0) {
        for (let i = 0; i < port.channels.length; i++) gas.driverFault[port.channels[i]!] = port.fault;
      } else {
        gas.driverFault[ch] = 0;
        this.#pushGas(ch, now, port.value);
      }
      this.watchdog.kick(handle);
    } catch (e) {
      this.taskErrors++;
      this.lastTaskError = (e as Error)?.message ?? String(e);
    }
  }

  #pushGas(ch: number, now: number, value: number): void {
    const gas = this.gas!;
    const p = gas.pipelines[ch];
    if (!p || now <= p.lastMs) return;
    gas.lastPushMs[ch] = now;
    const changed = p.push(now, value);
    // The relay before any frame: the trip does not wait for the alarm policy or a network.
    if (ch === Channel.Ch4) this.interlock?.sample(p.value, p.faults);
    if (changed) this.#setLevels(ch, this.#levelsOf(ch), now);
  }

  /** A gas channel's protocol levels; CH4 also shows a fault while the interlock relay does not follow. */
  #levelsOf(ch: number): number {
    let bits = this.gas!.levels(ch);
    if (ch === Channel.Ch4 && this.interlock && this.interlock.monitor.fault !== 0)
      bits |= 1 << AlarmLevel.Fault;
    return bits;
  }

  /** Channels with no reading for a period: let their no-data fault fire on time. */
  #tick(): void {
    try {
      const gas = this.gas!;
      const now = this.#clock.now();
      for (let ch = 0; ch < 4; ch++) {
        const p = gas.pipelines[ch];
        if (p && now - gas.lastPushMs[ch]! > gas.periodMs && now > p.lastMs)
          this.#pushGas(ch, now, Number.NaN);
      }
      this.watchdog.kick(this.#wdTick);
    } catch (e) {
      this.taskErrors++;
      this.lastTaskError = (e as Error)?.message ?? String(e);
    }
  }

  #pollAccel(): void {
    try {
      const vib = this.vibration!;
      const now = this.#clock.now();
      vib.poll(now);
      const det = vib.detector;
      const ev = vib.event;
      while (det.takeEvent(ev)) {
        // The alarm first: it outranks the event frame (alarm policy), also in the order they are built.
        if (!vib.alarm && vib.exceeds(ev)) {
          vib.alarm = true;
          this.vibAlarmUmPerS = ev.ppvMmPerS * 1000;
          this.#setLevels(Channel.Vibration, 1 << AlarmLevel.A2, now);
        }
        if (ev.phase === EventPhase.Final) {
          vib.events++;
          this.#emitEvent(now);
        }
      }
      const sum = vib.summary;
      while (det.takeSummary(sum)) {
        const ppv = Math.max(sum.ppvXMmPerS, sum.ppvYMmPerS, sum.ppvZMmPerS);
        if (ppv > vib.peakSinceTelemetryMmPerS) vib.peakSinceTelemetryMmPerS = ppv;
      }
      this.watchdog.kick(this.#wdAccel);
    } catch (e) {
      this.taskErrors++;
      this.lastTaskError = (e as Error)?.message ?? String(e);
    }
  }

  /** A channel's levels changed: alarm frames now, at top priority, then transmit at once. */
  #setLevels(ch: number, after: number, now: number): void {
    const before = this.levels[ch]!;
    if (before === after) return;
    const ann = announcements(before, after);
    this.levels[ch] = after;
    if (before === 0) this.onsetMs[ch] = now;
    for (let i = 0; i < SEVERITY.length; i++) {
      const level = SEVERITY[i]!;
      if (ann & (1 << level)) this.#emitAlarm(ch, level, now);
    }
    if (ann & (1 << AlarmLevel.Clear)) this.#emitAlarm(ch, AlarmLevel.Clear, now);
    if (after === 0) this.onsetMs[ch] = Number.NaN;
    this.interlock?.setAlarmAnnunciation(annunciationOf(this.levels));
    this.pump();
  }

  #emitAlarm(ch: number, level: number, now: number): void {
    let value: number;
    if (level === AlarmLevel.Fault)
      value = ch === Channel.Vibration ? (this.vibration?.port.fault ?? 0) : this.#faultCode(ch);
    else if (ch === Channel.Vibration) value = this.vibAlarmUmPerS;
    else value = this.gas!.scaled(ch);
    const onset = this.onsetMs[ch]!;
    const ageS = !Number.isNaN(onset) ? (now - onset) / 1000 : 0;
    this.builder.emitAlarm(ch, level, value, ageS);
  }

  #emitEvent(now: number): void {
    const ev = this.vibration!.event;
    const f = this.builder.event;
    f.onsetAgoMs = clampInt(now - ev.onsetMs, 0, 0xffffffff);
    f.durationMs = clampInt(ev.durationMs, 0, 0xffff);
    f.pgaMilliG = clampInt((ev.pgaMPerS2 / 9.80665) * 1000, 0, 0xffff);
    f.ppvUmPerS = clampInt(ev.ppvMmPerS * 1000, 0, 0xffffffff);
    f.dominantFreqDeciHz = clampInt(ev.dominantFreqHz * 10, 0, 0xffff);
    f.staLtaPeakX100 = clampInt(ev.staLtaPeak * 100, 0, 0xffff);
    this.builder.emit(f);
    this.pump();
  }

  // ---- periodic frames -------------------------------------------------------------------------------------

  emitTelemetry(): void {
    const t = this.builder.telemetry;
    const gas = this.gas;
    t.ch4CentiPctVol = clampInt(gas ? gas.filteredScaled(Channel.Ch4) : 0, -1000, 10000);
    t.coPpm = clampInt(gas ? gas.filteredScaled(Channel.Co) : 0, -1000, 10000);
    t.o2DeciPctVol = clampInt(gas ? gas.filteredScaled(Channel.O2) : 0, -100, 1000);
    t.h2sDeciPpm = clampInt(gas ? gas.filteredScaled(Channel.H2s) : 0, -1000, 10000);
    const vib = this.vibration;
    // The detector's summaries carry acceleration RMS, not velocity RMS: 0 until the detector reports it.
    t.vibRmsUmPerS = 0;
    t.vibPeakUmPerS = clampInt(vib ? vib.peakSinceTelemetryMmPerS * 1000 : 0, 0, 0xffff);
    if (vib) vib.peakSinceTelemetryMmPerS = 0;
    t.batteryMv = clampInt(this.options.batteryMv(), 0, 0xffff);
    this.builder.emit(t);
    this.pump();
  }

  /** Sensor fault codes, 4 bits per channel (status frame). */
  sensorFaults(): number {
    let bits = 0;
    const gas = this.gas;
    if (gas) for (let ch = 0; ch < 4; ch++) bits |= this.#faultCode(ch) << (4 * ch);
    const vib = this.vibration;
    if (vib) bits |= (vib.port.fault & 0x0f) << (4 * Channel.Vibration);
    if (this.interlock) bits |= this.interlock.statusByte() << INTERLOCK_SHIFT;
    return bits >>> 0;
  }

  /**
   * A gas channel's 4-bit fault code; CH4 shows RELAY_FAULT_CODE while the interlock relay does not follow
   * its command and the sensor itself has no fault (a warm-up code gives way to it).
   */
  #faultCode(ch: number): number {
    if (
      ch === Channel.Ch4 &&
      this.interlock &&
      this.interlock.monitor.fault !== 0 &&
      (this.gas!.levels(ch) & (1 << AlarmLevel.Fault)) === 0
    )
      return RELAY_FAULT_CODE;
    return this.gas!.faultCode(ch);
  }

  /** A status frame now (at `priority`: the interlock's go at alarm priority). */
  emitStatus(priority: Priority = Priority.Status): void {
    let tx = 0;
    let fail = 0;
    let rx = 0;
    for (const t of this.options.transports) {
      const c = t.counters;
      tx += c.txCount;
      fail += c.txFailCount;
      rx += c.rxCount;
    }
    const now = this.#clock.now();
    this.builder.emitStatus(
      (now - this.bootMs) / 1000,
      this.options.batteryMv(),
      this.sensorFaults(),
      tx,
      fail,
      rx,
      this.options.outbox.depth,
      priority,
    );
    this.pump();
  }

  // ---- the methane power interlock -------------------------------------------------------------------------

  /** Every trip, reset (or refusal) and relay self-test verdict: reported at once, through the outbox. */
  #onInterlockEvent(event: number, detail: number): void {
    try {
      const now = this.#clock.now();
      // A relay fault is a fault of the CH4 channel's protective function: an alarm frame (level fault).
      if (this.gas?.pipelines[Channel.Ch4]) this.#setLevels(Channel.Ch4, this.#levelsOf(Channel.Ch4), now);
      this.emitStatus(Priority.Alarm);
    } catch (e) {
      // Reporting must never undo or delay what the interlock did to its outputs.
      this.taskErrors++;
      this.lastTaskError = (e as Error)?.message ?? String(e);
    }
    this.options.onInterlockEvent?.(event, detail);
  }

  /**
   * The deliberate interlock reset from the local console (or any local operator action); the downlink
   * path is acknowledgeAlarm(CH4). Returns the ResetResult (0 = done), or -1 when there is no interlock.
   */
  resetInterlock(source: number = ResetSource.Console): ResetResultCode | -1 {
    return this.interlock ? this.interlock.reset(source) : -1;
  }

  #emitBirth(): void {
    const b = this.builder.birth;
    const id = this.options.identity;
    b.fwMajor = id.fwMajor;
    b.fwMinor = id.fwMinor;
    b.fwPatch = id.fwPatch;
    b.configHash = this.configHash() >>> 0;
    let caps = 0;
    const gas = this.gas;
    if (gas) {
      if (gas.pipelines[Channel.Ch4]) caps |= Capability.Ch4;
      if (gas.pipelines[Channel.Co]) caps |= Capability.Co;
      if (gas.pipelines[Channel.O2]) caps |= Capability.O2;
      if (gas.pipelines[Channel.H2s]) caps |= Capability.H2s;
    }
    if (this.vibration) caps |= Capability.Vibration;
    for (const t of this.options.transports) {
      if (t.name === "mqtt") caps |= Capability.Mqtt;
      if (t.name === "lorawan") caps |= Capability.LoRaWan;
    }
    b.capabilities = caps;
    this.builder.emit(b);
    this.pump();
  }

  configHash(): number {
    return this.options.configDigest(encodeConfig(this.config));
  }

  // ---- transmit ----------------------------------------------------------------------------------------------

  /** Hands waiting frames, most urgent first, to the first transport that can take them now. */
  pump(): void {
    const outbox = this.options.outbox;
    const transports = this.options.transports;
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
      outbox.markSent(id);
    }
  }

  #onAck(tag: number): void {
    this.options.outbox.ack(tag);
    this.pump();
  }

  // ---- downlinks ---------------------------------------------------------------------------------------------

  #onDownlink(frameType: number, bytes: Uint8Array): void {
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
      writeU32(this.options.storage, KEY_DOWNLINK_COUNTER, v.counter);
    } catch (e) {
      this.downlinksRejected++;
      this.lastDownlinkError = (e as Error).message;
      return;
    }
    this.downlinksAccepted++;
    const now = this.#clock.now();
    switch (frame.type) {
      case FrameType.Config:
        this.applyConfig(frame);
        return;
      case FrameType.AlarmAck:
        this.acknowledgeAlarm(frame.channel, now);
        return;
      case FrameType.TimeSync:
        this.unixOffsetMs = frame.unixS * 1000 + frame.millis - now;
        this.emitStatus();
        return;
    }
  }

  /** Applies a config downlink, or refuses it with a reason; either way a birth frame reports the hash. */
  applyConfig(frame: ConfigFrame): void {
    const now = this.#clock.now();
    try {
      const next = applyEntries(this.config, frame.revision, frame.entries);
      this.gas?.reconfigure(next, now);
      this.vibration?.reconfigure(
        next.params[Param.staLtaOnX100]!,
        next.params[Param.staLtaOffX100]!,
        next.params[Param.telemetryPeriodS]! * 1000,
        next.params[Param.ppvAlarmUmPerS]!,
      );
      const periodsChanged =
        next.params[Param.telemetryPeriodS] !== this.config.params[Param.telemetryPeriodS] ||
        next.params[Param.statusPeriodS] !== this.config.params[Param.statusPeriodS];
      const bytes = encodeConfig(next);
      this.options.storage.write(KEY_CONFIG, bytes.buffer as ArrayBuffer);
      this.config = next;
      if (periodsChanged && this.#running) this.#schedulePeriods();
    } catch (e) {
      this.configRefused++;
      this.lastDownlinkError = (e as Error).message;
    }
    this.#emitBirth();
  }

  /** Operator acknowledgement of a channel's alarm; answered by an alarm frame with the resulting level. */
  acknowledgeAlarm(ch: number, now: number): void {
    const before = this.levels[ch]!;
    if (ch === Channel.Vibration) {
      if (this.vibration?.acknowledge()) this.#setLevels(ch, 0, now);
    } else {
      const p = this.gas?.pipelines[ch];
      if (p?.acknowledge()) this.#setLevels(ch, this.#levelsOf(ch), now);
      // The control room's acknowledge of CH4 is also the interlock's deliberate reset: it re-energises only
      // if the gas is below the reset point and nothing else holds (interlock/trip.ts); answered by a status
      // frame either way.
      if (ch === Channel.Ch4) this.interlock?.reset(ResetSource.Downlink);
    }
    if (this.levels[ch] === before) {
      this.#emitAlarm(ch, highestLevel(before), now);
      this.pump();
    }
  }

  /** Unix time now, ms, or NaN before the first time sync. */
  unixTimeMs(): number {
    return this.#clock.now() + this.unixOffsetMs;
  }

  /** Alarm levels of a channel as protocol level numbers, most severe first (allocates: tests, console). */
  levelsOf(ch: number): number[] {
    const out: number[] = [];
    for (const l of SEVERITY) if (this.levels[ch]! & (1 << l)) out.push(l);
    return out;
  }
}
