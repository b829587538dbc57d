import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TlsFiles {
  cert: string;
  key: string;
  /** True when this call created a self-signed certificate. */
  generated: boolean;
}

/**
 * The certificate and key: from the configured paths, or a self-signed pair for `domains`
 * created in `dataDir` on first start and reused after (so clients can pin it).
 */
export async function loadOrCreateCertificate(opts: {
  cert: string | null | undefined;
  key: string | null | undefined;
  dataDir: string;
  domains: string[];
}): Promise<TlsFiles> {
  if (opts.cert && opts.key) {
    return { cert: readFileSync(opts.cert, "utf8"), key: readFileSync(opts.key, "utf8"), generated: false };
  }
  if (opts.cert || opts.key) throw new Error("tls.cert and tls.key must be set together");
  const certPath = join(opts.dataDir, "tls-selfsigned.crt");
  const keyPath = join(opts.dataDir, "tls-selfsigned.key");
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8"), generated: false };
  }
  const [primary] = opts.domains;
  const pems = await generate([{ name: "commonName", value: primary }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 5 * 365 * 86400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...opts.domains.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: "127.0.0.1" }],
      },
    ],
  });
  mkdirSync(opts.dataDir, { recursive: true });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert);
  return { cert: pems.cert, key: pems.private, generated: true };
}
