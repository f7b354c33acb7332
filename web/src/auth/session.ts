// What the rest of the SPA knows about a signed-in user, whichever identity provider signed
// them in: who they are, how to get a fresh JWT for the API, and how to sign out.
import type { AppConfig } from "../config";
import { DevIdentity } from "./dev";
import { NeonIdentity } from "./neon";

export interface SignedInUser {
  name: string;
  email: string;
}

export interface AuthSession {
  user: SignedInUser;
  /** A token the provider already handed out at sign-in, so the first request needs no call. */
  initialToken: string | null;
  /** Fetches a fresh JWT; throws SignedOutError once the provider no longer knows the user. */
  fetchToken: () => Promise<string>;
  signOut: () => Promise<void>;
}

/** The provider the config names. */
export function identityFor(config: AppConfig): DevIdentity | NeonIdentity {
  return config.authMode === "dev"
    ? new DevIdentity(config.authUrl)
    : new NeonIdentity(config.authUrl);
}
