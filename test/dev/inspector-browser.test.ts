// The inspector page in a real browser (Debian's chromium, headless, driven by playwright-core):
// a client logs in and the page shows its connection reaching the established state, highlights
// it on the chart, and lists its stanzas' handler chains. Under CI=true a missing chromium fails
// the test (.ci/run installs it); elsewhere the test is skipped with a message.
import { existsSync } from "node:fs";
import { parse, type Element } from "ltx";
import { chromium, type Browser, type Page } from "playwright-core";
import { startInspector, type InspectorHandle } from "../../src/dev/inspector-server.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const required = process.env.CI === "true";
if (!haveChromium && !required) console.warn(`inspector-browser.test.ts skipped: no ${CHROMIUM} (apt-get install -y chromium)`);
const browserTest = haveChromium || required ? test : test.skip;

let t: TestServer;
let inspection: InspectorHandle;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (!haveChromium) return;
  t = await startTestServer();
  await t.addUser("alice");
  inspection = await startInspector(t.server, { port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage();
  page.setDefaultTimeout(8000); // fail within jest's 20 s, with playwright's message
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const row = (jid: string) => page.locator("#connections tr", { hasText: jid });

browserTest("a client logs in: the page shows its connection established, on the chart too, and its stanzas", async () => {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing (CI=true): .ci/run should install Debian's chromium`);
  await page.goto(inspection.url);
  await page.locator("#status", { hasText: "live" }).waitFor();

  const alice = await t.login("alice", { resource: "browser" });
  await row("alice@localhost/browser").locator("td.state", { hasText: "authenticated.established.active" }).waitFor();

  // Selected on the chart: its active states are highlighted, the others are not.
  await row("alice@localhost/browser").click();
  await page.locator('#chart [data-state="authenticated.established.active"].current').waitFor();
  expect(await page.locator("#chart .current").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-state")).sort())).toEqual([
    "authenticated",
    "authenticated.established",
    "authenticated.established.active",
  ]);

  // A stanza's chain: its phase and the handlers it went through.
  await alice.request(parse(`<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`) as Element);
  const ping = page.locator('#stanzas li[data-phase="ping"]');
  await ping.waitFor();
  expect(await ping.locator(".step").count()).toBeGreaterThan(0);
  expect(await ping.locator(".meta").textContent()).toContain("alice@localhost/browser");

  // The pool's stats arrive while the page is open.
  await page.locator("#pool", { hasText: "workers" }).waitFor();

  // Closing: the row follows the machine to its final state.
  await alice.close();
  await page.locator('#connections tr.closed[data-status="done"]', { hasText: "alice@localhost/browser" }).waitFor();
});
