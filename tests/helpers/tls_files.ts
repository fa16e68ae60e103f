// A certificate and key made by openssl, as a lab makes them for --cert, --ca
// and TLS peers. Files are made and removed by child processes: the tests are
// granted no write access.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** A self-signed certificate for localhost and 127.0.0.1, with its key, in a folder of its own. */
export interface CertificateFiles {
  /** The temporary folder holding both files; a test may put more files in it. */
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  /** Deletes the folder and everything in it. */
  remove(): void;
}

/** Makes a one-day P-256 certificate with openssl; call `remove()` in an after hook or finally. */
export function makeCertificateFiles(): CertificateFiles {
  const dir = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim();
  assert.ok(dir.startsWith("/"), "mktemp -d gave no directory");
  const files = {
    dir,
    cert: join(dir, "cert.pem"),
    key: join(dir, "key.pem"),
    remove: () => void spawnSync("rm", ["-rf", dir]),
  };
  const made = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    files.key,
    "-out",
    files.cert,
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { encoding: "utf8", timeout: 20_000 });
  if (made.status !== 0) files.remove();
  assert.equal(made.status, 0, made.stderr);
  return files;
}

/** openssl's own fingerprint line for `cert`, "sha256 Fingerprint=AB:CD:...", as a student copies it. */
export function opensslFingerprintLine(cert: string): string {
  return spawnSync("openssl", ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], {
    encoding: "utf8",
  }).stdout.trim();
}
