/**
 * Where every set-point of the built-in profiles comes from, as data a test can check
 * (test/sensing/profiles/provenance.test.ts walks each profile and fails on a number that has no entry here,
 * or whose entry holds a different value). Nothing on the device imports this file; SOURCES.md is the
 * readable version with the quotes.
 *
 * Status words:
 * - "confirmed": the clause text was read at the address in `source` and gives this number.
 * - "corrected": the number was wrong and has been changed to the one the clause gives.
 * - "unconfirmed": the figure the rule is known for, but its text could not be read here. Treat it as a
 *   design default until someone checks the clause; `source` says what was seen instead.
 * - "default": a design choice, not a rule (the reason is in the profile comment).
 * Hysteresis values are all design defaults and are not listed. Numbers inherited unchanged from common.ts
 * (ranges, windows, warm-up, calibration interval) are all design defaults (see common.ts); a profile value
 * that differs from its common.ts default must have an entry here.
 */
import { deepFreeze } from "../../../protocol/freeze.js";
export type ProvenanceStatus = "confirmed" | "corrected" | "unconfirmed" | "default";

export interface Provenance {
  /** Dotted path inside the GasProfile, e.g. "ch4ByLocation.face.a2.value" or "gases.co.twa.value". */
  path: string;
  /** The number the profile holds at `path`, in the unit of that field. */
  value: number;
  status: ProvenanceStatus;
  /** Clause and address (confirmed), or what was seen instead (unconfirmed), or the reason (default). */
  source: string;
}

const USC_863 = "30 U.S.C. 863 (Federal Mine Safety and Health Act s.303), US Code text read at";
const USC_CHUNKS =
  "https://github.com/codexstanford/markdonw-chunck-of-the-usa-code/blob/41a3cb4/chuncks/title-30";
const ACGIH_H2S_2010 =
  "ACGIH 2010 revision of the H2S TLV (1 ppm TWA, 5 ppm STEL), read at " +
  "https://onepetro.org/ASSPPDCE/proceedings-abstract/ASSE14/All-ASSE14/ASSE-14-609/78040 and " +
  "https://pmc.ncbi.nlm.nih.gov/articles/PMC5777517/table/T3";
const PB_FAMILY_TOXIC =
  "PB-2020 clause not retrieved; the same figure is in table 1 of item 154 of the ore-mine rules of the " +
  "family (copy at http://referatwxl.nugaspb.ru/trebovaniya-po-provetrivaniyu-podzemnih-virabotok.html)";
const PB_APPENDIX =
  "PB-2020 (Rostekhnadzor order 507) methane-by-place table not retrieved; PB-2020 item 189 (quoted in " +
  "https://testsmart.ru/oxrana/one/377/19) does name these places";

