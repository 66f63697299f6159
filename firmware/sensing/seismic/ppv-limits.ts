/**
 * PPV limit profiles: frequency-dependent peak-particle-velocity limits that an event's PPV is classified
 * against. A profile is data: breakpoints (frequency in Hz, limit in mm/s), linear interpolation between
 * them, the end values held beyond the ends. Both published criteria below apply PPV as the largest of the
 * three component peaks, paired with that component's dominant frequency, which is what the detector feeds.
 *
 * Sources (numbers below cite them):
 * - USBM RI 8507: Siskind, Stagg, Kopp, Dowding (1980), "Structure Response and Damage Produced by Ground
 *   Vibration from Surface Mine Blasting", Appendix B "Alternative blasting level criteria" (the curve OSMRE
 *   adopted in 30 CFR 816.67(d)(4), Figure 1). The curve is built from two constant-displacement lines,
 *   0.030 in at low frequency and 0.008 in at middle frequency, a velocity plateau between them (0.50 in/s
 *   plaster, 0.75 in/s drywall), and 2.0 in/s from the upper intersection (about 40 Hz) up. Cross-check: the
 *   Rhode Island rule (R.I. Gen. Laws 23-28.28-9(d)) that incorporates RI 8507 states 0.5 in/s from 2.5 to
 *   10 Hz and 0.05 f in/s (= 2 pi f x 0.008 in) above 10 Hz up to 2 in/s.
 * - DIN 4150-3:1999-02, Table 1 "Guideline values for vibration velocity to be used when evaluating the
 *   effects of short-term vibration on structures", columns "foundation" (1 to 10 Hz, 10 to 50 Hz, 50 to
 *   100 Hz; "at frequencies above 100 Hz, at least the values for 100 Hz apply"; within a band the value
 *   rises linearly from the lower to the upper figure). Line 1: commercial / industrial buildings;
 *   line 2: dwellings; line 3: structures particularly sensitive to vibration (e.g. listed buildings).
 */
import { SeismicError } from "./errors.js";

export interface PpvLimitProfile {
  readonly name: string;
  /** Where the numbers come from, printed with events by host tools. */
  readonly source: string;
  /** Breakpoint frequencies in Hz, strictly ascending. */
  readonly freqHz: readonly number[];
  /** PPV limit in mm/s at each breakpoint (same length as `freqHz`, all > 0 except a 0 Hz origin point). */
  readonly ppvMmPerS: readonly number[];
}

/** 1 inch = 25.4 mm exactly. */
const MM_PER_IN = 25.4;
/** RI 8507 App. B low-frequency constant displacement, 0.030 in. */
const USBM_LOW_DISPLACEMENT_MM = 0.03 * MM_PER_IN;
/** RI 8507 App. B mid-frequency constant displacement, 0.008 in. */
const USBM_MID_DISPLACEMENT_MM = 0.008 * MM_PER_IN;
/** RI 8507 App. B plateau for plaster-on-lath interior walls, 0.50 in/s. */
const USBM_PLASTER_MM_PER_S = 0.5 * MM_PER_IN;
/** RI 8507 App. B plateau for drywall (gypsum board) interior walls, 0.75 in/s. */
const USBM_DRYWALL_MM_PER_S = 0.75 * MM_PER_IN;
/** RI 8507 App. B high-frequency limit, 2.0 in/s. */
const USBM_HIGH_MM_PER_S = 2.0 * MM_PER_IN;

/**
 * The RI 8507 curve for one plateau: velocity = 2 pi f d on the displacement lines, so each breakpoint is
 * where a displacement line meets a velocity level: f = v / (2 pi d). The origin point makes the
 * low-frequency line continue below 1 Hz (the figure starts at 1 Hz; a constant displacement means a
 * lower velocity limit at lower frequency, so extending it is the conservative reading).
 */
function usbmCurve(name: string, plateauMmPerS: number, wall: string): PpvLimitProfile {
  const f1 = plateauMmPerS / (2 * Math.PI * USBM_LOW_DISPLACEMENT_MM);
  const f2 = plateauMmPerS / (2 * Math.PI * USBM_MID_DISPLACEMENT_MM);
  const f3 = USBM_HIGH_MM_PER_S / (2 * Math.PI * USBM_MID_DISPLACEMENT_MM);
  return Object.freeze({
    name,
    source: `USBM RI 8507 (1980) Appendix B alternative blasting criteria, ${wall}; 30 CFR 816.67(d)(4) Fig. 1`,
    freqHz: Object.freeze([0, f1, f2, f3]),
    ppvMmPerS: Object.freeze([0, plateauMmPerS, plateauMmPerS, USBM_HIGH_MM_PER_S]),
  });
}

