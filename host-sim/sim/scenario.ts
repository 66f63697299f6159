/**
 * The scenario schema (host-sim/scenarios/README.md documents it for users) and its validation. A scenario
 * is plain data read from YAML or JSON; `checkScenario` turns it into a typed, fully defaulted Scenario or
 * throws a ScenarioError naming the file, the field path and the problem. Unknown fields are errors too:
 * a misspelt `durationS` must not silently run the default.
 */
import { GAS_PROFILES } from "../../firmware/sensing/profiles/index.js";
import {
  DRAWN_KINDS,
  type DrawnKind,
  drawable,
  FAULT_KINDS,
  type FaultSpec,
  SENSOR_MODES,
  SENSORS,
} from "../fault-plan.js";
import type { GasEvent, SeismicEvent } from "../recordings/synth/scenario.js";
import { ScenarioError, shown } from "./errors.js";

export const VARIANTS = ["gas", "vibration", "combo"] as const;
export const LOCATIONS = ["intake", "face", "return", "local"] as const;
export const TRANSPORTS = ["mqtt", "lorawan", "both"] as const;
export const GAS_CHANNELS = ["ch4", "co", "o2", "h2s"] as const;
export const REGIONS = ["EU868", "RU864"] as const;

export interface LorawanSpec {
  region: (typeof REGIONS)[number];
  /** Fixed data rate DR0..DR5 (EU868 / RU864 125 kHz rates). */
  dataRate: number;
}

export interface NodeSpec {
  id: string;
  variant: (typeof VARIANTS)[number];
  location: (typeof LOCATIONS)[number];
  profile: string;
  transport: (typeof TRANSPORTS)[number];
  lorawan: LorawanSpec;
  /** Accelerometer output data rate and STA/LTA windows (vibration and combo nodes). */
  odrHz: number;
  staS: number;
  ltaS: number;
  /** Synthetic recording seed; undefined = derived from the run seed and the node's index. */
  recordingSeed: number | undefined;
  /**
   * A recorded gas (and optionally acceleration) stream to replay instead of the synthetic generator:
   * a recording directory, manifest, CSV or MiniSEED file (host-sim/recordings/FORMAT.md). Relative to the
   * scenario file; load.ts makes it absolute.
   */
  recording: string | undefined;
  gas: {
    baseline: Partial<Record<(typeof GAS_CHANNELS)[number], number>>;
    noiseSd: Partial<Record<(typeof GAS_CHANNELS)[number], number>>;
    events: GasEvent[];
  };
  seismic: { noiseSdMPerS2: number; events: SeismicEvent[] };
}

// Fault kinds, sensors and their modes live with the run's fault plan (host-sim/fault-plan.ts).
export type { DrawnFaults, FaultSpec, PinnedFault, SensorName } from "../fault-plan.js";
export { SENSOR_MODES, SENSORS };

export const LABEL_KINDS_ALARMING = ["gas-crossing", "microseismic", "blast", "teleseism"] as const;

export type ExpectationSpec =
  | { kind: "alarm-within"; withinS: number; nodes: string[]; labels: string[] }
  | { kind: "no-frame-lost"; nodes: string[] }
  | { kind: "no-false-alarm"; nodes: string[]; toleranceS: number }
  | { kind: "duty-cycle"; nodes: string[] }
  | {
      kind: "relay-trip-within";
      withinMs: number;
      nodes: string[];
      /** The labelled event E: a label kind, its channel, and (gas crossings) its level. */
      label: (typeof RELAY_LABEL_KINDS)[number];
      channel: (typeof GAS_CHANNELS)[number];
      level: "A1" | "A2" | undefined;
    }
  | { kind: "relay-no-auto-reenergise"; nodes: string[] };

/** Labels a relay trip can be measured from (the gas labels of a recording: host-sim/recordings/labels.ts). */
export const RELAY_LABEL_KINDS = ["gas-crossing", "gas-inrush", "gas-accumulation"] as const;
export const EXPECTATION_KINDS = [
  "alarm-within",
  "no-frame-lost",
  "no-false-alarm",
  "duty-cycle",
  "relay-trip-within",
  "relay-no-auto-reenergise",
] as const;

