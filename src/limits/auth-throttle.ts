import NodeCache from "node-cache";

/**
 * Failed SASL attempts counted per IP address and per account over a sliding window; past the
 * limit, further attempts fail at once with `temporary-auth-failure` (RFC 6120 §6.5.12), without
 * touching storage or spending a PBKDF2 — password guessing gets expensive for the guesser only.
 */
export class AuthThrottle {
  private readonly failures: NodeCache;

  constructor(
    private readonly maxPerIp: number,
    private readonly maxPerAccount: number,
    windowSeconds: number,
  ) {
    this.failures = new NodeCache({ stdTTL: windowSeconds, checkperiod: Math.max(1, Math.ceil(windowSeconds / 2)), useClones: false });
  }

  blocked(ip: string, account?: string): boolean {
    if ((this.failures.get<number>(`ip:${ip}`) ?? 0) >= this.maxPerIp) return true;
    return account !== undefined && (this.failures.get<number>(`acct:${account}`) ?? 0) >= this.maxPerAccount;
  }

  failed(ip: string, account?: string): void {
    this.bump(`ip:${ip}`);
    if (account !== undefined) this.bump(`acct:${account}`);
  }

  close(): void {
    this.failures.close();
  }

  private bump(key: string): void {
    // The window restarts with each failure: a steady guesser stays blocked.
    this.failures.set(key, (this.failures.get<number>(key) ?? 0) + 1);
  }
}
