/**
 * `provision`: commission one node from node.yaml. Order matters for safety:
 * 1. everything is checked BEFORE the first write: the file, the node's own acceptance rules (run here on
 *    the host), the registry (a node already registered under another id, an id already taken), and that an
 *    override is given exactly when something needs one;
 * 2. then the record goes over the console's atomic transfer (nothing changes on the node unless the whole
 *    record arrives intact: a pulled cable leaves the previous config), then the keys;
 * 3. the node reboots into its new identity, and everything is read back and compared (id, record bytes,
 *    CRC, key check values); only then is the registry written.
 * Calibration the node already holds is kept unless node.yaml gives one (re-provisioning must not silently
 * undo a span calibration); so are its keys unless --keys or --new-keys (see ProvisionOptions.keys).
 */

import { existsSync } from "node:fs";
import { gasOverrides } from "../../firmware/node/runtime/gas.js";
import { gasProfileNamed, resolveGasSettings } from "../../firmware/sensing/profiles/index.js";
import { GAS_NAMES } from "../../firmware/sensing/profiles/types.js";
import { crc32 } from "../../protocol/checksums.js";
import { encodeProvisioning, type ProvisioningRecord, TEXT_MAX } from "../../protocol/provisioning-record.js";
import { ProvisionError } from "./errors.js";
import {
  beginRotation,
  commitRotation,
  GENERATED_SLOTS,
  generateKeys,
  generateNodeId,
  type KeySet,
  keyCheckValue,
  keyFilePath,
  pendingKeyPath,
  settleRotation,
  weakKeyProblem,
} from "./keys.js";
import { buildRecord, checkNodeRecord, describeDeviation, type NodeConfigFile } from "./node-config.js";
import type { NodePort } from "./port.js";
import { appendRecord, currentNodes, type RegistryRecord, readRegistry } from "./registry.js";
import {
  authenticate,
  fingerprint,
  fittedGases,
  hex8,
  identify,
  lockQuietly,
  readRecord,
  step,
} from "./session.js";

export interface ProvisionOptions {
  configFile: string;
  config: NodeConfigFile;
  /** `--override "<reason>"`: accepts looser set-points / an id change, and is recorded. */
  override: string | undefined;
  /**
   * `--keys FILE`: keys to write. Otherwise a node that already holds a MAC key keeps its keys (a silent
   * rotation would make the collector reject every frame, alarms included, until it got the new key),
   * unless `newKeys`; a node without one gets keys generated and saved to `keysDir`.
   */
  keys: KeySet | undefined;
  newKeys?: boolean;
  keysFile: string | undefined;
  keysDir: string;
  secret: string;
  registryFile: string;
  tech: string;
  now: () => Date;
  /** Progress lines (the CLI prints them; tests collect them). */
  say: (line: string) => void;
}

export interface ProvisionResult {
  entry: RegistryRecord;
  summary: string[];
}

/** Time the node gets to reboot and take its first readings before the read-back. */
export const REBOOT_SETTLE_MS = 3_000;

