import { AuthThrottle } from "../src/limits/auth-throttle.js";
import { ByteRate } from "../src/limits/byte-rate.js";

test("ByteRate allows one second of burst, then asks for a pause proportional to the excess", () => {
  const rate = new ByteRate(1000);
  expect(rate.take(600)).toBe(0);
  expect(rate.take(400)).toBe(0);
  const pause = rate.take(500);
  expect(pause).toBeGreaterThanOrEqual(490);
  expect(pause).toBeLessThanOrEqual(500);
});

test("AuthThrottle blocks an IP or an account after its limit, separately", () => {
  const t = new AuthThrottle(3, 2, 60);
  t.failed("1.1.1.1", "alice");
  expect(t.blocked("1.1.1.1", "alice")).toBe(false);
  t.failed("2.2.2.2", "alice");
  expect(t.blocked("3.3.3.3", "alice")).toBe(true); // account limit, from any address
  expect(t.blocked("3.3.3.3", "bob")).toBe(false);
  t.failed("1.1.1.1");
  t.failed("1.1.1.1");
  expect(t.blocked("1.1.1.1", "bob")).toBe(true); // IP limit, any account
  t.close();
});
