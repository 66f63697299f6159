/**
 * In CI (CI=true, as .ci/run is run), the external programs that whole suites need must be there: without
 * them those suites skip, and a green run would hide that mosquitto compatibility and the report in a real
 * browser were never checked (issue 14 item 14). Outside CI a missing tool skips those suites visibly.
 */
import { describe, expect, it } from "vitest";
import { findMosquitto } from "../../site/broker/mosquitto.js";
import { findChromium } from "../report/chromium.js";

const inCi = process.env.CI === "true";

describe("the tools the suites need", () => {
  it.runIf(inCi)("in CI, Debian's mosquitto is installed (the compatibility broker)", () => {
    expect(findMosquitto(), "mosquitto is missing: .ci/run installs it with apt-get").toBeTruthy();
  });

  it.runIf(inCi)("in CI, chromium is installed (the report is opened in a real browser)", () => {
    expect(findChromium(), "chromium is missing: .ci/run installs it with apt-get").toBeTruthy();
  });
});
