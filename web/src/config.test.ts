// Unit tests of /config.json checking and of reading a JWT's claims for display.
import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";
import { expiresAt, readClaims } from "./jwt";

describe("parseConfig", () => {
  it("accepts both modes and drops a trailing slash", () => {
    expect(parseConfig({ authMode: "dev", authUrl: "http://127.0.0.1:3001" })).toEqual({
      authMode: "dev",
      authUrl: "http://127.0.0.1:3001",
    });
    expect(parseConfig({ authMode: "neon", authUrl: "http://127.0.0.1:4123/api/auth/" })).toEqual({
      authMode: "neon",
      authUrl: "http://127.0.0.1:4123/api/auth",
    });
  });

  it("refuses an unknown mode or a relative URL", () => {
    expect(() => parseConfig({ authMode: "other", authUrl: "http://x" })).toThrow(/authMode/);
    expect(() => parseConfig({ authMode: "dev", authUrl: "/auth" })).toThrow(/authUrl/);
    expect(() => parseConfig(null)).toThrow(/not an object/);
  });
});

describe("readClaims", () => {
  it("decodes a base64url payload with non-ASCII text", () => {
    const payload = Buffer.from(JSON.stringify({ name: "Zoë 日記", exp: 1700000000 })).toString(
      "base64url",
    );

    expect(readClaims(`e30.${payload}.sig`)).toEqual({ name: "Zoë 日記", exp: 1700000000 });
    expect(expiresAt(`e30.${payload}.sig`)).toBe(1700000000 * 1000);
  });

  it("answers null for something that is not a JWT", () => {
    expect(readClaims("not-a-token")).toBeNull();
    expect(readClaims("a.%%%.c")).toBeNull();
    expect(expiresAt("not-a-token")).toBeNull();
  });
});
