// The `tjabberd` command line, run as a user would: account commands against a temporary data
// directory, then `serve` as a child process that an @xmpp/client logs in to and SIGTERM stops.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnJsonLines } from "../interop/child-process.js";
import { runTjabberd } from "../hardening/server-process.js";

const BIN = fileURLToPath(new URL("../../bin/tjabberd.js", import.meta.url));
const SESSION = fileURLToPath(new URL("../interop/xmpp-client-session.mjs", import.meta.url));

let dir: string;
let config: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-cli-"));
  config = join(dir, "tjabberd.yaml");
  writeFileSync(
    config,
    [
      "domain: localhost",
      `data_dir: ${JSON.stringify(join(dir, "data"))}`,
      "listeners:",
      "  c2s: { host: 127.0.0.1, port: 0 }",
      "  c2s_tls: { host: 127.0.0.1, port: 0 }",
      "workers: { size: 1 }",
      "",
    ].join("\n"),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `tjabberd <args> --config <config>`, run to completion. */
const tjabberd = (args: string[], stdin?: string) => runTjabberd(config, args, stdin);

// Each command is a separate Node process (~1 s from TypeScript sources), so the commands that
// do not depend on each other run side by side.
test("adduser, passwd, deluser and users: outputs and exit codes", async () => {
  // The first command creates the database.
  expect(await tjabberd(["adduser", "alice@localhost", "first-pw"])).toMatchObject({ code: 0, stdout: "created alice@localhost\n" });

  const [bob, again] = await Promise.all([
    tjabberd(["adduser", "bob"], "bob-pw\n"), // bare local part: the configured domain; password from stdin
    tjabberd(["adduser", "alice@localhost", "x"]),
  ]);
  expect(bob).toMatchObject({ code: 0, stdout: "created bob@localhost\n" });
  expect(again).toMatchObject({ code: 1, stdout: "", stderr: "account exists: alice@localhost\n" });

  const [passwd, deluser] = await Promise.all([
    tjabberd(["passwd", "alice@localhost", "second-pw"]),
    tjabberd(["deluser", "bob@localhost"]),
  ]);
  expect(passwd).toMatchObject({ code: 0, stdout: "password changed for alice@localhost\n" });
  expect(deluser).toMatchObject({ code: 0, stdout: "deleted bob@localhost\n" });

  expect(await tjabberd(["users"])).toMatchObject({ code: 0, stdout: "alice@localhost\n" });
});

test("serve: listens, @xmpp/client logs in, SIGTERM sends <system-shutdown/> and exits 0", async () => {
  // Uses the accounts the previous test left: alice with her changed password, bob deleted.
  const server = spawn(process.execPath, [BIN, "serve", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  server.stdout.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => server.once("close", resolve));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in:\n${log}`)), 10000);
      server.stderr.on("data", (d: Buffer) => {
        log += d.toString();
        const m = /listening for client connections \(STARTTLS\) on 127\.0\.0\.1:(\d+)/.exec(log);
        if (m) (clearTimeout(timer), resolve(Number(m[1])));
      });
    });
    expect(port).toBeGreaterThan(0);

    const env = { NODE_TLS_REJECT_UNAUTHORIZED: "0", NODE_NO_WARNINGS: "1" };
    const service = `xmpp://127.0.0.1:${port}`;
    const alice = spawnJsonLines(process.execPath, [SESSION, service, "alice", "second-pw", "SCRAM-SHA-1", "cli", "hold"], env);
    const bob = spawnJsonLines(process.execPath, [SESSION, service, "bob", "bob-pw", "PLAIN", "cli", "login"], env);
    expect(await alice.next("online")).toEqual({ online: "alice@localhost/cli" });
    expect(await bob.next("error")).toEqual({ error: "not-authorized" }); // deleted by `deluser`

    server.kill("SIGTERM");
    expect(await alice.next("streamError")).toEqual({ streamError: "system-shutdown" });
    expect(await exited).toBe(0);
    expect(log).toContain("SIGTERM: shutting down");
    expect(log).toContain("stopped");
  } finally {
    server.kill("SIGKILL");
  }
});