export async function provision(port: NodePort, o: ProvisionOptions): Promise<ProvisionResult> {
  const override = o.override?.trim() ?? "";
  if (
    o.override !== undefined &&
    (override.length === 0 || override.length > TEXT_MAX[4] || !/^[\x20-\x7e]+$/.test(override))
  )
    throw new ProvisionError(
      "usage",
      `--override needs a reason of 1..${TEXT_MAX[4]} printable ASCII characters (it is stored on the node and in the registry)`,
      o.override,
    );
  for (const [slot, key] of o.keys ?? []) {
    const weak = weakKeyProblem(slot, key);
    if (weak) throw new ProvisionError("bad-file", `${o.keysFile ?? "--keys"}: ${weak}`, slot);
  }
  const registry = readRegistry(o.registryFile);
  const id = await identify(port);
  const current = await readRecord(port, id);
  // A node's id is its factory EUI-64 and the node refuses a record for any other (it would clone that
  // node's identity). Only a node with none at all gets one generated here.
  const nodeId = id.nodeId === "unprovisioned" ? generateNodeId() : id.nodeId;
  if (o.config.nodeId !== undefined && o.config.nodeId !== nodeId)
    throw new ProvisionError(
      "refused",
      `${o.configFile} is for node ${o.config.nodeId} but ${port.name} is node ${nodeId}: connect the right node or use its own node.yaml`,
      nodeId,
    );
  // A rotation a cut run left unfinished is settled first, from what the node holds (keys.ts).
  if (existsSync(pendingKeyPath(o.keysDir, nodeId))) {
    const held: Record<string, string | null> = {};
    for (const slot of GENERATED_SLOTS)
      held[slot] = await step(port, `reading the ${slot} key check value`, port.client.keyCheckValue(slot));
    const settled = settleRotation(o.keysDir, nodeId, held);
    if (settled) o.say(settled);
  }
  const record = buildRecord(o.config, nodeId, override);
  if (current)
    for (let g = 0; g < 4; g++)
      if (o.config.calibration[GAS_NAMES[g]!] === undefined) {
        record.calGain[g] = current.calGain[g]!;
        record.calOffset[g] = current.calOffset[g]!;
      }

  // --- checks, nothing written yet -----------------------------------------------------------------------
  const devs = checkNodeRecord(record, o.configFile);
  const reasons: string[] = devs.map((d) => describeDeviation(d, record.profile, record.location));
  // A node registered at one place and now described as another: a move, or a swapped node.yaml.
  const nodes = currentNodes(registry.records);
  const was = nodes.get(nodeId);
  if (was && (was.site !== record.site || was.level !== record.level || was.location !== record.location))
    reasons.push(
      `node ${nodeId} is registered at ${where(was)}; node.yaml puts it at ${record.site} ${record.level} ${record.location}`,
    );
  // A node that already holds the MAC key of another registered id was registered under that id (its id
  // changed since: a re-flash, a replaced board with the old NVS): two ids for one node in the collector.
  const macKcv = await step(port, "reading the key check value", port.client.keyCheckValue("mac"));
  for (const other of nodes.values())
    if (macKcv && other.nodeId !== nodeId && other.kcv?.mac === macKcv.toUpperCase())
      reasons.push(
        `this node holds the MAC key of registered node ${other.nodeId} (${where(other)}): it is already registered under that id`,
      );
  const clashes = reasons.slice(devs.length);
  if (clashes.length > 0 && !override)
    throw new ProvisionError(
      "refused",
      `${clashes.join("; ")}: check you have the right node and file; if it is intended (a move, a re-flashed board), use --override "<reason>" (recorded)`,
      nodeId,
    );
  if (override && reasons.length === 0)
    throw new ProvisionError(
      "usage",
      "--override given but nothing needs one (every set-point is within the profile, the place is unchanged): drop --override",
      override,
    );

  // --- write ------------------------------------------------------------------------------------------------
  const keySource = o.keys ? "file" : macKcv && !o.newKeys ? "kept" : "generated";
  const keys: KeySet = o.keys ?? (keySource === "generated" ? generateKeys() : new Map());
  // Journalled before the node gets them (a run cut after KEY.SET must never leave a key that nobody has),
  // and confirmed only once the node reports them after its reboot: the keys it holds now stay on disk.
  if (keySource === "generated") beginRotation(o.keysDir, nodeId, keys);
  const keysFile = keySource === "generated" ? keyFilePath(o.keysDir, nodeId) : o.keysFile;
  const bytes = encodeProvisioning(record);
  const crc = crc32(bytes);
  await authenticate(port, o.secret);
  o.say(`writing ${bytes.length}-byte config to ${port.name}...`);
  await step(port, "writing the config", port.client.writeConfig(bytes));
  const kcv: Record<string, string> = {};
  for (const [slot, key] of keys) {
    const got = await step(port, `writing the ${slot} key`, port.client.writeKey(slot, key));
    kcv[slot] = keyCheckValue(key);
    if (got.toUpperCase() !== kcv[slot])
      throw new ProvisionError(
        "readback",
        `node reports key check value ${got} for ${slot}, expected ${kcv[slot]}: run provision again`,
        slot,
      );
  }
  o.say("rebooting the node into its new identity...");
  await step(port, "rebooting the node", port.client.reboot());
  await port.sleep(REBOOT_SETTLE_MS);

  // --- read back and compare ---------------------------------------------------------------------------
  // ID's cfgcrc is the CRC-32 of the record the node holds, which identifies it (a record's own check is a
  // CRC-32C, so the CRC-32 over the whole record depends on every byte: protocol/provisioning-record.ts).
  const after = await identify(port);
  if (after.nodeId !== nodeId || after.configCrc !== crc || after.configBytes !== bytes.length)
    throw new ProvisionError(
      "readback",
      `after reboot the node says id ${after.nodeId}, config ${after.configBytes} bytes CRC ${hex8(after.configCrc)}; expected ${nodeId}, ${bytes.length} bytes CRC ${hex8(crc)}: run provision again`,
      after.nodeId,
    );
  for (const slot of keySource === "kept" ? GENERATED_SLOTS : keys.keys()) {
    const held = await step(port, `checking the ${slot} key`, port.client.keyCheckValue(slot));
    if (keySource === "kept") {
      if (held) kcv[slot] = held.toUpperCase();
      continue;
    }
    if (held?.toUpperCase() !== kcv[slot])
      throw new ProvisionError(
        "readback",
        `after reboot the node's ${slot} key check value is ${held ?? "none"}, expected ${kcv[slot]}`,
        slot,
      );
  }
  if (keySource === "generated") commitRotation(o.keysDir, nodeId);
  const gases = await fittedGases(port);
  await lockQuietly(port);

  const entry = appendRecord(
    o.registryFile,
    {
      kind: "provision",
      nodeId,
      site: record.site,
      level: record.level,
      location: record.location,
      profile: record.profile,
      result: "pass",
      tech: o.tech,
      port: port.name,
      ...(was && clashes.length > 0 ? { previousPlace: `${was.site} ${was.level} ${was.location}` } : {}),
      ...(override ? { override, note: reasons.join("; ") } : {}),
      cfg: fingerprint(bytes),
      kcv,
      gases,
      ...(keysFile ? { keysFile } : {}),
    },
    o.now(),
  );
  return { entry, summary: summary(port, record, entry, reasons, keysFile, keySource, bytes.length) };
}

