/**
 * The guided gas flows: `bump-test` (does gas reach the sensor, does the reading come within tolerance in
 * time, does the alarm fire?) and `calibrate` (zero or span, taken on a settled reading, then checked).
 * The tech is guided step by step (Guide: prompts on a terminal, or straight through with --yes); on a
 * simulated node the tool's "hands" apply the gas when the tech would. Pass/fail criteria: tolerances.ts.
 * Every outcome, pass or fail, goes to the registry.
 */

import { gasOverrides } from "../../firmware/node/runtime/gas.js";
import { resolveGasSettings } from "../../firmware/sensing/profiles/index.js";
import type { GasName } from "../../firmware/sensing/profiles/types.js";
import type { ProvisioningRecord } from "../../protocol/provisioning-record.js";
import { ProvisionError } from "./errors.js";
import { resetInterlockAfterBump } from "./interlock-check.js";
import type { ConsoleGas, NodePort } from "./port.js";
import { appendRecord, type RegistryRecord } from "./registry.js";
import { authed, authenticate, fingerprint, identify, lockQuietly, requireRecord, step } from "./session.js";
import { CRITERIA, POLL_MS, STABILIZE_MAX_MS, STABLE_READINGS, toleranceOf } from "./tolerances.js";

/** How the tech is walked through a flow. */
export interface Guide {
  /** Shows an instruction and waits until the tech has done it. */
  ask(instruction: string): Promise<void>;
  say(line: string): void;
}

export interface GasFlowOptions {
  gas: ConsoleGas;
  secret: string;
  registryFile: string;
  tech: string;
  now: () => Date;
  guide: Guide;
}

export interface GasFlowOutcome {
  pass: boolean;
  entry: RegistryRecord;
  lines: string[];
}

const GAS_INDEX: Readonly<Record<ConsoleGas, number>> = { CH4: 0, CO: 1, O2: 2, H2S: 3 };

/** The settings the node runs this gas with: the profile at its location plus its config's overrides. */
function settingsOf(r: ProvisioningRecord, gas: ConsoleGas) {
  const name = gas.toLowerCase() as GasName;
  const setup = { profile: r.profile, location: r.location };
  return resolveGasSettings(r.profile, name, r.location, gasOverrides(setup, GAS_INDEX[gas], r.config));
}

function base(r: ProvisioningRecord, nodeId: string, port: NodePort, o: GasFlowOptions) {
  return {
    nodeId,
    site: r.site,
    level: r.level,
    location: r.location,
    profile: r.profile,
    tech: o.tech,
    port: port.name,
    gas: o.gas,
  };
}

async function read(port: NodePort, gas: ConsoleGas) {
  return step(port, `reading ${gas}`, port.client.reading(gas));
}

const fired = (alarm: string): boolean => alarm !== "" && alarm !== "none" && alarm !== "fault";