export interface Scenario {
  name: string;
  description: string;
  durationS: number;
  site: string;
  /** Seed used when the command line gives none. */
  seed: number;
  /** Sampling period of the plotted traces. */
  traceEveryS: number;
  nodes: NodeSpec[];
  faults: FaultSpec[];
  expect: ExpectationSpec[];
}

type Obj = Record<string, unknown>;

/** Walks a parsed document, keeping the field path for error messages. */
class Reader {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(problem: string, field = this.path, value: unknown = this.value): never {
    throw new ScenarioError("bad-field", this.file, field, problem, value);
  }

  at(key: string | number): Reader {
    const p =
      typeof key === "number" ? `${this.path}[${key}]` : this.path === "" ? key : `${this.path}.${key}`;
    const v = this.value as Obj;
    return new Reader(this.file, p, v?.[key as string]);
  }

  object(allowed: readonly string[]): Obj {
    const v = this.value;
    if (typeof v !== "object" || v === null || Array.isArray(v))
      this.fail(`must be a mapping, got ${shown(v)}`);
    for (const k of Object.keys(v as Obj)) {
      if (!allowed.includes(k)) {
        const field = this.path === "" ? k : `${this.path}.${k}`;
        throw new ScenarioError(
          "unknown-field",
          this.file,
          field,
          `unknown field (allowed here: ${allowed.join(", ")})`,
          k,
        );
      }
    }
    return v as Obj;
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  number(
    o: { min?: number; max?: number; integer?: boolean; default?: number; above?: number } = {},
  ): number {
    if (!this.present && o.default !== undefined) return o.default;
    const v = this.value;
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(`must be a finite number, got ${shown(v)}`);
    if (o.integer && !Number.isInteger(v)) this.fail(`must be an integer, got ${shown(v)}`);
    if (o.min !== undefined && v < o.min) this.fail(`must be >= ${o.min}, got ${shown(v)}`);
    if (o.above !== undefined && !(v > o.above)) this.fail(`must be > ${o.above}, got ${shown(v)}`);
    if (o.max !== undefined && v > o.max) this.fail(`must be <= ${o.max}, got ${shown(v)}`);
    return v;
  }

  string(o: { default?: string; pattern?: RegExp; what?: string } = {}): string {
    if (!this.present && o.default !== undefined) return o.default;
    const v = this.value;
    if (typeof v !== "string" || v === "") this.fail(`must be a non-empty string, got ${shown(v)}`);
    if (o.pattern && !o.pattern.test(v))
      this.fail(`must be ${o.what ?? `like ${o.pattern}`}, got ${shown(v)}`);
    return v;
  }

  oneOf<T extends string>(choices: readonly T[], dflt?: T): T {
    if (!this.present && dflt !== undefined) return dflt;
    const v = this.value;
    if (!choices.includes(v as T)) this.fail(`must be one of ${choices.join(", ")}, got ${shown(v)}`);
    return v as T;
  }

