// The deployment settings the SPA reads at start from GET /config.json on its own origin:
// which identity provider signs its users in, and where that provider lives.

export type AuthMode = "dev" | "neon";

export interface AppConfig {
  authMode: AuthMode;
  /** dev: the development identity provider's origin; neon: the Neon Auth URL (…/api/auth). */
  authUrl: string;
}

/** Fetches and checks /config.json; throws an Error saying what is wrong with it. */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  const response = await fetchImpl("/config.json", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`GET /config.json answered ${response.status}`);

  return parseConfig(await response.json());
}

/** Checks a parsed /config.json body. */
export function parseConfig(value: unknown): AppConfig {
  if (typeof value !== "object" || value === null) throw new Error("config.json is not an object");

  const { authMode, authUrl } = value as Record<string, unknown>;
  if (authMode !== "dev" && authMode !== "neon") {
    throw new Error(
      `config.json: authMode must be "dev" or "neon", not ${JSON.stringify(authMode)}`,
    );
  }
  if (typeof authUrl !== "string" || !URL.canParse(authUrl)) {
    throw new Error("config.json: authUrl must be an absolute URL");
  }

  return { authMode, authUrl: authUrl.replace(/\/+$/, "") };
}
