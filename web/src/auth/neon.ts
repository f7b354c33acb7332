// Sign-in through Neon Auth, i.e. a Better Auth server with its jwt plugin, at authUrl (the
// Neon Auth URL, ending in /api/auth). The Better Auth client keeps the session in the
// provider's cookie, sent cross-origin with credentials; the API's JWT comes from the jwt
// plugin's GET {authUrl}/token, answered only while that session lasts.
//
// Neon's own SDK (@neondatabase/neon-js) wraps this same client; it is not used because it
// drags a second Better Auth version, Supabase's client and Node-only tools into the bundle,
// and its extra request header needs a CORS allowance a plain Better Auth server lacks.
import { createAuthClient } from "better-auth/client";
import { jwtClient } from "better-auth/client/plugins";
import { SignedOutError } from "../api/problem";
import type { AuthSession, SignedInUser } from "./session";

type Client = ReturnType<typeof createNeonClient>;

export class NeonIdentity {
  readonly mode = "neon" as const;
  private readonly client: Client;

  constructor(authUrl: string) {
    this.client = createNeonClient(authUrl);
  }

  /** The session the provider's cookie still holds, if any. */
  async restore(): Promise<AuthSession | null> {
    const { data, error } = await this.client.getSession();
    if (error) throw new Error(describe(error, "Could not reach the sign-in service."));
    if (!data) return null;

    return this.session({ name: data.user.name, email: data.user.email });
  }

  async signIn(email: string, password: string): Promise<AuthSession> {
    const { data, error } = await this.client.signIn.email({ email, password });
    if (error) throw new Error(describe(error, "Sign-in failed."));

    return this.session({ name: data.user.name, email: data.user.email });
  }

  async signUp(name: string, email: string, password: string): Promise<AuthSession> {
    const { data, error } = await this.client.signUp.email({ name, email, password });
    if (error) throw new Error(describe(error, "Creating the account failed."));

    return this.session({ name: data.user.name, email: data.user.email });
  }

  private session(user: SignedInUser): AuthSession {
    return {
      user,
      initialToken: null,
      fetchToken: () => this.fetchToken(),
      signOut: async () => {
        await this.client.signOut();
      },
    };
  }

  private async fetchToken(): Promise<string> {
    const { data, error } = await this.client.token();
    if (error?.status === 401) throw new SignedOutError();
    if (error) throw new Error(describe(error, "Could not get a token from the sign-in service."));

    return data.token;
  }
}

function createNeonClient(authUrl: string) {
  return createAuthClient({
    baseURL: authUrl,
    plugins: [jwtClient()],
    fetchOptions: { credentials: "include" },
  });
}

function describe(error: { message?: string; status: number }, fallback: string): string {
  if (error.status === 0) return `${fallback} The sign-in service cannot be reached.`;
  return error.message || `${fallback} (HTTP ${error.status})`;
}
