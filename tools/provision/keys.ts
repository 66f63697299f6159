/**
 * A node's keys and the console's provisioning secret, on the host. Keys are generated from the host's
 * cryptographic random source (node:crypto randomBytes: this is a host tool, not the simulation, so it is
 * not the seeded Prng), or read from a key file. They are never printed or logged: errors name the slot and
 * the length, never the bytes; the tool shows only the key check value (KCV, first 3 bytes of
 * HMAC-SHA256(key, "kcv"), protocol/SPEC-console.md "Keys"), which proves which key a node holds.
 *
 * Generated keys must reach the collector / network server, so they are written to a key file readable by
 * its owner only (mode 0600): `<keys-dir>/<nodeId>.keys.json`, the same format `--keys` reads:
 *   { "nodeId": "70b3d57e...", "mac": "<32 hex>", "lorawan-appkey": "<32 hex>" }
 *
 * A rotation is journalled, because the node's live key must never be lost from disk: `<nodeId>.keys.json`
 * holds the keys the node has confirmed; new keys go first to `<nodeId>.keys.pending.json` (before the
 * node gets them, so a cut run never leaves a key nobody has), and replace it (the old file kept as
 * `.keys.json.prev`) only once the node reports their check values after its reboot. A run cut anywhere in
 * between leaves the pending file; the next run settles it per slot from the check values the node reports
 * (the pending key where the node holds it, the confirmed key where it does not) before anything else.
 * Every key file is written whole to a temporary file (mode 0600), synced and renamed into place.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, unlinkSync } from "node:fs";
import path from "node:path";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { parse } from "yaml";
import { KEY_SLOTS } from "../../firmware/node/console/provisioning.js";
import { syncDir, writeFileDurably } from "./durable-file.js";
import { ProvisionError } from "./errors.js";

/** Slots the tool fills: the frame MAC key and the LoRaWAN AppKey (the MQTT password is the site's). */
export const GENERATED_SLOTS = ["mac", "lorawan-appkey"] as const;

export type KeySet = Map<string, Uint8Array>;

export function generateKeys(): KeySet {
  const keys: KeySet = new Map();
  for (const slot of GENERATED_SLOTS) keys.set(slot, new Uint8Array(randomBytes(KEY_SLOTS[slot]!.max)));
  return keys;
}

/**
 * An EUI-64 for a node that has none (ID answers "unprovisioned"): random, with the IEEE "locally
 * administered" bit (bit 1 of the first byte) set and the group bit clear, so it can never equal a
 * manufacturer-assigned EUI-64.
 */
export function generateNodeId(): string {
  const b = new Uint8Array(randomBytes(8));
  b[0] = (b[0]! | 0x02) & 0xfe;
  return Buffer.from(b).toString("hex");
}

/** The key check value the node reports for `key`: 6 upper-case hex digits. */
export function keyCheckValue(key: Uint8Array): string {
  const d = hmac(sha256, key, new TextEncoder().encode("kcv"));
  return Buffer.from(d.subarray(0, 3)).toString("hex").toUpperCase();
}

/**
 * A key no one should sign with: every byte the same (all zero, all 0xFF, a placeholder typed by hand).
 * Named without showing the key. The MQTT password is a text, not a key, and is not judged here.
 */
export function weakKeyProblem(slot: string, key: Uint8Array): string | undefined {
  if (slot === "mqtt-password" || key.length === 0) return undefined;
  if (key.every((b) => b === key[0]))
    return `the ${slot} key has every byte the same (${key[0] === 0 ? "all zero" : "one repeated byte"}): that is a placeholder, not a key: use the generated keys or a key from a random source`;
  return undefined;
}

/** Reads a key file (JSON or YAML). Unknown slots and wrong lengths are refused without showing a key. */
export function readKeyFile(file: string): KeySet {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProvisionError(
      "bad-file",
      code
        ? `cannot read key file ${file} (${code}): check the --keys path`
        : `key file ${file} is not valid JSON/YAML: fix it (its contents are not shown)`,
      file,
    );
  }
  if (typeof doc !== "object" || doc === null)
    throw new ProvisionError("bad-file", `key file ${file} must map slot names to hex keys`, file);
  const keys: KeySet = new Map();
  for (const [slot, v] of Object.entries(doc as Record<string, unknown>)) {
    if (slot === "nodeId") continue;
    const spec = KEY_SLOTS[slot];
    if (!spec)
      throw new ProvisionError(
        "bad-file",
        `key file ${file}: unknown slot "${slot}" (known: ${Object.keys(KEY_SLOTS).join(", ")})`,
        slot,
      );
    const bytes =
      slot === "mqtt-password"
        ? new TextEncoder().encode(String(v))
        : typeof v === "string" && /^([0-9a-fA-F]{2})+$/.test(v)
          ? new Uint8Array(Buffer.from(v, "hex"))
          : undefined;
    if (!bytes)
      throw new ProvisionError(
        "bad-file",
        `key file ${file}: slot "${slot}" is not hex (value not shown)`,
        slot,
      );
    if (bytes.length < spec.min || bytes.length > spec.max)
      throw new ProvisionError(
        "bad-file",
        `key file ${file}: a ${slot} key is ${spec.min === spec.max ? spec.min : `${spec.min}..${spec.max}`} bytes, this one is ${bytes.length}`,
        bytes.length,
      );
    const weak = weakKeyProblem(slot, bytes);
    if (weak) throw new ProvisionError("bad-file", `key file ${file}: ${weak}`, slot);
    keys.set(slot, bytes);
  }
  if (!keys.has("mac"))
    throw new ProvisionError(
      "bad-file",
      `key file ${file} has no "mac" key: the node cannot sign frames without one`,
      file,
    );
  return keys;
}

