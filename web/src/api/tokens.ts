// Keeps the user's current JWT. Tokens live about 15 minutes: one is reused for every request
// until it is within REFRESH_MARGIN_MS of its `exp`, then the next request fetches a fresh one.
// Concurrent callers share a single fetch, so a burst of requests costs one token call.
import { expiresAt } from "../jwt";

/** Fetches a fresh token from the identity provider. */
export type FetchToken = () => Promise<string>;

/** How long before `exp` a token stops being handed out. */
export const REFRESH_MARGIN_MS = 60_000;

export class TokenKeeper {
  private token: string | null;
  private inFlight: Promise<string> | null = null;
  private readonly fetchToken: FetchToken;
  private readonly now: () => number;

  constructor(fetchToken: FetchToken, initialToken: string | null = null, now = Date.now) {
    this.fetchToken = fetchToken;
    this.token = initialToken;
    this.now = now;
  }

  /** A token that is good for at least REFRESH_MARGIN_MS more, fetching one only if needed. */
  async current(): Promise<string> {
    if (this.token !== null && !this.expiresSoon(this.token)) return this.token;
    return this.refresh();
  }

  /**
   * A token other than `rejected`, which the API just refused. When another caller already
   * replaced it, that replacement is returned without a second fetch.
   */
  async replace(rejected: string): Promise<string> {
    if (this.token !== null && this.token !== rejected) return this.token;
    this.token = null;
    return this.refresh();
  }

  /** Drops the token, e.g. on sign-out. */
  forget(): void {
    this.token = null;
  }

  private refresh(): Promise<string> {
    this.inFlight ??= this.fetchToken()
      .then((token) => {
        this.token = token;
        return token;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private expiresSoon(token: string): boolean {
    const expiry = expiresAt(token);
    // Limitation: a token without `exp` is kept until the API refuses it.
    return expiry !== null && expiry - this.now() < REFRESH_MARGIN_MS;
  }
}
