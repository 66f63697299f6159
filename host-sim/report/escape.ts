/**
 * Everything the report prints that came from a result (node ids, scenario names, reasons, fault details)
 * is untrusted text: a scenario file is user input, and a report is opened in a browser. The `html` tag
 * escapes every interpolated value unless it is a `Raw` fragment the renderer built itself, so an
 * unescaped string has to be asked for by name.
 */

/** A fragment of markup that is already safe (built by this module's `html` tag or the chart renderer). */
export class Raw {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an HTML/SVG element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export type HtmlValue = Raw | string | number | boolean | null | undefined | readonly HtmlValue[];

function part(v: HtmlValue): string {
  if (v instanceof Raw) return v.markup;
  if (v === null || v === undefined || v === false) return "";
  if (Array.isArray(v)) return v.map(part).join("");
  return escapeHtml(String(v));
}

/** Template tag: literal parts are markup, interpolations are escaped (arrays joined, Raw kept). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Raw {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Raw(out);
}

/** A CSS class token from data (frame type, alarm level): anything outside [A-Za-z0-9_-] becomes `_`. */
export function classToken(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** A class attribute value from space-separated class names, each made a safe token. */
export function classList(text: string): string {
  return text.split(/\s+/).filter(Boolean).map(classToken).join(" ");
}

/** POSIX shell quoting for the replay command: bare when safe, else single quotes. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