  list(optional = true): Reader[] {
    if (!this.present && optional) return [];
    if (!Array.isArray(this.value)) this.fail(`must be a list, got ${shown(this.value)}`);
    return (this.value as unknown[]).map((_, i) => this.at(i));
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Output data rates of the ADXL355 a scenario may choose, Hz. */
const ODR_HZ: readonly number[] = [62.5, 125, 250, 500, 1000];
/**
 * Nodes one scenario may simulate, all entries and counts together: a large mine's fleet is hundreds of
 * nodes, and each simulated node holds its own flash, chips and runtime (issue 14 item 11: 30 x 1000 was
 * accepted and exhausted the machine).
 */
export const MAX_FLEET_NODES = 2000;

/** Validates a parsed scenario document; throws ScenarioError (file, field, problem). */
export function checkScenario(raw: unknown, file: string): Scenario {
  const r = new Reader(file, "", raw);
  r.object(["name", "description", "durationS", "site", "seed", "traceEveryS", "nodes", "faults", "expect"]);
  const name = r.at("name").string({ pattern: NAME, what: "lowercase letters, digits, . _ - (max 63)" });
  const durationS = r.at("durationS").number({ above: 0, max: 7 * 86400 });
  const nodesR = r.at("nodes");
  const nodeList = nodesR.list(false);
  if (nodeList.length === 0) nodesR.fail("must list at least one node");
  const nodes: NodeSpec[] = [];
  for (const n of nodeList) {
    nodes.push(...checkNode(n, durationS));
    if (nodes.length > MAX_FLEET_NODES) {
      nodesR.fail(
        `a scenario may simulate at most ${MAX_FLEET_NODES} nodes (a large mine's fleet); these entries add up to more`,
      );
    }
  }
  const ids = new Set<string>();
  nodes.forEach((n, i) => {
    if (ids.has(n.id)) nodesR.at(i).fail(`duplicate node id ${shown(n.id)}`, `${nodesR.path}[${i}].id`, n.id);
    ids.add(n.id);
  });
  const nodeRefs = (x: Reader, dflt: "all" | "none"): string[] => {
    if (!x.present) return dflt === "all" ? [...ids] : [];
    return x.list().map((e) => {
      const id = e.string();
      if (!ids.has(id)) e.fail(`no node named ${shown(id)} (nodes: ${[...ids].slice(0, 8).join(", ")})`);
      return id;
    });
  };
  const faults = r
    .at("faults")
    .list()
    .map((f) => checkFault(f, durationS, nodes, nodeRefs));
  const expect = r
    .at("expect")
    .list()
    .map((e) => checkExpectation(e, nodeRefs, nodes));
  return {
    name,
    description: r.at("description").string({ default: "" }),
    durationS,
    site: r
      .at("site")
      .string({ default: "sim-site", pattern: /^[a-z0-9][a-z0-9_-]{0,31}$/, what: "a site name" }),
    seed: r.at("seed").number({ integer: true, min: 0, max: 0xffffffff, default: 1 }),
    traceEveryS: r.at("traceEveryS").number({ above: 0, default: Math.max(1, Math.round(durationS / 600)) }),
    nodes,
    faults,
    expect,
  };
}

function checkNode(n: Reader, durationS: number): NodeSpec[] {
  n.object([
    "id",
    "count",
    "variant",
    "location",
    "profile",
    "transport",
    "lorawan",
    "odrHz",
    "staS",
    "ltaS",
    "recordingSeed",
    "recording",
    "gas",
    "seismic",
  ]);
  const id = n.at("id").string({ pattern: NAME, what: "lowercase letters, digits, . _ - (max 63)" });
  const count = n.at("count").number({ integer: true, min: 1, max: 1000, default: 1 });
  const variant = n.at("variant").oneOf(VARIANTS);
  const profiles = GAS_PROFILES.map((p) => p.name);
  const profile = n.at("profile").string({ default: "kz-ru-coal" });
  if (!profiles.includes(profile))
    n.at("profile").fail(`unknown gas profile (known: ${profiles.join(", ")})`);
  const lw = n.at("lorawan");
  if (lw.present) lw.object(["region", "dataRate"]);
  const lorawan: LorawanSpec = {
    region: lw.at("region").oneOf(REGIONS, "EU868"),
    dataRate: lw.at("dataRate").number({ integer: true, min: 0, max: 5, default: 5 }),
  };
  const gasR = n.at("gas");
  if (gasR.present && variant === "vibration") gasR.fail("a vibration node has no gas sensors");
  if (gasR.present) gasR.object(["baseline", "noiseSd", "events"]);
  const perGas = (x: Reader): Partial<Record<(typeof GAS_CHANNELS)[number], number>> => {
    if (!x.present) return {};
    x.object(GAS_CHANNELS);
    const out: Partial<Record<(typeof GAS_CHANNELS)[number], number>> = {};
    for (const g of GAS_CHANNELS) if (x.at(g).present) out[g] = x.at(g).number({ min: 0 });
    return out;
  };
  const seisR = n.at("seismic");
  if (seisR.present && variant === "gas") seisR.fail("a gas node has no accelerometer");
  if (seisR.present) seisR.object(["noiseSdMPerS2", "events"]);
  // A number in YAML (`odrHz: 125`), compared as a number (issue 14 item 9: it was compared as a string).
  const odrR = n.at("odrHz");
  const odrHz = odrR.present ? Number(odrR.value) : 62.5;
  if (odrR.present && (typeof odrR.value !== "number" || !ODR_HZ.includes(odrHz)))
    odrR.fail(`must be one of ${ODR_HZ.join(", ")} (Hz), got ${shown(odrR.value)}`);
  const base: Omit<NodeSpec, "id"> = {
    variant,
    location: n.at("location").oneOf(LOCATIONS, "face"),
    profile,
    transport: n.at("transport").oneOf(TRANSPORTS, "mqtt"),
    lorawan,
    odrHz,
    staS: n.at("staS").number({ above: 0, max: 10, default: 0.2 }),
    ltaS: n.at("ltaS").number({ above: 0, max: 600, default: 10 }),
    recordingSeed: n.at("recordingSeed").present
      ? n.at("recordingSeed").number({ integer: true, min: 0, max: 0xffffffff })
      : undefined,
    recording: n.at("recording").present ? n.at("recording").string({ what: "a recording path" }) : undefined,
    gas: {
      baseline: perGas(gasR.at("baseline")),
      noiseSd: perGas(gasR.at("noiseSd")),
      events: gasR
        .at("events")
        .list()
        .map((e) => checkGasEvent(e, durationS)),
    },
    seismic: {
      noiseSdMPerS2: seisR.at("noiseSdMPerS2").number({ min: 0, max: 1, default: 3.5e-3 }),
      events: seisR
        .at("events")
        .list()
        .map((e) => checkSeismicEvent(e, durationS)),
    },
  };
  if (base.recording !== undefined && gasR.at("events").present)
    gasR.at("events").fail("a node replaying a recording takes its gas from it: give events or a recording");
  if (base.staS >= base.ltaS) n.at("staS").fail(`must be shorter than ltaS (${base.ltaS} s)`);
  if (count === 1) return [{ id, ...base }];
  // A fleet of identical nodes: ids id-1 .. id-N, each with its own seed (derived from its index).
  return Array.from({ length: count }, (_, i) => ({ id: `${id}-${i + 1}`, ...base }));
}

const GAS_EVENT_FIELDS: Record<string, readonly string[]> = {
  "gas-inrush": ["peak", "riseTauS", "holdS", "decayTauS"],
  "toxic-release": ["peak", "riseTauS", "holdS", "decayTauS"],
  "gas-accumulation": ["ratePerH", "durationS", "decayTauS"],
  "o2-deficiency": ["dropPctVol", "tauS", "holdS"],
  "sensor-drift": ["ratePerDay"],
  "fault-stuck": ["durationS"],
  "fault-dropout": ["durationS"],
  "fault-spike": ["delta"],
};

function checkGasEvent(e: Reader, durationS: number): GasEvent {
  const kind = e.at("kind").oneOf(Object.keys(GAS_EVENT_FIELDS));
  const fields = GAS_EVENT_FIELDS[kind]!;
  const o = e.object(["kind", "tS", "channel", ...fields]);
  const out: Obj = { kind, tS: e.at("tS").number({ min: 0, max: durationS }) };
  out.channel =
    kind === "o2-deficiency" ? e.at("channel").oneOf(["o2"], "o2") : e.at("channel").oneOf(GAS_CHANNELS);
  for (const f of fields) {
    const signed = f === "delta" || f === "ratePerDay";
    out[f] = e.at(f).number(signed ? {} : f.endsWith("TauS") || f === "tauS" ? { above: 0 } : { min: 0 });
  }
  void o;
  return out as unknown as GasEvent;
}

const SEISMIC_EVENT_FIELDS: Record<
  string,
  Record<string, { above?: number; min?: number; integer?: boolean }>
> = {
  microseismic: {
    pgaMPerS2: { above: 0 },
    cornerHz: { above: 0 },
    distanceM: { min: 0 },
    azimuthRad: {},
    dipRad: {},
  },
  blast: {
    pgaMPerS2: { above: 0 },
    cornerHz: { above: 0 },
    holes: { min: 1, integer: true },
    delayMs: { min: 0 },
  },
  machinery: { durationS: { above: 0 }, fundamentalHz: { above: 0 }, rmsMPerS2: { min: 0 } },
};

function checkSeismicEvent(e: Reader, durationS: number): SeismicEvent {
  const kind = e.at("kind").oneOf(Object.keys(SEISMIC_EVENT_FIELDS));
  const fields = SEISMIC_EVENT_FIELDS[kind]!;
  e.object(["kind", "tS", ...Object.keys(fields)]);
  const out: Obj = { kind, tS: e.at("tS").number({ min: 0, max: durationS }) };
  for (const [f, rule] of Object.entries(fields)) {
    const dflt = f === "azimuthRad" || f === "dipRad" ? 0 : undefined;
    out[f] = e.at(f).number(dflt === undefined ? rule : { ...rule, default: dflt });
  }
  return out as unknown as SeismicEvent;
}

function checkFault(
  f: Reader,
  durationS: number,
  nodes: NodeSpec[],
  nodeRefs: (x: Reader, dflt: "all" | "none") => string[],
): FaultSpec {
  const kind = f.at("kind").oneOf([...FAULT_KINDS, "drawn"] as const);
  const atS = (): number => f.at("atS").number({ min: 0, max: durationS });
  const dur = (dflt?: number): number =>
    f.at("durationS").number({ above: 0, ...(dflt === undefined ? {} : { default: dflt }) });
  switch (kind) {
    case "broker-outage":
    case "gateway-down":
      f.object(["kind", "atS", "durationS"]);
      return { kind, atS: atS(), durationS: dur() };
    case "radio-loss": {
      f.object(["kind", "atS", "durationS", "rate", "nodes"]);
      const ids = nodeRefs(f.at("nodes"), "all");
      const noRadio = ids.find((id) => nodes.find((n) => n.id === id)!.transport === "mqtt");
      if (noRadio && f.at("nodes").present) f.at("nodes").fail(`node ${shown(noRadio)} has no LoRaWAN radio`);
      const start = f.at("atS").present ? atS() : 0;
      return {
        kind,
        atS: start,
        durationS: dur(durationS - start),
        rate: f.at("rate").number({ min: 0, max: 1 }),
        nodes: ids,
      };
    }
    case "power-cut":
      f.object(["kind", "atS", "durationS", "nodes"]);
      return { kind, atS: atS(), durationS: dur(), nodes: requireNodes(f, nodeRefs) };
    case "sensor-fault": {
      f.object(["kind", "atS", "durationS", "nodes", "sensor", "mode"]);
      const sensor = f.at("sensor").oneOf(SENSORS);
      const mode = f.at("mode").oneOf(SENSOR_MODES[sensor]);
      const ids = requireNodes(f, nodeRefs);
      for (const id of ids) {
        const v = nodes.find((n) => n.id === id)!.variant;
        if ((sensor === "accel" && v === "gas") || (sensor !== "accel" && v === "vibration"))
          f.at("nodes").fail(`node ${shown(id)} (${v}) has no ${sensor} sensor`);
      }
      return { kind, atS: atS(), durationS: dur(), nodes: ids, sensor, mode };
    }
    case "clock-drift":
      f.object(["kind", "ppm", "nodes"]);
      return {
        kind,
        ppm: f.at("ppm").number({ min: -10000, max: 10000 }),
        nodes: requireNodes(f, nodeRefs),
      };
    case "drawn": {
      // The plan draws `count` faults from the run seed (host-sim/fault-plan.ts planFaults).
      f.object(["kind", "count", "kinds", "nodes", "minDurationS", "maxDurationS"]);
      const ids = nodeRefs(f.at("nodes"), "all");
      const listed = f.at("kinds").present
        ? f
            .at("kinds")
            .list()
            .map((k) => k.oneOf(DRAWN_KINDS))
        : undefined;
      for (const [i, k] of (listed ?? []).entries()) {
        if (!drawable(k, ids, nodes)) f.at("kinds").at(i).fail(`no listed node can take a ${k} fault`);
      }
      const kinds: DrawnKind[] = listed ?? DRAWN_KINDS.filter((k) => drawable(k, ids, nodes));
      const minDurationS = f
        .at("minDurationS")
        .number({ above: 0, max: durationS, default: Math.min(10, durationS) });
      const maxDurationS = f.at("maxDurationS").number({
        min: minDurationS,
        max: durationS,
        default: Math.max(minDurationS, Math.min(120, durationS)),
      });
      return {
        kind,
        count: f.at("count").number({ integer: true, min: 1, max: 1000 }),
        kinds,
        nodes: ids,
        minDurationS,
        maxDurationS,
      };
    }
  }
}

function requireNodes(f: Reader, nodeRefs: (x: Reader, dflt: "all" | "none") => string[]): string[] {
  const ids = nodeRefs(f.at("nodes"), "none");
  if (ids.length === 0) f.at("nodes").fail("must list the node ids this fault applies to");
  return ids;
}

/**
 * Nodes an interlock expectation applies to: those listed (each must have the interlock: a gas or combo
 * node, host-sim/node/sim-node.ts), or by default every node that has one.
 */
function interlockNodes(
  e: Reader,
  nodeRefs: (x: Reader, dflt: "all" | "none") => string[],
  nodes: readonly NodeSpec[],
): string[] {
  const listed = e.at("nodes").present;
  const ids = nodeRefs(e.at("nodes"), "all").filter(
    (id) => listed || nodes.find((n) => n.id === id)!.variant !== "vibration",
  );
  for (const id of ids)
    if (nodes.find((n) => n.id === id)!.variant === "vibration")
      e.at("nodes").fail(`node ${shown(id)} is a vibration node: it has no methane interlock relay`);
  if (ids.length === 0) e.at("nodes").fail("no gas or combo node (no node has an interlock relay)");
  return ids;
}

function checkExpectation(
  e: Reader,
  nodeRefs: (x: Reader, dflt: "all" | "none") => string[],
  nodes: readonly NodeSpec[],
): ExpectationSpec {
  const kind = e.at("kind").oneOf(EXPECTATION_KINDS);
  switch (kind) {
    case "relay-trip-within": {
      e.object(["kind", "withinMs", "nodes", "label", "channel", "level"]);
      const label = e.at("label").oneOf(RELAY_LABEL_KINDS, "gas-crossing");
      const level = e.at("level").present
        ? e.at("level").oneOf(["A1", "A2"] as const)
        : label === "gas-crossing"
          ? "A2"
          : undefined;
      if (level !== undefined && label !== "gas-crossing")
        e.at("level").fail(`only a gas-crossing label has a level (label is ${shown(label)})`);
      return {
        kind,
        withinMs: e.at("withinMs").number({ above: 0, max: 3_600_000 }),
        nodes: interlockNodes(e, nodeRefs, nodes),
        label,
        channel: e.at("channel").oneOf(GAS_CHANNELS, "ch4"),
        level,
      };
    }
    case "relay-no-auto-reenergise":
      e.object(["kind", "nodes"]);
      return { kind, nodes: interlockNodes(e, nodeRefs, nodes) };
    case "alarm-within": {
      e.object(["kind", "withinS", "nodes", "labels"]);
      const labels = e.at("labels").present
        ? e
            .at("labels")
            .list()
            .map((l) => l.oneOf(LABEL_KINDS_ALARMING))
        : [...LABEL_KINDS_ALARMING];
      return {
        kind,
        withinS: e.at("withinS").number({ above: 0 }),
        nodes: nodeRefs(e.at("nodes"), "all"),
        labels,
      };
    }
    case "no-false-alarm":
      e.object(["kind", "nodes", "toleranceS"]);
      return {
        kind,
        nodes: nodeRefs(e.at("nodes"), "all"),
        toleranceS: e.at("toleranceS").number({ min: 0, default: 30 }),
      };
    default:
      e.object(["kind", "nodes"]);
      return { kind, nodes: nodeRefs(e.at("nodes"), "all") };
  }
}
