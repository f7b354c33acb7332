// Sign-in through journal-server's development identity provider: POST {authUrl}/token with an
// email answers a signed JWT for that email, no password asked. The email is remembered in
// localStorage so a reload stays signed in; fresh tokens are fetched the same way.
import { SignedOutError } from "../api/problem";
import { readClaims } from "../jwt";
import type { AuthSession } from "./session";

const REMEMBERED_EMAIL = "journal.dev.email";

export class DevIdentity {
  readonly mode = "dev" as const;
  private readonly authUrl: string;

  constructor(authUrl: string) {
    this.authUrl = authUrl;
  }

  /** The session of the email signed in before the reload, if any. */
  async restore(): Promise<AuthSession | null> {
    const email = localStorage.getItem(REMEMBERED_EMAIL);
    if (email === null) return null;

    try {
      return await this.signIn(email);
    } catch (error) {
      if (error instanceof SignedOutError) localStorage.removeItem(REMEMBERED_EMAIL);
      throw error;
    }
  }

  async signIn(email: string): Promise<AuthSession> {
    const token = await this.requestToken(email);
    localStorage.setItem(REMEMBERED_EMAIL, email);

    const claims = readClaims(token);
    return {
      user: { name: claims?.name || email, email: claims?.email || email },
      initialToken: token,
      fetchToken: () => this.requestToken(email),
      signOut: async () => localStorage.removeItem(REMEMBERED_EMAIL),
    };
  }

  private async requestToken(email: string): Promise<string> {
    const response = await fetch(`${this.authUrl}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    if (response.status === 400 || response.status === 422) {
      throw new SignedOutError("The identity provider did not accept that email address.");
    }
    if (!response.ok) throw new Error(`The identity provider answered ${response.status}.`);

    const body = (await response.json()) as { token?: unknown };
    if (typeof body.token !== "string") throw new Error("The identity provider sent no token.");
    return body.token;
  }
}
