/**
 * The console conversations every command shares (identify, authenticate, read the record), and the one
 * place where what the console client throws becomes one line for the tech with what to do next.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { decodeProvisioning, type ProvisioningRecord } from "../../protocol/provisioning-record.js";
import { ConsoleLinkError, ConsoleRefusedError, type NodeIdentityReply } from "../console/client.js";
import { ProvisionError } from "./errors.js";
import type { ConsoleGas, NodePort } from "./port.js";

/** Turns a console failure during `doing` into a ProvisionError; anything else is passed through. */
export function explain(e: unknown, port: NodePort, doing: string): unknown {
  if (e instanceof ProvisionError) return e;
  if (e instanceof ConsoleLinkError) {
    if (e.code === "timeout" || e.code === "not-connected")
      return doing === "identify"
        ? new ProvisionError(
            "no-answer",
            `node does not answer on ${port.name}: check it is powered and the cable is in, and that nothing else uses the port`,
            port.name,
          )
        : new ProvisionError(
            "link-lost",
            doing === "writing the config"
              ? `link to the node lost while writing the config (no answer from ${port.name}): the node keeps its previous config unless the final commit got through; check the cable and run provision again (it reads what the node holds first)`
              : `link to the node lost while ${doing} (no answer from ${port.name}): check the cable, then run the command again`,
            port.name,
          );
    if (e.code === "readback-mismatch")
      return new ProvisionError(
        "readback",
        `read-back after ${doing} does not match: ${e.message}; run the command again`,
        e.value,
      );
    return new ProvisionError(
      "link-lost",
      `garbled replies while ${doing} (${e.message}): check the cable`,
      e.value,
    );
  }
  if (e instanceof ConsoleRefusedError) {
    switch (e.code) {
      case "auth-failed":
        return new ProvisionError(
          "auth",
          `node refused the provisioning secret (${e.value}): check MINEWATCH_SECRET or --secret-file; wrong tries lock the node out`,
          e.code,
        );
      case "locked-out":
        return new ProvisionError(
          "auth",
          `node is locked out after wrong secrets (${e.value}): wait, then use the right secret`,
          e.code,
        );
      case "no-secret":
        return new ProvisionError(
          "auth",
          "node has no provisioning secret set: it must go back to the factory (writes are disabled)",
          e.code,
        );
      case "locked":
        return new ProvisionError(
          "auth",
          `node locked the session while ${doing} (idle too long?): run the command again`,
          e.code,
        );
      case "invalid-config":
        return new ProvisionError("bad-config", `node refused the config: ${e.value}`, e.value);
      default:
        return new ProvisionError("refused", `node refused ${doing}: ${e.code} ${e.value}`, e.code);
    }
  }
  return e;
}

/** Runs one console step; failures come out explained. */
export async function step<T>(port: NodePort, doing: string, work: Promise<T>): Promise<T> {
  try {
    return await port.run(work);
  } catch (e) {
    throw explain(e, port, doing);
  }
}

export function identify(port: NodePort): Promise<NodeIdentityReply> {
  return step(port, "identify", port.client.identify());
}

export function authenticate(port: NodePort, secret: string): Promise<void> {
  return step(port, "authenticating", port.client.auth(secret));
}

/**
 * Runs an authenticated command; if the node ended the session meanwhile (120 s without an authenticated
 * command, e.g. while the tech was fetching a gas cylinder at a prompt), authenticates again and retries once.
 */
export async function authed<T>(
  port: NodePort,
  secret: string,
  doing: string,
  make: () => Promise<T>,
): Promise<T> {
  try {
    return await port.run(make());
  } catch (e) {
    if (!(e instanceof ConsoleRefusedError) || e.code !== "locked") throw explain(e, port, doing);
  }
  await authenticate(port, secret);
  return step(port, doing, make());
}

/** The node's committed provisioning record, or undefined when it has none yet. */
export async function readRecord(
  port: NodePort,
  id: NodeIdentityReply,
): Promise<ProvisioningRecord | undefined> {
  if (!(id.configBytes > 0)) return undefined;
  const bytes = await step(port, "reading the config", port.client.readConfig());
  try {
    return decodeProvisioning(bytes);
  } catch (e) {
    throw new ProvisionError(
      "refused",
      `node holds a config this tool cannot read (${(e as Error).message}): provision it again`,
      bytes.length,
    );
  }
}

/** As readRecord, but a node without a record is refused (bump test and calibration need one). */
export async function requireRecord(port: NodePort, id: NodeIdentityReply): Promise<ProvisioningRecord> {
  const r = await readRecord(port, id);
  if (!r)
    throw new ProvisionError(
      "refused",
      `node ${id.nodeId} is not provisioned yet: run provision first`,
      id.nodeId,
    );
  return r;
}

export const CONSOLE_GASES: readonly ConsoleGas[] = ["CH4", "CO", "O2", "H2S"];

export function parseGas(text: string | undefined): ConsoleGas {
  const g = (text ?? "").toUpperCase();
  if (!(CONSOLE_GASES as readonly string[]).includes(g))
    throw new ProvisionError(
      "usage",
      `--gas "${text ?? ""}" is not a gas this tool knows (known: ${CONSOLE_GASES.join(", ")})`,
      text,
    );
  return g as ConsoleGas;
}

/** Gases the node answers READ for (its fitted sensors). */
export async function fittedGases(port: NodePort): Promise<ConsoleGas[]> {
  const out: ConsoleGas[] = [];
  for (const g of CONSOLE_GASES) {
    const r = await step(port, `reading ${g}`, port.client.request(`READ ${g}`));
    if (r.ok) out.push(g);
  }
  return out;
}

/** Ends the session; a failure here changes nothing already done. */
export async function lockQuietly(port: NodePort): Promise<void> {
  try {
    await port.run(port.client.request("LOCK"));
  } catch {
    // the node ends the session by itself after its idle timeout
  }
}

/**
 * Fingerprint of a provisioning record for the registry: the first 16 hex digits of its SHA-256 (a
 * registry entry names the exact record; the read-back on the node compares ID's `cfgcrc`, its CRC-32).
 */
export function fingerprint(bytes: Uint8Array): string {
  return Buffer.from(sha256(bytes)).toString("hex").slice(0, 16);
}

export function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, "0");
}
