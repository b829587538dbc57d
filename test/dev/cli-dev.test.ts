// The developer commands of the `tjabberd` command line, run as child processes:
// `charts --out DIR` and `serve --inspect PORT`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chartFiles } from "../../src/dev/charts.js";
import { runTjabberd } from "../hardening/server-process.js";

const BIN = fileURLToPath(new URL("../../bin/tjabberd.js", import.meta.url));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-dev-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `tjabberd <args>` (no config file), run to completion. */
const run = (args: string[]) => runTjabberd(undefined, args);

test("charts --out DIR writes every chart, as generated from the machines", async () => {
  const out = join(dir, "charts");
  const { code, stdout } = await run(["charts", "--out", out]);
  expect(code).toBe(0);
  const expected = chartFiles();
  expect(readdirSync(out).sort()).toEqual([...expected.keys()].sort());
  for (const [file, content] of expected) expect(readFileSync(join(out, file), "utf8")).toBe(content);
  expect(stdout).toContain(`wrote ${join(out, "connection.svg")}`);
});

test("serve --inspect PORT serves the inspector on 127.0.0.1; a bad port is refused", async () => {
  const config = join(dir, "tjabberd.yaml");
  writeFileSync(config, [
    "domain: localhost",
    `data_dir: ${JSON.stringify(join(dir, "data"))}`,
    "listeners:",
    "  c2s: { host: 127.0.0.1, port: 0 }",
    "  c2s_tls: { enabled: false }",
    "workers: { size: 1 }",
    "",
  ].join("\n"));
  // Port 0: the log line says which port it got.
  const server = spawn(process.execPath, [BIN, "serve", "--inspect", "0", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const exited = new Promise<number | null>((resolve) => server.once("close", resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no inspector line in:\n${log}`)), 10000);
      server.stderr.on("data", (d: Buffer) => {
        log += d.toString();
        const m = /inspector on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
        if (m) (clearTimeout(timer), resolve(m[1]));
      });
    });
    const page = await new Promise<string>((resolve, reject) => {
      http.get(url, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(body));
      }).on("error", reject);
    });
    expect(page).toContain("<title>tjabberd inspector</title>");
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    server.kill("SIGKILL");
  }
  const bad = await run(["serve", "--inspect=http", "--config", config]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("--inspect: not a port: http");
});
