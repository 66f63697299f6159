/**
 * The lin board's gas recording: seconds 110..169 of test/fixtures/recordings/gas-face (synthetic, seed 3;
 * its labels: CH4 inrush at 120 s, CH4 A1 (0.8 %vol) crossed at 130 s and A2 (1.0 %vol) at 133 s under
 * kz-ru-coal at the face), one sample a second, as integers (CH4 and O2 in 0.01 %vol, CO and H2S in 0.1 ppm).
 * manifests/lin/sim-board.ts plays it from boot and holds the last sample after it; the node meets the
 * inrush about 10 s after it starts. test/manifests/lin-board.test.ts checks it against the fixture.
 */
export const RECORDING_SOURCE = "test/fixtures/recordings/gas-face/gas.csv";
export const RECORDING_START_S = 110;
export const RECORDING_PERIOD_MS = 1000;

export const CH4_CENTI_PCT: readonly number[] = Object.freeze([
  15, 14, 18, 14, 14, 16, 16, 15, 17, 13, 16, 23, 30, 38, 46, 51, 60, 66, 74, 79, 85, 91, 98, 102, 107, 112,
  119, 123, 128, 133, 136, 142, 145, 149, 154, 158, 159, 163, 166, 170, 171, 176, 181, 182, 183, 185, 191,
  192, 193, 199, 199, 203, 202, 204, 206, 208, 211, 214, 215, 217,
]);
export const CO_DECI_PPM: readonly number[] = Object.freeze([
  21, 21, 20, 20, 18, 19, 22, 18, 21, 20, 22, 28, 22, 23, 23, 19, 18, 23, 20, 19, 21, 22, 24, 24, 22, 19, 17,
  20, 16, 19, 19, 18, 19, 15, 22, 20, 19, 22, 21, 21, 16, 20, 27, 22, 20, 17, 19, 20, 20, 21, 21, 22, 24, 22,
  19, 22, 17, 20, 19, 21,
]);
export const O2_CENTI_PCT: readonly number[] = Object.freeze([
  2085, 2085, 2083, 2093, 2089, 2090, 2098, 2088, 2093, 2085, 2086, 2088, 2090, 2084, 2084, 2082, 2082, 2078,
  2081, 2079, 2084, 2073, 2072, 2071, 2069, 2069, 2069, 2068, 2068, 2065, 2067, 2060, 2056, 2063, 2059, 2059,
  2060, 2058, 2062, 2058, 2058, 2059, 2058, 2056, 2055, 2056, 2053, 2056, 2051, 2050, 2052, 2051, 2051, 2051,
  2055, 2054, 2045, 2050, 2053, 2050,
]);
export const H2S_DECI_PPM: readonly number[] = Object.freeze([
  0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 2, 1, 0, 1, 0, 0, 1, 0,
  1, 1, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1, 1, 0, 3, 2, 0, 0, 1, 0, 0, 1, 0,
]);
