/**
 * "us-msha-coal": US underground coal mines, 30 CFR part 75.
 * Methane: 30 CFR 75.323 sets two action levels, 1.0 % (changes / adjustments, power off at the working
 * place) and 1.5 % (withdraw persons, de-energise), so A1 = 1.0 and A2 = 1.5 are RULES here.
 * Toxic gases: 30 CFR 75.322 incorporates the ACGIH TLVs of 1972 ("Threshold Limit Values for Substances in
 * Workroom Air"), so TWA follows the 1972 TLV. O2: 30 CFR 75.321(a)(1), at least 19.5 %.
 * SOURCES.md gives the clause of every number and marks what could not be confirmed at the source.
 */
import { CH4_DEFAULTS, CO_DEFAULTS, H2S_DEFAULTS, O2_DEFAULTS } from "./common.js";
import { DAY_MS, type GasProfile } from "./types.js";

/** 75.323(b): working places and intake air courses; (c): return air splits. Same two levels in each. */
const WORKING_PLACE = { a1: { value: 1.0, hysteresis: 0.05 }, a2: { value: 1.5, hysteresis: 0.05 } };

export const US_MSHA_COAL: GasProfile = {
  name: "us-msha-coal",
  title: "US underground coal (30 CFR 75.323 methane, 75.321 oxygen, 75.322 ACGIH 1972 TLVs)",
  exposureStandard: "ACGIH TLV 1972 (incorporated by 30 CFR 75.322)",
  locations: ["intake", "face", "return", "local"],
  ch4ByLocation: {
    // 75.323(b)(1) 1.0 % / (b)(2) 1.5 % in an intake air course.
    intake: WORKING_PLACE,
    // 75.323(b) in a working place.
    face: WORKING_PLACE,
    // 75.323(c) return air split: 1.0 % / 1.5 %.
    return: WORKING_PLACE,
    // DEFAULT mapping: 75.323 has no "local accumulation" class; a node at a local accumulation is at a
    // working place, so (b) applies. 75.1324(a) (no blasting at 1.0 % or more, confirmed) agrees with A1.
    local: WORKING_PLACE,
  },
  gases: {
    ch4: {
      ...CH4_DEFAULTS,
      a1: null,
      a2: null,
      enrichment: null,
      stel: null,
      twa: null,
      rorPerMin: { value: 0.5, hysteresis: 0.25 }, // DEFAULT, as in kz-ru-coal
      // 75.342(a)(4): machine-mounted methane monitors calibrated at least every 31 days (NOT confirmed at
      // source in this session: DEFAULT until checked).
      calIntervalMs: 31 * DAY_MS,
    },
    co: {
      ...CO_DEFAULTS,
      // DEFAULT: half the TLV.
      a1: { value: 25, hysteresis: 2 },
      // DEFAULT: an instantaneous reading at the 1972 TLV-TWA (50 ppm) is the action level.
      a2: { value: 50, hysteresis: 2 },
      enrichment: null,
      // 1972 ACGIH TLV for CO: 50 ppm TWA (via 75.322; value NOT confirmed at source in this session).
      twa: { value: 50, hysteresis: 2 },
      // DEFAULT: 1972 TLVs used excursion factors, not STELs; 2 x TLV over 15 min.
      stel: { value: 100, hysteresis: 5 },
      rorPerMin: null,
    },
    o2: {
      ...O2_DEFAULTS,
      // DEFAULT: 20.0 %vol early warning.
      a1: { value: 20.0, hysteresis: 0.1 },
      // 75.321(a)(1): at least 19.5 % oxygen where persons work or travel (the same figure appears in the
      // Illinois 225 ILCS 705/31.01 and Missouri 293.120 mine codes, confirmed; federal text not retrieved).
      a2: { value: 19.5, hysteresis: 0.1 },
      // DEFAULT: 23.5 %vol, OSHA 29 CFR 1910.146(b) oxygen-enriched atmosphere.
      enrichment: { value: 23.5, hysteresis: 0.2 },
      stel: null,
      twa: null,
      rorPerMin: null,
    },
    h2s: {
      ...H2S_DEFAULTS,
      // DEFAULT: half the TLV.
      a1: { value: 5, hysteresis: 0.5 },
      // DEFAULT: an instantaneous reading at the 1972 TLV-TWA (10 ppm).
      a2: { value: 10, hysteresis: 0.5 },
      enrichment: null,
      // 1972 ACGIH TLV for H2S: 10 ppm TWA (via 75.322; value NOT confirmed at source in this session).
      twa: { value: 10, hysteresis: 0.5 },
      // DEFAULT: 15 ppm over 15 min (the STEL ACGIH listed for H2S once STELs were introduced; unconfirmed).
      stel: { value: 15, hysteresis: 1 },
      rorPerMin: null,
    },
  },
};
