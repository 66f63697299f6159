/**
 * The node runtime: turns samples into delivered frames. Everything comes in by injection (DESIGN.md): the
 * clock, the sensors (ports over the drivers built from the device provider), key-value storage, the flash
 * outbox, the transports, the MAC and key, and the config digest (runtime/options.ts). On the board
 * firmware/main.ts wires Moddable's; in the simulator host-sim/node the simulated ones. No Node API.
 *
 * This file: boot (config from storage or the factory's, frame counter, birth frame), sampling (one timer
 * per gas port at the port's rate, one for the accelerometer FIFO, a 1 s tick that lets a channel with no
 * reading raise its no-data fault on time; each reading goes through its sensing pipeline in the same
 * callback: a change of a channel's alarm levels builds its alarm frames in that same callback at the
 * outbox's top priority and pumps at once, runtime/alarm-channels.ts; seismic events next), the methane
 * interlock's hooks, config changes, and stop. The parts are components that receive what they need, never
 * the runtime: the alarm channels' state and frames (runtime/alarm-channels.ts AlarmChannels); periodic
 * telemetry, status, birth and the transmit pump (runtime/schedule.ts); downlink verification and counts
 * (runtime/downlinks.ts); health bits and the battery (runtime/health.ts); the software watchdog
 * (runtime/watchdog.ts).
 * Methane power interlock (firmware/node/interlock): every CH4 evaluation goes to it in the sampling
 * callback before any frame is built, so the relay drops in the sample that crosses the trip level, network
 * or not; its events are status frames at alarm priority; a relay that does not follow its command is a CH4
 * fault; an alarm acknowledge downlink on CH4 is also the interlock's reset.
 * Steady state allocates nothing per sample: the pipelines and ports do not, and the callbacks are made once.
 */
import {
  applyEntries,
  decodeConfig,
  defaultConfig,
  encodeConfig,
  type NodeConfig,
  Param,
} from "../../protocol/config-record.js";
import { RecordError } from "../../protocol/errors.js";
import type { ConfigFrame } from "../../protocol/frames.js";
import { Channel, ConfigRefusal } from "../../protocol/schema.js";
import { resolveCh4Trip } from "../sensing/profiles/index.js";
import { alarmLimitProblems } from "./alarm-limits.js";
import type { Clock, TimerId } from "./clock.js";
import { Interlock, ResetSource } from "./interlock/interlock.js";
import type { ResetResultCode } from "./interlock/trip.js";
import { Priority } from "./outbox.js";
import { AlarmChannels } from "./runtime/alarm-channels.js";
import { DownlinkHandler } from "./runtime/downlinks.js";
import { ConfigRefusedError, RuntimeError } from "./runtime/errors.js";
import { FrameBuilder } from "./runtime/frames.js";
import { GasChannels } from "./runtime/gas.js";
import { BatteryHealth, DEFAULT_BATTERY_LOW_MV, sensorFaultBits } from "./runtime/health.js";
import type { NodeRuntimeOptions } from "./runtime/options.js";
import { FrameSchedule, pumpOutbox } from "./runtime/schedule.js";
import type { GasPort } from "./runtime/sensors.js";
import { EventPhase, VibrationChannel } from "./runtime/vibration.js";
import { Watchdog } from "./runtime/watchdog.js";
import { FrameCounter, KEY_CONFIG, readBytes } from "./storage.js";

export type { NodeIdentity, NodeRuntimeOptions } from "./runtime/options.js";