function where(r: RegistryRecord): string {
  return `${r.site} ${r.level} ${r.location}, provisioned ${r.at}`;
}

const LABEL = { a1: "A1", a2: "A2", stel: "STEL", twa: "TWA", enrichment: "O2+" } as const;

function setpointLine(r: ProvisioningRecord, gas: (typeof GAS_NAMES)[number]): string {
  const setup = { profile: r.profile, location: r.location };
  const s = resolveGasSettings(
    r.profile,
    gas,
    r.location,
    gasOverrides(setup, GAS_NAMES.indexOf(gas), r.config),
  );
  const parts: string[] = [];
  for (const k of ["a1", "a2", "stel", "twa", "enrichment"] as const) {
    const sp = s[k];
    if (sp) parts.push(`${LABEL[k]} ${sp.value}`);
  }
  return parts.join(" ");
}

function summary(
  port: NodePort,
  r: ProvisioningRecord,
  e: RegistryRecord,
  reasons: string[],
  keysFile: string | undefined,
  keySource: "file" | "kept" | "generated",
  bytes: number,
): string[] {
  const profile = gasProfileNamed(r.profile);
  const configured = (gas: (typeof GAS_NAMES)[number]): string => setpointLine(r, gas);
  const cal = GAS_NAMES.map((g, i) =>
    Number.isNaN(r.calGain[i]!)
      ? `${g.toUpperCase()} factory`
      : `${g.toUpperCase()} gain ${round(r.calGain[i]!)} offset ${round(r.calOffset[i]!)}`,
  ).join(", ");
  return [
    `provisioned node ${e.nodeId} on ${port.name}${e.previousPlace ? ` (moved from ${e.previousPlace})` : ""}`,
    `  site         ${r.site}   level ${r.level}   location ${r.location}`,
    `  profile      ${profile.name}: ${profile.title}`,
    `  set-points   in force at ${r.location}: CH4 ${configured("ch4")} %vol | CO ${configured("co")} ppm`,
    `               O2 ${configured("o2")} %vol | H2S ${configured("h2s")} ppm; node.yaml overrides: ${overridesText(r)}`,
    `  calibration  ${cal}`,
    `  override     ${e.override ? `"${e.override}" for: ${reasons.join("; ")}` : "none"}`,
    `  keys         ${Object.entries(e.kcv ?? {})
      .map(([s, k]) => `${s} kcv ${k}`)
      .join(", ")}; ${
      keySource === "generated"
        ? `generated, saved to ${keysFile} (mode 600): give it to the network server`
        : keySource === "kept"
          ? "kept: the node's keys are unchanged (--new-keys replaces them)"
          : `from ${keysFile}`
    }`,
    `  read back    id, ${bytes}-byte config (fingerprint ${e.cfg}) and key check values match after reboot`,
    `  sensors      ${e.gases?.length ? e.gases.join(" ") : "none answering"}`,
    `  registry     entry #${e.seq} (${e.at})`,
    `  next         bump-test every gas: minewatch bump-test --port ${port.name} --gas ${e.gases?.[0] ?? "CH4"} --applied <conc>`,
  ];
}

function overridesText(r: ProvisioningRecord): string {
  const names = [
    "ch4A1",
    "ch4A2",
    "coA1",
    "coA2",
    "coStel",
    "coTwa",
    "o2A1",
    "o2A2",
    "o2High",
    "h2sA1",
    "h2sA2",
    "h2sStel",
    "h2sTwa",
  ];
  const scale = [100, 100, 1, 1, 1, 1, 10, 10, 10, 10, 10, 10, 10];
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const v = r.config.params[2 + i]!;
    if (!Number.isNaN(v)) out.push(`${names[i]} ${v / scale[i]!}`);
  }
  return out.length ? out.join(" ") : "none";
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
