// server.ts --tls as a student starts it, with the fingerprint its banner shows.
import { type RunningScript, startServer } from "./scripts.ts";

const FINGERPRINT = /tls: certificate SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/;

/** Starts `server.ts --tls` with `args` and reads the fingerprint from its banner. */
export async function startTlsServer(
  args: string[] = [],
): Promise<{ server: RunningScript; port: number; fingerprint: string }> {
  const { server, port } = await startServer("server.ts", ["--port", "0", "--tls", ...args]);
  try {
    const fingerprint = (await server.waitFor(FINGERPRINT, { stream: "stderr" }))[1]!;
    return { server, port, fingerprint };
  } catch (error) {
    await server.kill();
    throw error;
  }
}