export async function bumpTest(
  port: NodePort,
  o: GasFlowOptions & { applied: number; resetInterlock?: boolean },
): Promise<GasFlowOutcome> {
  const { gas, applied } = o;
  const c = CRITERIA[gas];
  const id = await identify(port);
  const r = await requireRecord(port, id);
  const s = settingsOf(r, gas);
  if (!(applied > 0 && applied <= s.rangeMax))
    throw new ProvisionError(
      "usage",
      `--applied ${applied} ${c.unit} is outside the ${gas} sensor's 0..${s.rangeMax} ${c.unit}`,
      applied,
    );
  const a1 = s.a1?.value;
  const falling = s.direction === "falling";
  // OSHA SHIB 09-30-2013: the challenge gas must set the alarms off; a weaker gas proves nothing.
  if (a1 === undefined || (falling ? applied > a1 : applied < a1))
    throw new ProvisionError(
      "usage",
      `--applied ${applied} ${c.unit} ${gas} cannot set off the first alarm at ${a1} ${c.unit} (${r.location}): use a bump gas ${falling ? "at or below" : "at or above"} it (typical: ${c.typicalBump} ${c.unit})`,
      applied,
    );
  await authenticate(port, o.secret);
  const before = await read(port, gas);
  if (before.alarm !== "none")
    throw new ProvisionError(
      "refused",
      `${gas} is already in alarm state "${before.alarm}" at ${before.value} ${c.unit} before any gas: clear or acknowledge it first, then bump-test`,
      before.alarm,
    );
  await step(port, "turning bump-test mode on", port.client.bumpTest(true, gas));
  o.guide.say(`bump test ${gas} on node ${id.nodeId}: reading now ${before.value} ${c.unit}, alarm none`);
  await o.guide.ask(`apply ${applied} ${c.unit} ${gas} to the sensor now and keep it flowing`);
  // The session (and with it bump-test mode) may have ended while the tech was at the prompt: renew both.
  await authed(port, o.secret, "turning bump-test mode on", () => port.client.bumpTest(true, gas));
  port.sim?.applyGas(gas, applied);
  const tol = toleranceOf(gas, applied);
  const t0 = port.clock.now();
  let reachedMs: number | undefined;
  let alarm = "none";
  let peak = before.value;
  while (port.clock.now() - t0 < c.responseTimeMs && !(reachedMs !== undefined && fired(alarm))) {
    await port.sleep(POLL_MS);
    const now = await read(port, gas);
    if (falling ? now.value < peak : now.value > peak) peak = now.value;
    if (reachedMs === undefined && Math.abs(now.value - applied) <= tol) reachedMs = port.clock.now() - t0;
    if (fired(now.alarm) && !fired(alarm)) alarm = now.alarm;
    if (now.alarm === "fault") alarm = "fault";
  }
  await o.guide.ask(`remove the gas from the ${gas} sensor`);
  port.sim?.applyGas(gas, undefined);
  await authed(port, o.secret, "turning bump-test mode off", () => port.client.bumpTest(false));
  const interlock =
    gas === "CH4" && o.resetInterlock ? await resetInterlockAfterBump(port, o.secret, r, applied) : undefined;
  await lockQuietly(port);
  const pass = reachedMs !== undefined && fired(alarm) && interlock?.ok !== false;
  const limitS = c.responseTimeMs / 1000;
  const note = [
    reachedMs === undefined
      ? `reading never came within +-${round(tol)} ${c.unit} of ${applied} in ${limitS} s (${falling ? "lowest" : "peak"} ${peak})`
      : `reading within +-${round(tol)} ${c.unit} of ${applied} after ${round(reachedMs / 1000)} s (limit ${limitS} s)`,
    fired(alarm) ? `alarm ${alarm}` : `no alarm fired (state ${alarm})`,
    interlock?.text ?? "",
  ]
    .filter(Boolean)
    .join("; ");
  const entry = appendRecord(
    o.registryFile,
    {
      kind: "bump-test",
      ...base(r, id.nodeId, port, o),
      result: pass ? "pass" : "fail",
      applied,
      unit: c.unit,
      before: before.value,
      reading: peak,
      responseS: reachedMs === undefined ? null : round(reachedMs / 1000),
      alarm,
      note,
    },
    o.now(),
  );
  const lines = [
    `bump test ${gas} on ${id.nodeId}: ${pass ? "PASS" : "FAIL"}: ${note}`,
    ...(pass
      ? []
      : [
          "  (ISEA: a node that fails a bump test is calibrated; one that fails calibration is taken out of service)",
        ]),
    ...(gas === "CH4" && fired(alarm) && !interlock
      ? [
          "  the methane interlock trips at its set-point: reset it once the gas has cleared (reset button, INTERLOCK.RESET, or bump-test --reset-interlock)",
        ]
      : []),
    `  registry entry #${entry.seq}`,
  ];
  return { pass, entry, lines };
}

