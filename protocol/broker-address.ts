/**
 * The MQTT broker's address as a node must be given it: a dotted-quad IPv4 address, never a host name.
 *
 * Why: Moddable's MQTT client (`embedded:network/mqtt/client`, examples/io/tcp/mqttclient in the SDK, which
 * the manifests include) resolves its `host` with the UDP DNS resolver configured in that client's config
 * module, whose server list is hard-coded to a public resolver (1.1.1.1). A string of four decimal parts is
 * taken as an address without a query; anything else, "localhost" and names in a local DNS zone included, is
 * sent to that public server. A mine network has no route to the internet, so a name never resolves and the
 * node never connects. The address is checked where it is set (build:firmware's `mqttHost=`) and again where
 * the node reads it (firmware/node/runtime/transports-from-config.ts), with the same one line.
 *
 * Strict form: four parts 0..255 in decimal without leading zeros (the socket layer may read "010" as
 * octal), not 0.0.0.0. Pure and allocation-light; runs on XS.
 */

/** Why `host` cannot be the broker's address on a node (one line), or undefined when it is fine. */
export function brokerAddressProblem(host: unknown): string | undefined {
  if (typeof host === "string" && isIPv4(host) && host !== "0.0.0.0") return undefined;
  const shown = typeof host === "string" ? `"${host}"` : String(host);
  return (
    `mqttHost must be the broker's IPv4 address (e.g. 10.0.0.5), got ${shown}: Moddable's MQTT client ` +
    "looks up host names at a hard-coded public DNS server (1.1.1.1), which a mine network without internet " +
    "cannot reach"
  );
}

/** Four decimal parts 0..255, no sign, no leading zero, nothing else. */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  let first = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e; // a final "." closes the last part
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || (digits > 1 && first === 0x30)) return false;
      parts++;
      digits = 0;
      value = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39 || digits === 3) return false;
    if (digits === 0) first = c;
    value = value * 10 + (c - 0x30);
    digits++;
  }
  return parts === 4;
}
