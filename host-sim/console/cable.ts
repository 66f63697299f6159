/**
 * The cable to a simulated node's console UART: attached once to the board's console port, it outlives the
 * node's reboots (each boot opens the port again and a new console answers on it) and lets a tool plug in
 * and out (`plug(peer)` / `unplug()`), as a field tech does with a USB-serial lead. While nothing is plugged
 * in, what the node sends is lost, as on an open connector.
 */
import { CONSOLE_DEFAULT_BAUD } from "../../firmware/node/console.js";
import type { SerialLine, SerialPeer } from "../board.js";

export class ConsoleCable implements SerialPeer {
  #node: SerialLine | undefined;
  #peer: SerialPeer | undefined;

  /** The node opened its console UART (at every boot). */
  connect(line: SerialLine): void {
    this.#node = line;
  }

  /** The node closed it (reboot, power off): bytes towards it are lost until the next boot opens it. */
  disconnect(): void {
    this.#node = undefined;
  }

  receive(bytes: Uint8Array): void {
    this.#peer?.receive(bytes);
  }

  /** True while the node's console UART is open. */
  get nodeListening(): boolean {
    return this.#node !== undefined;
  }

  /** Plugs a tool in (unplugging the previous one); returns the line towards the node it was given. */
  plug(peer: SerialPeer): SerialLine {
    this.unplug();
    this.#peer = peer;
    const line: SerialLine = {
      baud: this.#node?.baud ?? CONSOLE_DEFAULT_BAUD,
      send: (bytes) => {
        if (this.#peer === peer) this.#node?.send(bytes);
      },
    };
    peer.connect(line);
    return line;
  }

  /** Pulls the cable: the tool is told (disconnect), bytes in flight either way are lost. */
  unplug(): void {
    const p = this.#peer;
    this.#peer = undefined;
    p?.disconnect?.();
  }
}
