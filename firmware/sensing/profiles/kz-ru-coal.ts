/**
 * "kz-ru-coal": underground coal mines under the Russian "Правила безопасности в угольных шахтах"
 * (Rostekhnadzor order No. 507 of 08.12.2020, "PB-2020") and Kazakhstan's coal-mine rules, "Правила
 * обеспечения промышленной безопасности для опасных производственных объектов угольных шахт" (order of the
 * Minister for Investment and Development No. 351 of 30.12.2014, registered No. 10255; amended 13.06.2023
 * No. 318), which belong to the same family. CORRECTED citation: order No. 352 (registered No. 10247), cited
 * here before, is the rule for mining and geological exploration in general ("ведущих горные и
 * геологоразведочные работы"); coal mines have their own order 351 (adilet.zan.kz/rus/docs/V2300032795).
 * Methane limits depend on where the node hangs (PB-2020 methane-by-place table).
 * A2 = the rule's limit (power off / work stops there); A1 = an earlier warning, a DEFAULT.
 * Toxic gases: A2 = the maximum permissible concentration (MAC) of the mine-atmosphere section; STEL/TWA
 * follow the current ACGIH TLVs (the Russian MAC is a ceiling, it has no 15-min / 8-h form).
 * Status of every number: provenance.ts (checked by a test) and SOURCES.md (quotes and addresses).
 * "confirmed: <clause>" = read at the source; "UNCONFIRMED" = the figure the rule is known for, text not
 * read: a design default until checked; "DEFAULT" = design choice.
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import { CH4_DEFAULTS, CO_DEFAULTS, H2S_DEFAULTS, O2_DEFAULTS } from "./common.js";
import type { GasProfile } from "./types.js";

export const KZ_RU_COAL: GasProfile = {
  name: "kz-ru-coal",
  title: "Kazakhstan / Russia underground coal (PB-2020 methane by location; KZ coal-mine order 351 of 2014)",
  exposureStandard: "ceiling: mine-atmosphere MAC (PB family); STEL/TWA: ACGIH TLV",
  locations: ["intake", "face", "return", "local", "main-return"],
  ch4ByLocation: {
    // Air coming into a face, a heading or an extraction section: 0.5 %vol. UNCONFIRMED: the PB-2020
    // methane-by-place table was not read; a design default until checked. A1 DEFAULT 0.4 (80 % of A2).
    // Hysteresis DEFAULT 0.05 (5 counts of a 0.01 %vol sensor).
    intake: { a1: { value: 0.4, hysteresis: 0.05 }, a2: { value: 0.5, hysteresis: 0.05 } },
    // Outgoing air of a face / dead-end working / extraction section: 1.0 %vol. UNCONFIRMED for the table
    // row; consistent with PB-2020 item 152 ("содержание метана не превышает 1 %" in the outgoing air of a
    // dead-end working ventilated by a pneumatic fan) and with decree No. 315 of 25.04.2011 (degassing
    // mandatory where ventilation cannot keep methane below 1 %). A1 DEFAULT 0.8.
    face: { a1: { value: 0.8, hysteresis: 0.05 }, a2: { value: 1.0, hysteresis: 0.05 } },
    // Outgoing air of an extraction section ("исходящая струя выемочного участка"): the same 1.0 %vol row
    // as the face. UNCONFIRMED (table not read). PB-2020 item 189 names this place class.
    return: { a1: { value: 0.8, hysteresis: 0.05 }, a2: { value: 1.0, hysteresis: 0.05 } },
    // Local accumulation. confirmed: Rostekhnadzor definition "скопление метана местное ... с концентрацией
    // 2 % объёмной доли и более" (issb.ru glossary; exam B.5.3 q.92). A1 DEFAULT 1.0 (the face limit: above
    // it the air is no longer ordinary return air).
    local: { a1: { value: 1.0, hysteresis: 0.1 }, a2: { value: 2.0, hysteresis: 0.1 } },
    // Return of a wing / the whole mine ("крыло шахты", a place class PB-2020 item 189 names): 0.75 %vol.
    // UNCONFIRMED (table not read; note 0.75 % is also the CO2 limit for a mine's general return in the
    // ore-mine rules, so do not take a copy of that line as confirmation). A1 DEFAULT 0.6.
    "main-return": { a1: { value: 0.6, hysteresis: 0.05 }, a2: { value: 0.75, hysteresis: 0.05 } },
  },
  // Automatic gas protection (АГЗ): the methane-measuring system itself cuts power to the electrical
  // equipment of the place when methane exceeds the norm of that place, with local and central light and
  // sound warning (mining-encyclopedia definition of "АГЗ шахт"; the old Rostekhnadzor АГК recommendations'
  // log form records "отключение напряжения на объекте ... от контрольной концентрации метана"). So the trip
  // level of each class is its A2 norm above. UNCONFIRMED: the PB-2020 methane-by-place table was not read.
  // Reset point DEFAULT: below the trip level itself (as the US statute words it, 30 U.S.C. 863(h)(2): power
  // stays off "until the air ... shall contain less than 1.0 volume per centum"); the reset is manual anyway.
  // Trip on sensor fault: DEFAULT here (borrowed from 30 U.S.C. 863(l), "deenergize automatically such
  // equipment when such monitor is not operating properly"); no PB clause was read for it.
  ch4Interlock: {
    tripOnSensorFault: true,
    byLocation: {
      intake: { tripPctVol: 0.5, resetBelowPctVol: 0.5 },
      face: { tripPctVol: 1.0, resetBelowPctVol: 1.0 },
      return: { tripPctVol: 1.0, resetBelowPctVol: 1.0 },
      local: { tripPctVol: 2.0, resetBelowPctVol: 2.0 },
      "main-return": { tripPctVol: 0.75, resetBelowPctVol: 0.75 },
    },
  },
  gases: {
    ch4: {
      ...CH4_DEFAULTS,
      // Replaced per location (ch4ByLocation).
      a1: null,
      a2: null,
      enrichment: null,
      stel: null,
      twa: null,
      // DEFAULT: 0.5 %vol per minute: an outburst / inrush signature, well above the drift of a working face.
      rorPerMin: { value: 0.5, hysteresis: 0.25 },
    },
    co: {
      ...CO_DEFAULTS,
      // DEFAULT: half the MAC, an early warning.
      a1: { value: 9, hysteresis: 1 },
      // MAC 0.0017 %vol = 17 ppm. UNCONFIRMED for the coal rules (their clause was not read); the same
      // "Окись углерода CO 0,0017" is in table 1 of item 154 of the ore-mine rules of the family.
      a2: { value: 17, hysteresis: 1 },
      enrichment: null,
      // confirmed: ACGIH TLV-TWA 25 ppm (OSHA chemical sampling page for CO, "ACGIH TLV (1989): 25 ppm TWA").
      twa: { value: 25, hysteresis: 1 },
      // ACGIH has no CO STEL; DEFAULT: 100 ppm over 15 min (4 x the TLV-TWA, ACGIH's excursion guidance is
      // 3 x for 30 min and 5 x never: 4 x over 15 min sits between).
      stel: { value: 100, hysteresis: 5 },
      rorPerMin: null,
    },
    o2: {
      ...O2_DEFAULTS,
      // DEFAULT: 20.5 %vol, an early warning 0.4 below fresh air's 20.9. Hysteresis 0.3 %vol (clears at
      // 20.8): with 0.1 the warning chattered on and off in replays, because a percent or two of methane
      // dilutes fresh air's O2 to about 20.5 and an O2 cell reads to about +-0.1..0.2 %vol.
      a1: { value: 20.5, hysteresis: 0.3 },
      // O2 in workings where people are or may be: not less than 20 %vol. UNCONFIRMED for the coal rules;
      // seen in item 154 of the ore-mine rules of the family (copy paraphrased: "более 20% (по объему)").
      a2: { value: 20.0, hysteresis: 0.1 },
      // DEFAULT (borrowed): 23.5 %vol, OSHA's oxygen-enriched threshold (29 CFR 1910.146, seen in a secondary
      // source only); no PB-family figure.
      enrichment: { value: 23.5, hysteresis: 0.2 },
      stel: null,
      twa: null,
      rorPerMin: null,
    },
    h2s: {
      ...H2S_DEFAULTS,
      // DEFAULT: half the MAC.
      a1: { value: 3.5, hysteresis: 0.5 },
      // MAC 0.00071 %vol = 7.1 ppm. UNCONFIRMED: the H2S row was cut off in the only copy of the family's
      // table that was found (ore-mine rules item 154); a design default until checked.
      a2: { value: 7.1, hysteresis: 0.5 },
      enrichment: null,
      // confirmed: ACGIH TLV-TWA 1 ppm and TLV-STEL 5 ppm, adopted February 2010 (ASSE 2014 paper abstract,
      // onepetro; NIH PMC5777517 table 3).
      twa: { value: 1, hysteresis: 0.1 },
      stel: { value: 5, hysteresis: 0.5 },
      rorPerMin: null,
    },
  },
};

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(KZ_RU_COAL);
