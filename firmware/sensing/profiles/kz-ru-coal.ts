/**
 * "kz-ru-coal": underground coal mines under the Russian "Правила безопасности в угольных шахтах"
 * (Rostekhnadzor order No. 507 of 08.12.2020, "PB-2020") and Kazakhstan's "Правила обеспечения промышленной
 * безопасности для опасных производственных объектов, ведущих горные и геологоразведочные работы"
 * (order of the Minister for Investment and Development No. 352 of 30.12.2014, registered No. 10247), which
 * belong to the same family. Methane limits depend on where the node hangs (PB-2020 item 122 -> appendix 3).
 * A2 = the rule's limit (power off / work stops there); A1 = an earlier warning, a DEFAULT.
 * Toxic gases: A2 = the maximum permissible concentration (MAC) of the mine-atmosphere section; STEL/TWA
 * follow the ACGIH TLVs (the Russian MAC is a ceiling, it has no 15-min / 8-h form).
 * SOURCES.md gives the clause of every number and says which ones could not be confirmed at the source.
 */
import { CH4_DEFAULTS, CO_DEFAULTS, H2S_DEFAULTS, O2_DEFAULTS } from "./common.js";
import type { GasProfile } from "./types.js";

export const KZ_RU_COAL: GasProfile = {
  name: "kz-ru-coal",
  title: "Kazakhstan / Russia underground coal (PB-2020 appendix 3 by location; KZ order 352 of 2014)",
  exposureStandard: "ceiling: mine-atmosphere MAC (PB family); STEL/TWA: ACGIH TLV",
  locations: ["intake", "face", "return", "local", "main-return"],
  ch4ByLocation: {
    // Air coming into a face, a heading or an extraction section: 0.5 %vol (PB-2020 appendix 3, "поступающая
    // струя"; value as in the PB family, NOT confirmed against the 2020 text in this session: DEFAULT until
    // checked). A1 DEFAULT 0.4 (80 % of A2). Hysteresis DEFAULT 0.05 (5 counts of a 0.01 %vol sensor).
    intake: { a1: { value: 0.4, hysteresis: 0.05 }, a2: { value: 0.5, hysteresis: 0.05 } },
    // Outgoing air of a face / heading / extraction section: 1.0 %vol (PB-2020 appendix 3, "исходящая струя
    // очистной, тупиковой выработки, выемочного участка"; same status as above). Decree No. 315 of 25.04.2011
    // (confirmed) makes degassing mandatory where ventilation cannot keep methane in workings below 1 %.
    // A1 DEFAULT 0.8.
    face: { a1: { value: 0.8, hysteresis: 0.05 }, a2: { value: 1.0, hysteresis: 0.05 } },
    // Section return: the same 1.0 %vol row of appendix 3 as the face (a section's outgoing air).
    return: { a1: { value: 0.8, hysteresis: 0.05 }, a2: { value: 1.0, hysteresis: 0.05 } },
    // Local accumulation: 2 %vol and more is by definition a local methane accumulation ("скопление метана
    // местное ... с концентрацией 2 % объёмной доли и более", Rostekhnadzor glossary / exam B.5.3 q. 92,
    // confirmed). A1 DEFAULT 1.0 (the face limit: above it the air is no longer ordinary return air).
    local: { a1: { value: 1.0, hysteresis: 0.1 }, a2: { value: 2.0, hysteresis: 0.1 } },
    // Return of a wing / the whole mine: 0.75 %vol (PB family appendix 3, NOT confirmed: DEFAULT until
    // checked). A1 DEFAULT 0.6.
    "main-return": { a1: { value: 0.6, hysteresis: 0.05 }, a2: { value: 0.75, hysteresis: 0.05 } },
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
      // MAC 0.0017 %vol = 17 ppm (mine-atmosphere toxic-gas table of the PB family, "Оксид углерода CO
      // 0,0017 %"; seen in the ore-mine rules' table 1 of item 154; 20 mg/m3 x 24.45 / 28.01 = 17.5 ppm).
      a2: { value: 17, hysteresis: 1 },
      enrichment: null,
      // ACGIH TLV-TWA 25 ppm (ACGIH TLV list; NOT confirmed at source in this session: DEFAULT until checked).
      twa: { value: 25, hysteresis: 1 },
      // ACGIH has no CO STEL; DEFAULT: 100 ppm over 15 min (4 x the TLV-TWA, ACGIH's excursion guidance is
      // 3 x for 30 min and 5 x never: 4 x over 15 min sits between).
      stel: { value: 100, hysteresis: 5 },
      rorPerMin: null,
    },
    o2: {
      ...O2_DEFAULTS,
      // DEFAULT: 20.5 %vol, an early warning 0.4 below fresh air's 20.9.
      a1: { value: 20.5, hysteresis: 0.1 },
      // O2 in workings where people are or may be: not less than 20 %vol (PB family, "содержание кислорода
      // ... должно составлять не менее 20 %"; seen in item 154 of the ore-mine rules of the family).
      a2: { value: 20.0, hysteresis: 0.1 },
      // DEFAULT: 23.5 %vol, the oxygen-enriched threshold of OSHA 29 CFR 1910.146(b) (no PB-family figure).
      enrichment: { value: 23.5, hysteresis: 0.2 },
      stel: null,
      twa: null,
      rorPerMin: null,
    },
    h2s: {
      ...H2S_DEFAULTS,
      // DEFAULT: half the MAC.
      a1: { value: 3.5, hysteresis: 0.5 },
      // MAC 0.00071 %vol = 7.1 ppm (PB-family toxic-gas table, "Сероводород H2S 0,00071 %"; 10 mg/m3 x
      // 24.45 / 34.08 = 7.2 ppm; the table row was truncated in the copy seen: DEFAULT until checked).
      a2: { value: 7.1, hysteresis: 0.5 },
      enrichment: null,
      // ACGIH TLV-TWA 1 ppm and TLV-STEL 5 ppm (2010 revision; NOT confirmed at source in this session).
      twa: { value: 1, hysteresis: 0.1 },
      stel: { value: 5, hysteresis: 0.5 },
      rorPerMin: null,
    },
  },
};
