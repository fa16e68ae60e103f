// How users start socklab: a script through a runtime (`deno run -qP client.ts`,
// `bun client.ts`) or a command of the one compiled executable (`socklab client`,
// built by `npm run dist`). Whatever the program prints about itself (its name
// in errors, help, the client command a server suggests) names what users type.
import { runtime } from "../net/mod.ts";

/** The three scripts, each a command of the compiled executable. */
export type ScriptName = "server.ts" | "client.ts" | "udp.ts";

const SCRIPTS: readonly ScriptName[] = ["server.ts", "client.ts", "udp.ts"];

// The executable as it was typed, or false for the scripts.
let compiled: string | false = false;

/**
 * Makes this process name itself as the compiled executable does
 * (`./socklab server`); called once by its entry before a command runs.
 * @param typed The executable as typed ({@linkcode typedName}), or `false`
 *   to restore the scripts' names (for tests).
 */
export function useCompiledNames(typed: string | false = "socklab"): void {
  compiled = typed;
}

// What a POSIX shell takes as one word unquoted.
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/**
 * How to type the executable again in the same place, from its argv[0]: a
 * path as given (`./socklab`, `/opt/lab/socklab`), since a bare `socklab` is
 * "command not found" unless its folder is on PATH; a bare name as given (the
 * shell found it on PATH). Windows' cmd runs `socklab` from the current folder.
 */
export function typedName(argv0: string, platform: string): string {
  if (platform === "win32" || argv0 === "") return "socklab";
  if (PLAIN_WORD.test(argv0)) return argv0;
  return `'${argv0.replaceAll("'", `'\\''`)}'`;
}

/** `./socklab server` for `server.ts`: the compiled executable's command as typed. */
function compiledCommand(script: ScriptName): string {
  return `${compiled} ${script.slice(0, -".ts".length)}`;
}

/** The name `script` calls itself in messages: `server.ts`, or `socklab server`. */
export function programName(script: ScriptName): string {
  return compiled ? compiledCommand(script) : script;
}

/**
 * The command that starts `script` here, as a user types it on another PC
 * of the lab: `deno run -qP client.ts`, `bun client.ts` or `socklab client`.
 */
export function commandFor(script: ScriptName): string {
  if (compiled) return compiledCommand(script);
  return runtime.name === "deno" ? `deno run -qP ${script}` : `bun ${script}`;
}

/**
 * Rewrites text written for the scripts (help, hints) so that, in the
 * compiled executable, every `deno run -qP server.ts`, `bun server.ts` and
 * bare `server.ts` reads `socklab server`. Unchanged for the scripts.
 */
export function asTypedHere(text: string): string {
  if (!compiled) return text;
  return text.split("\n").map(renameInLine).join("\n");
}

const ANY_FORM = new RegExp(
  `(?:deno run -qP |bun )?(?<![\\w/.-])(${
    SCRIPTS.map((s) => s.replace(".", "\\.")).join("|")
  })(?!\\w)`,
  "g",
);

// Help lines are columns: the next gap of 2+ spaces after a rename takes up
// the difference in length, so the descriptions stay aligned.
function renameInLine(line: string): string {
  let shortenedBy = 0;
  let end = 0;
  const renamed = line.replace(ANY_FORM, (typed: string, script: ScriptName, at: number) => {
    const command = compiledCommand(script);
    shortenedBy += typed.length - command.length;
    end = at + typed.length - shortenedBy;
    return command;
  });
  const gap = / {2,}/.exec(renamed.slice(end));
  if (shortenedBy === 0 || !gap) return renamed;
  const at = end + gap.index;
  const width = Math.max(2, gap[0].length + shortenedBy);
  return renamed.slice(0, at) + " ".repeat(width) + renamed.slice(at + gap[0].length);
}