export async function calibrate(
  port: NodePort,
  o: GasFlowOptions & { mode: "zero" | "span"; applied: number },
): Promise<GasFlowOutcome> {
  const { gas, mode } = o;
  const c = CRITERIA[gas];
  const applied = mode === "zero" ? 0 : o.applied;
  const id = await identify(port);
  const r = await requireRecord(port, id);
  const s = settingsOf(r, gas);
  if (mode === "span" && !(applied > 0 && applied <= s.rangeMax))
    throw new ProvisionError(
      "usage",
      `--span ${applied} ${c.unit} is outside the ${gas} sensor's 0..${s.rangeMax} ${c.unit}`,
      applied,
    );
  await authenticate(port, o.secret);
  const first = await read(port, gas);
  o.guide.say(`${mode} calibration ${gas} on node ${id.nodeId}: reading now ${first.value} ${c.unit}`);
  await o.guide.ask(
    mode === "zero"
      ? `apply zero gas to the ${gas} sensor (${gas === "O2" ? "pure nitrogen" : "zero air"}) and keep it flowing`
      : `apply ${applied} ${c.unit} ${gas} span gas to the sensor and keep it flowing`,
  );
  port.sim?.applyGas(gas, applied);
  // The node calibrates on the mean of its last few unsmoothed readings (what READ shows) and refuses
  // `unstable` while they spread (firmware/node/console/provisioning-calibrate.ts): STABLE_READINGS steady
  // READs are enough.
  const settled = await settle(port, gas, c.stableBand);
  let result: { value: number } | undefined;
  let note: string;
  if (settled === undefined)
    note = `reading did not settle within +-${c.stableBand} ${c.unit} in ${STABILIZE_MAX_MS / 1000} s: check the gas flow and the cell`;
  else {
    try {
      result = await authed(port, o.secret, `${mode} calibration`, () =>
        mode === "zero" ? port.client.calibrateZero(gas) : port.client.calibrateSpan(gas, applied),
      );
      note = "";
    } catch (e) {
      if (!(e instanceof ProvisionError) || e.code !== "refused") throw e;
      note = `node refused the calibration: ${e.message.replace(/^node refused [^:]*: /, "")}`;
    }
  }
  // Check with the node's own reading, gas still flowing, not with the calibration's reply alone.
  let check: number | undefined;
  if (result !== undefined) {
    await port.sleep(POLL_MS);
    check = (await read(port, gas)).value;
  }
  await o.guide.ask(`remove the gas from the ${gas} sensor`);
  port.sim?.applyGas(gas, undefined);
  const band = mode === "zero" ? c.zeroBand : c.spanTolerance * applied;
  const pass =
    check !== undefined && Math.abs(check - applied) <= band && Math.abs(result!.value - applied) <= band;
  if (check !== undefined)
    note = pass
      ? `reading ${settled} -> ${check} ${c.unit} (target ${applied} +-${round(band)})`
      : `after calibration the node reads ${check} ${c.unit} (its reply said ${result!.value}), outside ${applied} +-${round(band)}: repeat, or take the sensor out of service`;
  const held = await step(port, "reading the config", port.client.readConfig());
  await lockQuietly(port);
  const entry = appendRecord(
    o.registryFile,
    {
      kind: "calibration",
      ...base(r, id.nodeId, port, o),
      mode,
      result: pass ? "pass" : "fail",
      applied,
      unit: c.unit,
      ...(settled !== undefined ? { before: settled } : {}),
      ...(check !== undefined ? { reading: check } : {}),
      cfg: fingerprint(held),
      note,
    },
    o.now(),
  );
  return {
    pass,
    entry,
    lines: [
      `${mode} calibration ${gas} on ${id.nodeId}: ${pass ? "PASS" : "FAIL"}: ${note}`,
      `  registry entry #${entry.seq}`,
    ],
  };
}

/**
 * Polls READ until STABLE_READINGS in a row lie within `band`; the last reading, or undefined when it does
 * not settle within STABILIZE_MAX_MS.
 */
async function settle(port: NodePort, gas: ConsoleGas, band: number): Promise<number | undefined> {
  const t0 = port.clock.now();
  const recent: number[] = [];
  while (port.clock.now() - t0 < STABILIZE_MAX_MS) {
    await port.sleep(POLL_MS);
    recent.push((await read(port, gas)).value);
    if (recent.length > STABLE_READINGS) recent.shift();
    if (recent.length === STABLE_READINGS && Math.max(...recent) - Math.min(...recent) <= band)
      return recent.at(-1);
  }
  return undefined;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