/** The keys the node has confirmed: what the collector / network server gets. */
export function keyFilePath(dir: string, nodeId: string): string {
  return path.join(dir, `${nodeId}.keys.json`);
}

/** Keys of a rotation the node has not confirmed yet (the journal). */
export function pendingKeyPath(dir: string, nodeId: string): string {
  return path.join(dir, `${nodeId}.keys.pending.json`);
}

/** Writes a key file whole (mode 0600, durable-file.ts): a crash leaves the old file or the new. */
function writeKeyDoc(file: string, nodeId: string, keys: KeySet): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const doc: Record<string, string> = { nodeId };
  for (const [slot, key] of keys)
    doc[slot] = slot === "mqtt-password" ? new TextDecoder().decode(key) : Buffer.from(key).toString("hex");
  writeFileDurably(file, `${JSON.stringify(doc, null, 2)}\n`, 0o600);
}

function readKeysIfAny(file: string): KeySet | undefined {
  return existsSync(file) ? readKeyFile(file) : undefined;
}

/**
 * Starts a rotation: the new keys go to the pending file, the confirmed keys stay where they are. Returns
 * the pending file. A pending file already there was settled first (`settleRotation`): it holds nothing
 * the node has.
 */
export function beginRotation(dir: string, nodeId: string, keys: KeySet): string {
  const file = pendingKeyPath(dir, nodeId);
  writeKeyDoc(file, nodeId, keys);
  return file;
}

/**
 * Ends a rotation the node has confirmed (its check values read back after the reboot): the pending keys
 * become the confirmed file, the old one is kept as `.prev`. `held` names, per slot, the keys the node
 * holds now when only some slots came from the pending file. Returns the confirmed file.
 */
export function commitRotation(dir: string, nodeId: string, held?: KeySet): string {
  const live = keyFilePath(dir, nodeId);
  const pending = pendingKeyPath(dir, nodeId);
  const keys = held ?? readKeyFile(pending);
  const prev = `${live}.prev`;
  if (existsSync(live)) {
    // Copy, not move: there is a confirmed file on disk at every instant.
    writeKeyDoc(prev, nodeId, readKeyFile(live));
  }
  writeKeyDoc(live, nodeId, keys);
  if (existsSync(pending)) unlinkSync(pending);
  syncDir(dir);
  return live;
}

/**
 * Settles a rotation a cut run left (a pending file), from the key check values the node reports per slot:
 * where the node holds the pending key, it becomes the confirmed one; where it still holds the confirmed
 * key, that stays; a pending key the node holds in no slot is dropped (nobody has it). Returns what was
 * done, in words, or undefined when there was nothing to settle.
 */
export function settleRotation(
  dir: string,
  nodeId: string,
  nodeKcv: Readonly<Record<string, string | null>>,
): string | undefined {
  const pendingFile = pendingKeyPath(dir, nodeId);
  const pending = readKeysIfAny(pendingFile);
  if (!pending) return undefined;
  const live = readKeysIfAny(keyFilePath(dir, nodeId)) ?? new Map();
  const held: KeySet = new Map();
  const taken: string[] = [];
  for (const slot of new Set([...live.keys(), ...pending.keys()])) {
    const kcv = nodeKcv[slot]?.toUpperCase();
    const p = pending.get(slot);
    const l = live.get(slot);
    if (p && kcv === keyCheckValue(p)) {
      held.set(slot, p);
      taken.push(slot);
    } else if (l) held.set(slot, l);
  }
  if (taken.length === 0) {
    unlinkSync(pendingFile);
    syncDir(dir);
    return `an interrupted key rotation never reached the node: its unused keys were dropped (${path.basename(pendingFile)})`;
  }
  const file = commitRotation(dir, nodeId, held);
  return `an interrupted key rotation had reached the node (${taken.join(", ")}): ${file} now holds the keys it has`;
}

/**
 * The console's provisioning secret: `--secret-file` (first line), else $MINEWATCH_SECRET, else asked for
 * on the terminal without echo. Never from the command line itself (it would land in the shell history).
 */
export async function resolveSecret(secretFile: string | undefined, interactive: boolean): Promise<string> {
  let secret: string | undefined;
  if (secretFile) {
    try {
      secret = readFileSync(secretFile, "utf8").split(/\r?\n/)[0]!.trim();
    } catch (e) {
      throw new ProvisionError(
        "bad-file",
        `cannot read secret file ${secretFile} (${(e as NodeJS.ErrnoException).code}): check the --secret-file path`,
        secretFile,
      );
    }
  } else if (process.env.MINEWATCH_SECRET) secret = process.env.MINEWATCH_SECRET;
  else if (interactive && process.stdin.isTTY) secret = await askHidden("provisioning secret: ");
  if (!secret)
    throw new ProvisionError(
      "auth",
      "no provisioning secret: set MINEWATCH_SECRET or pass --secret-file FILE (the node's console needs it for writes)",
      undefined,
    );
  return secret;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode?.(true);
    stdin.resume();
    let s = "";
    const onData = (b: Buffer): void => {
      for (const c of b.toString("utf8")) {
        if (c === "\r" || c === "\n" || c === "\u0004") {
          stdin.off("data", onData);
          stdin.setRawMode?.(false);
          stdin.pause();
          process.stderr.write("\n");
          resolve(s);
          return;
        }
        if (c === "\u0003") process.exit(130);
        if (c === "\u007f" || c === "\b") s = s.slice(0, -1);
        else s += c;
      }
    };
    stdin.on("data", onData);
  });
}
