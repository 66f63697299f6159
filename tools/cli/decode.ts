/**
 * `minewatch decode <hex> [--key <hex>] [--last-counter <n>] [--json]`: prints one frame. With --key it
 * verifies the MAC first (a collector's FrameVerifier, so the same checks and the same error codes); any
 * bad input exits 2 with one line naming what is wrong (house rule 5).
 */
import { FrameVerifier } from "../../protocol/auth.js";
import { decodeFrame } from "../../protocol/decode.js";
import { ProtocolError } from "../../protocol/errors.js";
import type { Frame } from "../../protocol/frames.js";
import { fromHex, toHex } from "../../protocol/hex.js";
import { frameToJson } from "../../protocol/json.js";
import {
  CHANNEL_UNITS,
  CONFIG_PARAMS,
  FrameType,
  MAC_KEY_BYTES,
  specForType,
} from "../../protocol/schema.js";
import { nobleFrameMac } from "../../site/frame-mac.js";
import { parseCommandArgs } from "./args.js";
import { CliError } from "./errors.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch decode <hex> [--key <hex>] [--last-counter <n>] [--json]

Decodes one minewatch frame given in hex (spaces and colons ignored) and prints its fields with units.
  --key <hex>          the node's 128-bit MAC key (32 hex digits): verify the MAC before trusting the frame
  --last-counter <n>   the last frame counter accepted from this node (the wire carries 16 bits of it)
  --json               print JSON instead of text
Exit 2, with one line, for bad hex, a truncated or malformed frame, an unknown type or version, a value
out of range, a bad MAC or a replayed counter.`;

interface Options {
  hex: string;
  key?: string;
  lastCounter?: number;
  json: boolean;
}

function parseArgs(args: string[]): Options {
  const { values: v, positionals } = parseCommandArgs("decode", args, {
    key: { type: "string" },
    "last-counter": { type: "string" },
    json: { type: "boolean" },
  });
  let lastCounter: number | undefined;
  const counter = v["last-counter"];
  if (counter !== undefined) {
    lastCounter = Number(counter);
    if (!/^\d+$/.test(counter) || lastCounter > 0xffffffff)
      throw new CliError(`--last-counter must be an integer in 0..4294967295, got "${counter}"`);
  }
  if (positionals.length === 0) throw new CliError("missing the frame's hex (usage: minewatch decode <hex>)");
  return { hex: positionals.join(""), key: v.key, lastCounter, json: v.json === true };
}

function protocolFailure(e: unknown, what?: string): never {
  if (e instanceof ProtocolError) throw new CliError(`${what ? `${what}: ` : ""}${e.code}: ${e.message}`);
  throw e;
}

interface Result {
  frame: Frame;
  bytes: number;
  authenticated: boolean;
  counterLow16: number;
  mac: string;
  verified: boolean;
  counter?: number;
}

function decodeInput(o: Options): Result {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(o.hex);
  } catch (e) {
    protocolFailure(e, "frame");
  }
  let decoded: ReturnType<typeof decodeFrame>;
  try {
    decoded = decodeFrame(bytes);
  } catch (e) {
    protocolFailure(e);
  }
  const result: Result = {
    frame: decoded.frame,
    bytes: bytes.length,
    authenticated: decoded.authenticated,
    counterLow16: decoded.counterLow16,
    mac: toHex(decoded.mac),
    verified: false,
  };
  if (o.key === undefined) return result;
  let key: Uint8Array;
  try {
    key = fromHex(o.key);
  } catch (e) {
    protocolFailure(e, "--key");
  }
  if (key.length !== MAC_KEY_BYTES) {
    throw new CliError(
      `--key: bad-key: a MAC key is ${MAC_KEY_BYTES} bytes (32 hex digits), got ${key.length} bytes`,
    );
  }
  const verifier = new FrameVerifier(nobleFrameMac, () => key);
  if (o.lastCounter !== undefined) verifier.restore("<--key>", o.lastCounter);
  try {
    const v = verifier.verify("<--key>", bytes);
    result.verified = true;
    result.counter = v.counter;
  } catch (e) {
    protocolFailure(e);
  }
  return result;
}

function unitOf(frame: Frame, field: string, doc: string): string {
  if (frame.type === FrameType.Alarm && field === "value") return CHANNEL_UNITS[frame.channel] ?? doc;
  return doc;
}

function text(r: Result): string {
  const spec = specForType(r.frame.type)!;
  const json = frameToJson(r.frame);
  const lines = [
    `${spec.name} frame (type ${spec.type}, ${spec.direction}link), protocol v${json.version}, ${r.bytes} bytes`,
  ];
  const width = Math.max(...spec.fields.map((f) => f.name.length), 8);
  for (const f of spec.fields) {
    lines.push(
      `  ${f.name.padEnd(width)}  ${String(json[f.name]).padEnd(12)}  ${unitOf(r.frame, f.name, f.doc)}`,
    );
  }
  if (r.frame.type === FrameType.Config) {
    for (const e of r.frame.entries)
      lines.push(`  ${CONFIG_PARAMS[e.param]!.name.padEnd(width)}  ${e.value}`);
  }
  if (!r.authenticated) lines.push("  MAC          none");
  else if (r.verified) lines.push(`  MAC          ${r.mac} verified, counter ${r.counter}`);
  else lines.push(`  MAC          ${r.mac}, counter low 16 bits ${r.counterLow16}: NOT verified (no --key)`);
  return lines.join("\n");
}

export const command: Command = {
  summary: "decode a frame given in hex (verifies its MAC with --key)",
  usage: USAGE,
  run(args) {
    const options = parseArgs(args);
    const r = decodeInput(options);
    if (options.json) {
      const mac = r.authenticated
        ? { counterLow16: r.counterLow16, mac: r.mac, verified: r.verified, counter: r.counter }
        : null;
      process.stdout.write(`${JSON.stringify({ bytes: r.bytes, frame: frameToJson(r.frame), mac })}\n`);
    } else {
      process.stdout.write(`${text(r)}\n`);
    }
    return 0;
  },
};