export const PROVENANCE: Readonly<Record<string, readonly Provenance[]>> = {
  "kz-ru-coal": [
    { path: "ch4ByLocation.intake.a1.value", value: 0.4, status: "default", source: "80 % of A2" },
    { path: "ch4ByLocation.intake.a2.value", value: 0.5, status: "unconfirmed", source: PB_APPENDIX },
    { path: "ch4ByLocation.face.a1.value", value: 0.8, status: "default", source: "80 % of A2" },
    {
      path: "ch4ByLocation.face.a2.value",
      value: 1.0,
      status: "unconfirmed",
      source:
        `${PB_APPENDIX}; 1 % in the outgoing air of a dead-end working is in PB-2020 item 152 (quoted in ` +
        "https://prombez24.ru/questions/100891) and in RF government decree 315 of 25.04.2011",
    },
    { path: "ch4ByLocation.return.a1.value", value: 0.8, status: "default", source: "80 % of A2" },
    { path: "ch4ByLocation.return.a2.value", value: 1.0, status: "unconfirmed", source: PB_APPENDIX },
    { path: "ch4ByLocation.local.a1.value", value: 1.0, status: "default", source: "the face limit" },
    {
      path: "ch4ByLocation.local.a2.value",
      value: 2.0,
      status: "confirmed",
      source:
        "Rostekhnadzor definition 'скопление метана местное ... с концентрацией 2% объёмной доли и более', " +
        "https://issb.ru/termdef.php (term 'Скопление метана местное'); exam B.5.3 q.92 https://testsmart.ru/quest/3283",
    },
    { path: "ch4ByLocation.main-return.a1.value", value: 0.6, status: "default", source: "80 % of A2" },
    { path: "ch4ByLocation.main-return.a2.value", value: 0.75, status: "unconfirmed", source: PB_APPENDIX },
    { path: "gases.ch4.rorPerMin.value", value: 0.5, status: "default", source: "outburst signature" },
    { path: "gases.co.a1.value", value: 9, status: "default", source: "about half the MAC" },
    {
      path: "gases.co.a2.value",
      value: 17,
      status: "unconfirmed",
      source: `MAC 0.0017 %: ${PB_FAMILY_TOXIC}`,
    },
    {
      path: "gases.co.twa.value",
      value: 25,
      status: "confirmed",
      source:
        "ACGIH TLV 25 ppm TWA, OSHA chemical sampling page " +
        "https://www.osha.gov/dts/chemicalsampling/data/CH_225600.html",
    },
    { path: "gases.co.stel.value", value: 100, status: "default", source: "ACGIH lists no CO STEL" },
    { path: "gases.o2.a1.value", value: 20.5, status: "default", source: "early warning" },
    {
      path: "gases.o2.a2.value",
      value: 20.0,
      status: "unconfirmed",
      source: `not less than 20 %: ${PB_FAMILY_TOXIC}`,
    },
    {
      path: "gases.o2.enrichment.value",
      value: 23.5,
      status: "default",
      source:
        "borrowed: OSHA 29 CFR 1910.146 oxygen-enriched threshold (secondary source " +
        "https://legalclarity.org/osha-oxygen-enriched-atmosphere-requirements); no mining figure",
    },
    { path: "gases.h2s.a1.value", value: 3.5, status: "default", source: "about half the MAC" },
    {
      path: "gases.h2s.a2.value",
      value: 7.1,
      status: "unconfirmed",
      source: `MAC 0.00071 %: ${PB_FAMILY_TOXIC}`,
    },
    { path: "gases.h2s.twa.value", value: 1, status: "confirmed", source: ACGIH_H2S_2010 },
    { path: "gases.h2s.stel.value", value: 5, status: "confirmed", source: ACGIH_H2S_2010 },
  ],
  "us-msha-coal": [
    {
      path: "ch4ByLocation.intake.a1.value",
      value: 1.0,
      status: "unconfirmed",
      source:
        "30 CFR 75.323(b)(1) text not retrieved; the same words in W. Va. Code 22A-2-43(c)(1), " +
        "https://code.wvlegislature.gov/22A-2-43",
    },
    {
      path: "ch4ByLocation.intake.a2.value",
      value: 1.5,
      status: "unconfirmed",
      source:
        "30 CFR 75.323(b)(2) text not retrieved; the same words in W. Va. Code 22A-2-43(c)(2), " +
        "https://code.wvlegislature.gov/22A-2-43",
    },
    {
      path: "ch4ByLocation.face.a1.value",
      value: 1.0,
      status: "confirmed",
      source: `${USC_863} ${USC_CHUNKS}/chunck-534.md: 863(h)(2) working place, 1.0 volume per centum`,
    },
    {
      path: "ch4ByLocation.face.a2.value",
      value: 1.5,
      status: "confirmed",
      source: `${USC_863} ${USC_CHUNKS}/chunck-534.md: 863(h)(2) working place, 1.5 volume per centum`,
    },
    {
      path: "ch4ByLocation.return.a1.value",
      value: 1.0,
      status: "confirmed",
      source: `${USC_863} ${USC_CHUNKS}/chunck-535.md: 863(i)(1) split returning from a working section`,
    },
    {
      path: "ch4ByLocation.return.a2.value",
      value: 1.5,
      status: "confirmed",
      source: `${USC_863} ${USC_CHUNKS}/chunck-535.md: 863(i)(2) split returning from a working section`,
    },
    {
      path: "ch4ByLocation.local.a1.value",
      value: 1.0,
      status: "default",
      source: "mapped to a working place",
    },
    {
      path: "ch4ByLocation.local.a2.value",
      value: 1.5,
      status: "default",
      source: "mapped to a working place",
    },
    { path: "gases.ch4.rorPerMin.value", value: 0.5, status: "default", source: "outburst signature" },
    {
      path: "gases.ch4.calIntervalMs",
      value: 31 * 86_400_000,
      status: "unconfirmed",
      source:
        "30 CFR 75.342(a)(4) (machine-mounted monitors) not retrieved; 31 days is confirmed for hand-held " +
        "methane detectors in 75.320(a), https://self-law.org/code/us/cfr/t30/s%C2%A7%2075.320",
    },
    { path: "gases.co.a1.value", value: 25, status: "default", source: "half the 1972 TLV" },
    {
      path: "gases.co.a2.value",
      value: 50,
      status: "default",
      source: "instantaneous reading at the 1972 TLV",
    },
    {
      path: "gases.co.twa.value",
      value: 50,
      status: "unconfirmed",
      source:
        "1972 ACGIH TLV incorporated by 30 CFR 75.322 (75.322 read at http://www.msha.gov/30cfr/75.322.htm); " +
        "the 1972 list (https://www.toxicdocs.org/d/gD4RzBvEJ5Rdwyoqoo6X2oj6e) was found but its CO row not read",
    },
    { path: "gases.co.stel.value", value: 100, status: "default", source: "1972 TLVs had no STEL; 2 x TLV" },
    { path: "gases.o2.a1.value", value: 20.0, status: "default", source: "early warning" },
    {
      path: "gases.o2.a2.value",
      value: 19.5,
      status: "confirmed",
      source: `${USC_863} ${USC_CHUNKS}/chunck-528.md: 863(b) not less than 19.5 volume per centum of oxygen`,
    },
    {
      path: "gases.o2.enrichment.value",
      value: 23.5,
      status: "default",
      source:
        "borrowed: OSHA 29 CFR 1910.146 oxygen-enriched threshold (secondary source " +
        "https://legalclarity.org/osha-oxygen-enriched-atmosphere-requirements)",
    },
    { path: "gases.h2s.a1.value", value: 5, status: "default", source: "half the 1972 TLV" },
    {
      path: "gases.h2s.a2.value",
      value: 10,
      status: "default",
      source: "instantaneous reading at the 1972 TLV",
    },
    {
      path: "gases.h2s.twa.value",
      value: 10,
      status: "unconfirmed",
      source:
        "1972 ACGIH TLV via 30 CFR 75.322: 1972 row not read; the ACGIH TLV was 10 ppm until the 2010 change " +
        "(https://onepetro.org/ASSPPDCE/proceedings-abstract/ASSE14/All-ASSE14/ASSE-14-609/78040)",
    },
    {
      path: "gases.h2s.stel.value",
      value: 15,
      status: "default",
      source:
        "borrowed: the pre-2010 ACGIH STEL of 15 ppm (confirmed at the onepetro address above); not in the " +
        "1972 list that 75.322 incorporates",
    },
  ],
};

