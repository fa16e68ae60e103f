import { escapeControl } from "../../bytes/mod.ts";
import type { ClassEntry } from "../../check/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import { endpointFlags } from "../mod.ts";

/**
 * Reads a class file: one student per line, a name (spaces allowed) and, as
 * the last field, `HOST[:PORT]`; `defaultPort` when the port is left out.
 * Blank lines and `#` comments are skipped.
 * @param fileName Named in the errors.
 * @throws {UsageError} naming the first bad line, or when no student is listed.
 * @example
 * ```ts
 * import { parseClassFile } from "./class_file.ts";
 * parseClassFile("Budi Santoso 10.0.0.11:9000\n", 9000, "class.txt");
 * // [{ name: "Budi Santoso", host: "10.0.0.11", port: 9000, line: 1 }]
 * ```
 */
export function parseClassFile(text: string, defaultPort: number, fileName: string): ClassEntry[] {
  const entries: ClassEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/(^|\s)#.*$/, "").trim();
    if (content === "") return;
    const split = /^(.*\S)\s+(\S+)$/.exec(content);
    if (!split) {
      throw new UsageError(
        `${fileName} line ${line}: give a name, then HOST[:PORT], got '${escapeControl(content)}'`,
      );
    }
    try {
      const { host, port } = endpointFlags(split[2]!, String(defaultPort), false, 1);
      entries.push({ name: split[1]!, host, port, line });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // The flag's words ("--host") would point at the command line, not the file.
      const why = error.message.replace(/--host|--port/g, "the address");
      throw new UsageError(`${fileName} line ${line}: ${why}`);
    }
  });
  if (entries.length === 0) {
    throw new UsageError(`${fileName} lists no student: write one per line, NAME HOST[:PORT]`);
  }
  return entries;
}
