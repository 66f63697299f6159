/** protocol/SPEC-console.md documents every error code and every command the console has, with its limits. */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { NAMES, USAGE } from "../../firmware/node/console/commands.js";
import { ConsoleErr } from "../../firmware/node/console/errors.js";
import { crc16, crc32 } from "../../protocol/checksums.js";
import { CONFIG_RECORD_BYTES, defaultConfig } from "../../protocol/config-record.js";
import {
  CHUNK_BYTES,
  CONFIG_MAX_BYTES,
  LINE_MAX_BYTES,
  SESSION_IDLE_MS,
} from "../../protocol/console-wire.js";
import { emptyRecord, encodeProvisioning } from "../../protocol/provisioning-record.js";

const spec = fs.readFileSync(new URL("../../protocol/SPEC-console.md", import.meta.url), "utf8");

/** A table row whose first cell is `text` (the formatter pads cells). */
const row = (text: string) => new RegExp(`^\\| \`${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\` +\\|`, "m");

describe("protocol/SPEC-console.md", () => {
  it("has a row for every error code", () => {
    for (const code of Object.values(ConsoleErr)) expect(spec, code).toMatch(row(code));
  });

  it("has a row for every command, with its usage", () => {
    for (let i = 0; i < NAMES.length; i++) expect(spec, NAMES[i]).toMatch(row(USAGE[i]!));
  });

  it("describes the minewatch provisioning record with the sizes the code makes", () => {
    expect(spec).toContain(`runtime config record (protocol/config-record.ts, ${CONFIG_RECORD_BYTES} bytes)`);
    // magic 4 + id 8 + config + 4 x 16 calibration + 5 empty texts + CRC 4
    const r = emptyRecord(new Uint8Array(8), defaultConfig());
    expect(encodeProvisioning(r)).toHaveLength(4 + 8 + CONFIG_RECORD_BYTES + 64 + 5 + 4);
    for (const code of ["nothing-latched", "gas-high", "relay-fault", "no-interlock", "wrong-node"])
      expect(spec, code).toContain(`\`${code}\``);
  });

  it("states the limits the code enforces and the check values of both CRCs", () => {
    expect(spec).toContain(`**Limit: ${LINE_MAX_BYTES} bytes per line either way, CR LF included**`);
    expect(spec).toContain(`max-chunk=${CHUNK_BYTES}`);
    expect(spec).toContain(`length (1..${CONFIG_MAX_BYTES})`);
    expect(spec).toContain(`**${SESSION_IDLE_MS / 1000} s without an authenticated command**`);
    expect(crc16(new TextEncoder().encode("123456789"), 0, 9).toString(16).toUpperCase()).toBe("29B1");
    expect(spec).toContain("`123456789` is `29B1`");
    expect(crc32(new TextEncoder().encode("123456789")).toString(16).toUpperCase()).toBe("CBF43926");
    expect(spec).toContain("`123456789` is `CBF43926`");
  });
});