/**
 * Where every methane interlock number comes from (profile field `ch4Interlock.byLocation`), same status
 * words. Kept apart from PROVENANCE (whose test walks the set-points only); checked by
 * test/node/interlock-profiles.test.ts the same way: one entry per number, same value, none stale.
 */
const AGZ =
  "АГЗ cuts power at the norm of the place (definition of 'АГЗ шахт', " +
  "https://ukr-girnuchuy.sesii.net/156-%D0%B0%D0%B3%D0%B7%20%D1%88%D0%B0%D1%85%D1%82); the norm is the A2 " +
  "of this class, whose PB-2020 table was not retrieved";
const KZ_RESET = "below the trip level itself, as 30 U.S.C. 863(h)(2) words the re-energise condition";
const USC_H2 = `${USC_863} ${USC_CHUNKS}/chunck-534.md: 863(h)(2)`;
const USC_I2 = `${USC_863} ${USC_CHUNKS}/chunck-535.md: 863(i)(2)`;

export const TRIP_PROVENANCE: Readonly<Record<string, readonly Provenance[]>> = {
  "kz-ru-coal": [
    { path: "ch4Interlock.byLocation.intake.tripPctVol", value: 0.5, status: "unconfirmed", source: AGZ },
    {
      path: "ch4Interlock.byLocation.intake.resetBelowPctVol",
      value: 0.5,
      status: "default",
      source: KZ_RESET,
    },
    { path: "ch4Interlock.byLocation.face.tripPctVol", value: 1.0, status: "unconfirmed", source: AGZ },
    {
      path: "ch4Interlock.byLocation.face.resetBelowPctVol",
      value: 1.0,
      status: "default",
      source: KZ_RESET,
    },
    { path: "ch4Interlock.byLocation.return.tripPctVol", value: 1.0, status: "unconfirmed", source: AGZ },
    {
      path: "ch4Interlock.byLocation.return.resetBelowPctVol",
      value: 1.0,
      status: "default",
      source: KZ_RESET,
    },
    { path: "ch4Interlock.byLocation.local.tripPctVol", value: 2.0, status: "unconfirmed", source: AGZ },
    {
      path: "ch4Interlock.byLocation.local.resetBelowPctVol",
      value: 2.0,
      status: "default",
      source: KZ_RESET,
    },
    {
      path: "ch4Interlock.byLocation.main-return.tripPctVol",
      value: 0.75,
      status: "unconfirmed",
      source: AGZ,
    },
    {
      path: "ch4Interlock.byLocation.main-return.resetBelowPctVol",
      value: 0.75,
      status: "default",
      source: KZ_RESET,
    },
  ],
  "us-msha-coal": [
    {
      path: "ch4Interlock.byLocation.intake.tripPctVol",
      value: 1.0,
      status: "unconfirmed",
      source:
        "30 CFR 75.323(b)(1) (de-energise in an intake air course at 1.0 %) not retrieved; the 1.0 % intake " +
        "level is in W. Va. Code 22A-2-43(c)(1), https://code.wvlegislature.gov/22A-2-43",
    },
    {
      path: "ch4Interlock.byLocation.intake.resetBelowPctVol",
      value: 1.0,
      status: "unconfirmed",
      source: "as the intake trip; the working-place wording of 863(h)(2) is 'less than 1.0'",
    },
    {
      path: "ch4Interlock.byLocation.face.tripPctVol",
      value: 1.0,
      status: "confirmed",
      source: `${USC_H2}: at 1.0 volume per centum 'power to electric face equipment ... shall be cut off'`,
    },
    {
      path: "ch4Interlock.byLocation.face.resetBelowPctVol",
      value: 1.0,
      status: "confirmed",
      source: `${USC_H2}: 'until the air in such working place shall contain less than 1.0 volume per centum'`,
    },
    {
      path: "ch4Interlock.byLocation.return.tripPctVol",
      value: 1.5,
      status: "confirmed",
      source: `${USC_I2}: at 1.5 'all electric power shall be cut off from the endangered area'`,
    },
    {
      path: "ch4Interlock.byLocation.return.resetBelowPctVol",
      value: 1.0,
      status: "confirmed",
      source: `${USC_I2}: 'until the air in such split shall contain less than 1.0 volume per centum'`,
    },
    {
      path: "ch4Interlock.byLocation.local.tripPctVol",
      value: 1.0,
      status: "default",
      source: "mapped to a working place (863(h)(2))",
    },
    {
      path: "ch4Interlock.byLocation.local.resetBelowPctVol",
      value: 1.0,
      status: "default",
      source: "mapped to a working place (863(h)(2))",
    },
  ],
};

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(PROVENANCE);
deepFreeze(TRIP_PROVENANCE);
