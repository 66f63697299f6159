/**
 * `minewatch sim --report DIR`: writes DIR/report.json (the whole SimResult, undecimated, for tools) and
 * DIR/report.html (self-contained: plots, tables, the seed and the replay command; opens with no network).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { SIM_RESULT_FORMAT, type SimResult } from "../sim/result.js";
import { ReportError } from "./errors.js";
import { renderReportHtml } from "./html.js";

export { ReportError } from "./errors.js";
export { renderReportHtml, replayCommand } from "./html.js";

export interface ReportPaths {
  jsonPath: string;
  htmlPath: string;
}

/** Rejects what the renderer cannot draw, naming the offending value (house rule 5). */
export function checkResult(result: SimResult): void {
  if (!result || typeof result !== "object")
    throw new ReportError("bad-format", `report: expected a SimResult object, got ${typeof result}`, result);
  if (result.format !== SIM_RESULT_FORMAT)
    throw new ReportError(
      "bad-format",
      `report: result format is ${JSON.stringify(result.format)}, this report reads ${JSON.stringify(SIM_RESULT_FORMAT)}`,
      result.format,
    );
  const d = result.scenario?.durationMs;
  if (typeof d !== "number" || !Number.isFinite(d) || d <= 0)
    throw new ReportError(
      "bad-range",
      `report: scenario.durationMs must be a positive number of ms, got ${d}`,
      d,
    );
}

async function prepareDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReportError(
      "bad-dir",
      `report: cannot create directory ${JSON.stringify(dir)} (${code ?? e})`,
      dir,
    );
  }
  const st = await fs.stat(dir);
  if (!st.isDirectory())
    throw new ReportError("bad-dir", `report: ${JSON.stringify(dir)} is not a directory`, dir);
}

export async function writeReport(result: SimResult, dir: string): Promise<ReportPaths> {
  checkResult(result);
  await prepareDir(dir);
  const jsonPath = path.join(dir, "report.json");
  const htmlPath = path.join(dir, "report.html");
  const { html } = renderReportHtml(result);
  try {
    // Compact JSON: a node-day of traces pretty-printed would be one number per line, several times larger.
    await fs.writeFile(jsonPath, `${JSON.stringify(result)}\n`);
    await fs.writeFile(htmlPath, html);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReportError("io", `report: cannot write into ${JSON.stringify(dir)} (${code ?? e})`, dir);
  }
  return { jsonPath, htmlPath };
}