export class NodeRuntime {
  readonly options: NodeRuntimeOptions;
  config: NodeConfig;
  readonly builder: FrameBuilder;
  readonly counter: FrameCounter;
  readonly gas: GasChannels | undefined;
  readonly vibration: VibrationChannel | undefined;
  readonly watchdog: Watchdog;
  readonly interlock: Interlock | undefined;
  /** Periodic frames, birth, on-demand status and the transmit pump (runtime/schedule.ts). */
  readonly schedule: FrameSchedule;
  readonly downlinks: DownlinkHandler;
  /** Last battery reading and the low-battery state (status bits 20-21). */
  readonly battery: BatteryHealth;
  /** Each channel's alarm levels, onset and alarm frames (runtime/alarm-channels.ts). */
  readonly alarms: AlarmChannels;
  /** Exceptions caught in periodic tasks (the watchdog trips if a task keeps failing). */
  taskErrors = 0;
  lastTaskError = "";
  /** Why stored config was not used at boot ("" when it was, or when there was none). */
  configLoadError = "";
  bootMs = 0;
  /** Unix time minus clock time, ms (NaN until a time sync). */
  unixOffsetMs = Number.NaN;
  #clock: Clock;
  #timers: TimerId[] = [];
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
          this.config.params[Param.telemetryPeriodS]! * 1000,
          this.config.params[Param.ppvAlarmUmPerS]!,
        )
      : undefined;
    this.battery = new BatteryHealth(o.batteryLowMv ?? DEFAULT_BATTERY_LOW_MV);
    // The alarm channels, the schedule and the downlink handler see the runtime through their own narrow
    // interfaces (AlarmChannelParts, ScheduleParts, DownlinkActions): no object per part, the heap budget
    // counts every slot.
    this.alarms = new AlarmChannels(this);
    this.schedule = new FrameSchedule(this);
    this.downlinks = new DownlinkHandler(this);
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
        onDownlink: (type, bytes) => this.downlinks.onDownlink(type, bytes),
        onConnection: (up) => {
          if (up) this.pump();
        },
      });
    }
    this.schedule.emitBirth();
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
    this.schedule.start();
    this.watchdog.start();
    for (const t of o.transports) t.start();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const id of this.#timers) this.#clock.clearTimer(id);
    this.#timers.length = 0;
    this.schedule.stop();
    this.watchdog.stop();
    // A stopped runtime protects nothing: every interlock output goes low (fail-safe).
    this.interlock?.stop();
    for (const t of this.options.transports) t.stop();
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
      this.noteTaskError(e);
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
    if (changed) this.alarms.updateGas(ch, now);
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
      this.noteTaskError(e);
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
          this.alarms.raiseVibration(ev.ppvMmPerS * 1000, now);
        }
        if (ev.phase === EventPhase.Final) {
          vib.events++;
          this.schedule.emitEvent(vib.event, now);
        }
      }
      const sum = vib.summary;
      while (det.takeSummary(sum)) vib.noteSummary(sum);
      this.watchdog.kick(this.#wdAccel);
    } catch (e) {
      this.noteTaskError(e);
    }
  }

  // ---- periodic frames (runtime/schedule.ts) ------------------------------------------------------------

  emitTelemetry(): void {
    this.schedule.emitTelemetry();
  }

  /** The status frame's sensorFaults word: channel fault codes, battery bits, interlock byte (runtime/health.ts). */
  sensorFaults(): number {
    return sensorFaultBits(this);
  }

  /** Reads the battery (options.batteryMv: the ADC on the board) into `battery`; a new low sends a status frame. */
  readBattery(): number {
    return this.schedule.readBattery();
  }

  /** A status frame now (at `priority`: the interlock's go at alarm priority). */
  emitStatus(priority: Priority = Priority.Status): void {
    this.schedule.emitStatus(priority);
  }

  // ---- the methane power interlock -------------------------------------------------------------------------

  /** Every trip, reset (or refusal) and relay self-test verdict: reported at once, through the outbox. */
  #onInterlockEvent(event: number, detail: number): void {
    try {
      const now = this.#clock.now();
      // A relay fault is a fault of the CH4 channel's protective function: an alarm frame (level fault).
      if (this.gas?.pipelines[Channel.Ch4]) this.alarms.updateGas(Channel.Ch4, now);
      this.emitStatus(Priority.Alarm);
    } catch (e) {
      // Reporting must never undo or delay what the interlock did to its outputs.
      this.noteTaskError(e);
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

  configHash(): number {
    return this.options.configDigest(encodeConfig(this.config));
  }

  // ---- transmit ----------------------------------------------------------------------------------------------

  /** Hands waiting frames, most urgent first, to the first transport that can take them now. */
  pump(): void {
    pumpOutbox(this.options.outbox, this.options.transports);
  }

  #onAck(tag: number): void {
    this.options.outbox.ack(tag);
    this.pump();
  }

  // ---- downlinks (runtime/downlinks.ts) ---------------------------------------------------------------------

  /** Applies a config change (downlink or console), or refuses it with a reason; a birth frame reports the hash. */
  applyConfig(frame: ConfigFrame, allowLooser = false): void {
    this.downlinks.applyConfig(frame, allowLooser);
  }

  /** Operator acknowledgement of a channel's alarm; answered by an alarm frame with the resulting level. */
  acknowledgeAlarm(ch: number, now: number): void {
    this.alarms.acknowledge(ch, now);
  }

  /**
   * Validates, applies and persists a config change, or throws the reason it is refused (DownlinkActions;
   * applyConfig is the whole step: counts a refusal and reports the hash in force).
   */
  changeConfig(frame: ConfigFrame, allowLooser: boolean): void {
    const now = this.#clock.now();
    let next: NodeConfig;
    try {
      next = applyEntries(this.config, frame.revision, frame.entries);
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      // The config record's schema check: a range, an order, an unknown parameter (config-refused reason 8).
      let raw = e.param >= 0 ? (this.config.params[e.param] ?? Number.NaN) : Number.NaN;
      for (const entry of frame.entries) if (entry.param === e.param) raw = entry.value;
      throw new ConfigRefusedError(e.message, e.param, ConfigRefusal.Schema, raw);
    }
    // The one alarm-parameter check (alarm-limits.ts): a downlink may never loosen a set-point past the
    // profile's bound at this location, leave the sensor's range, or put O2 or A1/A2 on the wrong side.
    const gas = this.gas;
    if (gas) {
      const problems = alarmLimitProblems(gas.setup.profile, gas.setup.location, next.params, allowLooser);
      if (problems.length > 0) {
        const first = problems[0]!;
        // AlarmLimit codes 1..4 travel as they are (ConfigRefusal); an unknown profile is "other".
        const reason = first.code >= 1 && first.code <= 4 ? first.code : ConfigRefusal.Other;
        throw new ConfigRefusedError(
          `config revision ${frame.revision} refused: ${problems.map((p) => p.message).join("; ")}`,
          first.param,
          reason,
          first.param >= 0 ? next.params[first.param]! : Number.NaN,
        );
      }
    }
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
    if (periodsChanged && this.#running) this.schedule.start();
  }

  /** Counts an exception caught in a periodic task (its timer keeps running; the watchdog judges). */
  noteTaskError(e: unknown): void {
    this.taskErrors++;
    this.lastTaskError = (e as Error)?.message ?? String(e);
  }

  /** The configuration now in force, reported: a birth frame (DownlinkActions). */
  reportConfig(): void {
    this.schedule.emitBirth();
  }

  /** A refused config downlink, answered at once by a config-refused frame (DownlinkActions). */
  reportRefusal(revision: number, param: number, reason: number, raw: number): void {
    this.builder.emitConfigRefused(revision, param, reason, raw);
    this.pump();
  }

  /** A time sync (DownlinkActions): Unix time minus clock time, ms; answered by a status frame. */
  timeSync(unixOffsetMs: number): void {
    this.unixOffsetMs = unixOffsetMs;
    this.schedule.emitStatus();
  }

  /** Unix time now, ms, or NaN before the first time sync. */
  unixTimeMs(): number {
    return this.#clock.now() + this.unixOffsetMs;
  }

  /** Alarm levels of a channel as protocol level numbers, most severe first (allocates: tests, console). */
  levelsOf(ch: number): number[] {
    return this.alarms.levelsOf(ch);
  }

  // ---- the parts' figures, read where status, the console and tests always read them ---------------------

  /** Protocol alarm levels on per channel (bit set; runtime/alarm-channels.ts). */
  get levels(): Uint8Array {
    return this.alarms.levels;
  }

  /** When each channel left Clear, clock ms (NaN while Clear). */
  get onsetMs(): Float64Array {
    return this.alarms.onsetMs;
  }

  /** Value the vibration alarm reported (PPV, um/s). */
  get vibAlarmUmPerS(): number {
    return this.alarms.vibAlarmUmPerS;
  }

  get downlinksAccepted(): number {
    return this.downlinks.accepted;
  }

  get downlinksRejected(): number {
    return this.downlinks.rejected;
  }

  get configRefused(): number {
    return this.downlinks.configRefused;
  }

  get lastDownlinkError(): string {
    return this.downlinks.lastError;
  }
}