function dinLine(name: string, line: number, kind: string, v10: number, v50: number, v100: number) {
  return Object.freeze({
    name,
    source: `DIN 4150-3:1999 Table 1 line ${line} (${kind}), foundation, short-term vibration`,
    // 1 to 10 Hz: v10; 10 to 50 Hz: v10 rising to v50; 50 to 100 Hz: v50 rising to v100; above: v100.
    // Below 1 Hz the table is silent; the 1 Hz value is held (a default, not part of the standard).
    freqHz: Object.freeze([1, 10, 50, 100]),
    ppvMmPerS: Object.freeze([v10, v10, v50, v100]),
  });
}

export const PPV_PROFILES: Readonly<Record<string, PpvLimitProfile>> = Object.freeze({
  "usbm-ri8507-plaster": usbmCurve("usbm-ri8507-plaster", USBM_PLASTER_MM_PER_S, "plaster walls"),
  "usbm-ri8507-drywall": usbmCurve("usbm-ri8507-drywall", USBM_DRYWALL_MM_PER_S, "drywall"),
  // DIN 4150-3:1999 Table 1, line 1: 20 mm/s; 20 to 40 mm/s; 40 to 50 mm/s.
  "din4150-3-line1": dinLine("din4150-3-line1", 1, "commercial and industrial buildings", 20, 40, 50),
  // Line 2: 5 mm/s; 5 to 15 mm/s; 15 to 20 mm/s.
  "din4150-3-line2": dinLine("din4150-3-line2", 2, "dwellings", 5, 15, 20),
  // Line 3: 3 mm/s; 3 to 8 mm/s; 8 to 10 mm/s.
  "din4150-3-line3": dinLine("din4150-3-line3", 3, "sensitive structures", 3, 8, 10),
});

/**
 * The default profile is the stricter (plaster) RI 8507 curve: the criterion most blast-monitoring in
 * mining is judged against. A design default; a site sets its own in provisioning.
 */
export const DEFAULT_PPV_PROFILE = "usbm-ri8507-plaster";

export function ppvProfileNamed(name: string): PpvLimitProfile {
  const p = Object.hasOwn(PPV_PROFILES, name) ? PPV_PROFILES[name] : undefined;
  if (!p) {
    throw new SeismicError(
      "unknown-profile",
      `unknown PPV limit profile "${name}" (known: ${Object.keys(PPV_PROFILES).join(", ")})`,
      name,
    );
  }
  return p;
}

/** Checks a caller-supplied profile; throws `bad-config` naming the first bad number. */
export function validatePpvProfile(p: PpvLimitProfile): PpvLimitProfile {
  const n = p.freqHz.length;
  if (n === 0 || n !== p.ppvMmPerS.length) {
    throw new SeismicError(
      "bad-config",
      `PPV profile "${p.name}" needs equal, non-empty freqHz and ppvMmPerS`,
      n,
    );
  }
  for (let i = 0; i < n; i++) {
    const f = p.freqHz[i]!;
    const v = p.ppvMmPerS[i]!;
    if (!Number.isFinite(f) || f < 0 || (i > 0 && !(f > p.freqHz[i - 1]!))) {
      throw new SeismicError(
        "bad-config",
        `PPV profile "${p.name}": freqHz[${i}] = ${f} is not ascending`,
        f,
      );
    }
    if (!Number.isFinite(v) || v < 0 || (v === 0 && f !== 0)) {
      throw new SeismicError("bad-config", `PPV profile "${p.name}": ppvMmPerS[${i}] = ${v} is not > 0`, v);
    }
  }
  return p;
}

/** The limit in mm/s at `freqHz` (linear between breakpoints, ends held). Allocates nothing. */
export function ppvLimitMmPerS(p: PpvLimitProfile, freqHz: number): number {
  const fs = p.freqHz;
  const vs = p.ppvMmPerS;
  const n = fs.length;
  if (!(freqHz > fs[0]!)) return vs[0]!;
  for (let i = 1; i < n; i++) {
    const f1 = fs[i]!;
    if (freqHz <= f1) {
      const f0 = fs[i - 1]!;
      const v0 = vs[i - 1]!;
      return v0 + ((vs[i]! - v0) * (freqHz - f0)) / (f1 - f0);
    }
  }
  return vs[n - 1]!;
}

/** Classification of an event's PPV against a profile. */
export const PpvClass = Object.freeze({
  /** Below `warnFraction` of the limit. */
  Below: 0,
  /** At or above `warnFraction` of the limit, below the limit. */
  Warning: 1,
  /** At or above the limit. */
  Exceeds: 2,
});
export type PpvClassCode = (typeof PpvClass)[keyof typeof PpvClass];

export function ppvClassName(c: number): "below" | "warning" | "exceeds" {
  return c === 2 ? "exceeds" : c === 1 ? "warning" : "below";
}
