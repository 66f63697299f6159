/**
 * LoRa time on air for the simulator. The formula itself (Semtech AN1200.13 / SX1276 datasheet 4.1.1.7)
 * lives in firmware/node/transports/lorawan/airtime.ts because the node needs it on XS for its duty-cycle
 * hold-back; the simulator uses that same code, so node and channel model can never disagree.
 */
import {
  JOIN_REQUEST_BYTES,
  LORAWAN_UPLINK_OVERHEAD_BYTES,
  type LoRaPhy,
  payloadSymbols,
  symbolTimeMs,
  timeOnAirMs,
} from "../../firmware/node/transports/lorawan/airtime.js";
import { dataRate, type Region } from "../../protocol/lorawan-regions.js";

export {
  JOIN_REQUEST_BYTES,
  LORAWAN_UPLINK_OVERHEAD_BYTES,
  type LoRaPhy,
  payloadSymbols,
  symbolTimeMs,
  timeOnAirMs,
};

/** Time on air of a LoRaWAN uplink carrying `appPayloadBytes` (no FOpts) at `region` DR`dataRateIndex`. */
export function lorawanUplinkAirtimeMs(
  region: Region,
  dataRateIndex: number,
  appPayloadBytes: number,
): number {
  const d = dataRate(region, dataRateIndex);
  return timeOnAirMs(appPayloadBytes + LORAWAN_UPLINK_OVERHEAD_BYTES, d);
}
