/**
 * Channel names and units of the recording format (FORMAT.md). A CSV column is `<channel>_<unit>`; the unit
 * suffix says what the numbers are, so a file never relies on a side table to be read correctly.
 */
export type Unit = "pct_vol" | "ppm" | "m_per_s2" | "counts";

/** Longest suffix first so that `_pct_vol` is not read as an unknown unit `vol`. */
export const UNITS: readonly Unit[] = ["m_per_s2", "pct_vol", "counts", "ppm"];

export type Quantity = "gas" | "acceleration" | "raw";

export function quantityOf(unit: Unit): Quantity {
  if (unit === "pct_vol" || unit === "ppm") return "gas";
  if (unit === "m_per_s2") return "acceleration";
  return "raw";
}

/** The gas channels the sensing pipeline knows, with the unit each must be recorded in. */
export const GAS_CHANNEL_UNITS = { ch4: "pct_vol", co: "ppm", o2: "pct_vol", h2s: "ppm" } as const;
export type GasChannel = keyof typeof GAS_CHANNEL_UNITS;
export const GAS_CHANNELS = Object.keys(GAS_CHANNEL_UNITS) as GasChannel[];

/** Accelerometer axes (m/s^2, gravity removed or not: the seismic path high-passes anyway). */
export const ACCEL_AXES = ["ax", "ay", "az"] as const;
export type AccelAxis = (typeof ACCEL_AXES)[number];

export interface Channel {
  /** e.g. `ch4`, `ax`, or a SEED code such as `IU.COLA.00.LHZ` for MiniSEED channels. */
  name: string;
  unit: Unit;
}

export function columnName(c: Channel): string {
  return `${c.name}_${c.unit}`;
}

/** Splits a column name into channel and unit; undefined when the suffix is not a known unit. */
export function parseColumnName(column: string): Channel | undefined {
  for (const unit of UNITS) {
    const suffix = `_${unit}`;
    if (column.length > suffix.length && column.endsWith(suffix)) {
      const name = column.slice(0, -suffix.length);
      if (/^[A-Za-z0-9][A-Za-z0-9.]*$/.test(name)) return { name, unit };
    }
  }
  return undefined;
}
