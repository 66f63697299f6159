/**
 * "us-msha-coal": US underground coal mines, 30 CFR part 75 and the Mine Act behind it.
 * Methane: two action levels, 1.0 % (changes / adjustments, power off at the working place) and 1.5 %
 * (withdraw persons, cut power), so A1 = 1.0 and A2 = 1.5 are rules here. confirmed at the statute the
 * regulation implements, 30 U.S.C. 863(h)(2) (working places) and 863(i)(1)-(2) (air returning from a working
 * section); the text of 30 CFR 75.323 itself was not read (its intake-air-course wording is confirmed only in
 * the West Virginia copy, W. Va. Code 22A-2-43(c)).
 * Toxic gases: 30 CFR 75.322 (confirmed, msha.gov) incorporates the ACGIH TLVs of 1972, so TWA follows the
 * 1972 TLV (the 1972 rows themselves were not read: UNCONFIRMED). O2: confirmed 30 U.S.C. 863(b), not less
 * than 19.5 %. Status of every number: provenance.ts (checked by a test) and SOURCES.md.
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import { CH4_DEFAULTS, CO_DEFAULTS, H2S_DEFAULTS, O2_DEFAULTS } from "./common.js";
import { DAY_MS, type GasProfile } from "./types.js";

/** Same two levels at working places (30 U.S.C. 863(h)(2)), intake air courses (75.323(b), W. Va. copy) and
 * returns from a working section (863(i)). */
const WORKING_PLACE = { a1: { value: 1.0, hysteresis: 0.05 }, a2: { value: 1.5, hysteresis: 0.05 } };

export const US_MSHA_COAL: GasProfile = {
  name: "us-msha-coal",
  title:
    "US underground coal (30 U.S.C. 863 and 30 CFR 75.323 methane, 863(b) oxygen, 75.322 ACGIH 1972 TLVs)",
  exposureStandard: "ACGIH TLV 1972 (incorporated by 30 CFR 75.322)",
  locations: ["intake", "face", "return", "local"],
  ch4ByLocation: {
    // Intake air course, 1.0 % / 1.5 %: UNCONFIRMED at 30 CFR 75.323(b)(1)-(2) (text not read); the same
    // words ("working place or an intake air course") are in W. Va. Code 22A-2-43(c)(1)-(2).
    intake: WORKING_PLACE,
    // Working place. confirmed: 30 U.S.C. 863(h)(2), "1.0 volume per centum or more of methane, changes or
    // adjustments shall be made at once" / "1.5 volume per centum or more ... all persons ... withdrawn".
    face: WORKING_PLACE,
    // Split of air returning from a working section. confirmed: 30 U.S.C. 863(i)(1) 1.0 %, (i)(2) 1.5 %.
    // Not modelled: 863(i)(3) lets virgin-territory returns run to 2.0 % under conditions, and the bleeder
    // limits of 75.323 were not read.
    return: WORKING_PLACE,
    // DEFAULT mapping: part 75 has no "local accumulation" class; a node at a local accumulation is at a
    // working place, so 863(h)(2) applies. confirmed: 75.1324(a), no shot fired at 1.0 volume percent or more.
    local: WORKING_PLACE,
  },
  // The methane power interlock. Working place: confirmed, 30 U.S.C. 863(h)(2): at 1.0 volume per centum
  // "power to electric face equipment located in such place shall be cut off" until the air contains "less
  // than 1.0". Return split: confirmed, 863(i)(2): at 1.5 "all electric power shall be cut off from the
  // endangered area ... until the air in such split shall contain less than 1.0" (at 1.0, 863(i)(1) asks only
  // for ventilation changes). Intake air course: 1.0 / below 1.0 UNCONFIRMED (75.323(b)(1) not read; the
  // W. Va. copy gives the 1.0 % intake level). Local: DEFAULT mapping to a working place.
  // Trip on sensor fault: 863(l) (confirmed): a machine methane monitor must "deenergize automatically such
  // equipment when such monitor is not operating properly".
  ch4Interlock: {
    tripOnSensorFault: true,
    byLocation: {
      intake: { tripPctVol: 1.0, resetBelowPctVol: 1.0 },
      face: { tripPctVol: 1.0, resetBelowPctVol: 1.0 },
      return: { tripPctVol: 1.5, resetBelowPctVol: 1.0 },
      local: { tripPctVol: 1.0, resetBelowPctVol: 1.0 },
    },
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
      // 31 days. UNCONFIRMED at 75.342(a)(4) (machine-mounted monitors; text not read). The same 31 days is
      // confirmed for hand-held methane detectors: 75.320(a) "calibrated with a known methane-air mixture at
      // least once every 31 days". 30 U.S.C. 863(l) only says monitors are "frequently tested".
      calIntervalMs: 31 * DAY_MS,
    },
    co: {
      ...CO_DEFAULTS,
      // DEFAULT: half the TLV.
      a1: { value: 25, hysteresis: 2 },
      // DEFAULT: an instantaneous reading at the 1972 TLV-TWA (50 ppm) is the action level.
      a2: { value: 50, hysteresis: 2 },
      enrichment: null,
      // 50 ppm TWA, the 1972 ACGIH TLV for CO via 75.322. UNCONFIRMED: the 1972 booklet was found
      // (toxicdocs) but its CO row was not read. (Today's ACGIH TLV is 25 ppm, NIOSH REL 35 ppm.)
      twa: { value: 50, hysteresis: 2 },
      // DEFAULT: 1972 TLVs used excursion factors, not STELs; 2 x TLV over 15 min.
      stel: { value: 100, hysteresis: 5 },
      rorPerMin: null,
    },
    o2: {
      ...O2_DEFAULTS,
      // DEFAULT: 20.0 %vol early warning.
      a1: { value: 20.0, hysteresis: 0.1 },
      // confirmed: 30 U.S.C. 863(b), "All active workings shall be ventilated by a current of air containing
      // not less than 19.5 volume per centum of oxygen" (75.321(a)(1) text not read; same figure).
      a2: { value: 19.5, hysteresis: 0.1 },
      // DEFAULT (borrowed): 23.5 %vol, OSHA's oxygen-enriched threshold (29 CFR 1910.146; secondary source).
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
      // 10 ppm TWA, the 1972 ACGIH TLV for H2S via 75.322. UNCONFIRMED for 1972 (row not read); the ACGIH
      // TLV was 10 ppm until ACGIH cut it to 1 ppm in 2010 (confirmed, ASSE 2014 abstract).
      twa: { value: 10, hysteresis: 0.5 },
      // DEFAULT (borrowed): 15 ppm over 15 min, the ACGIH STEL for H2S before 2010 (confirmed, same
      // abstract); the 1972 list that 75.322 incorporates has no STELs.
      stel: { value: 15, hysteresis: 1 },
      rorPerMin: null,
    },
  },
};

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(US_MSHA_COAL);
deepFreeze(WORKING_PLACE);
