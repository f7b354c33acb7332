// Reads a JWT's payload without verifying it, for two harmless uses: the name shown in the
// header and knowing when to fetch the next token. The API verifies every token it receives;
// nothing here decides who may see what.

export interface TokenClaims {
  sub?: string;
  email?: string;
  name?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
}

/** The payload of a compact JWS, or null when `token` is not one. */
export function readClaims(token: string): TokenClaims | null {
  const payload = token.split(".")[1];
  if (payload === undefined) return null;

  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === "object" && claims !== null ? (claims as TokenClaims) : null;
  } catch {
    return null;
  }
}

/** When `token` expires, in milliseconds since the epoch; null when it carries no `exp`. */
export function expiresAt(token: string): number | null {
  const exp = readClaims(token)?.exp;
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : null;
}
