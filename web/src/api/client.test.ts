// Unit tests of the API client against a stubbed fetch: token reuse and refresh, the retry
// after a 401, 503 backoff, 412 conflicts, 429, problem+json parsing and paging links.
import { describe, expect, it, vi } from "vitest";
import { JournalApi, type ApiOptions, type ConnectionStatus } from "./client";
import { nextLink } from "./link";
import {
  ApiError,
  ConflictError,
  NetworkError,
  SignedOutError,
  SlowDownError,
  readProblem,
  retryAfterSeconds,
} from "./problem";
import { REFRESH_MARGIN_MS, TokenKeeper } from "./tokens";

const ORIGIN = "http://journal.test";
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

function jwt(claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "EdDSA", typ: "JWT" })}.${encode(claims)}.c2lnbmF0dXJl`;
}

/** A token expiring `seconds` after NOW. */
function tokenFor(seconds: number, label = "a"): string {
  return jwt({ sub: label, exp: Math.floor(NOW / 1000) + seconds });
}

const entry = (id: number, content = `entry ${id}`) => ({
  id,
  userId: "7f1c1c3e-0000-4000-8000-000000000001",
  content,
  createdAt: "2026-12-03T11:00:00Z",
  updatedAt: "2026-12-03T11:00:00Z",
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": type, ...headers },
  });
}

function problem(status: number, code: string, extra: Record<string, unknown> = {}) {
  return {
    type: "about:blank",
    title: `title ${status}`,
    status,
    detail: `detail ${status}`,
    code,
    requestId: "req-1",
    ...extra,
  };
}

type Answer = Response | Error | ((request: Request) => Response);

/** A fetch that answers from a script, one answer per call, recording every request. */
function scriptedFetch(...answers: Answer[]) {
  const requests: Request[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(new URL(String(input), ORIGIN), init);
    requests.push(request);
    const answer = answers.shift();
    if (answer === undefined)
      throw new Error(`unexpected request ${request.method} ${request.url}`);
    if (answer instanceof Error) throw answer;
    return typeof answer === "function" ? answer(request) : answer;
  });
  return { fetchStub, requests };
}

interface Harness {
  api: JournalApi;
  requests: Request[];
  tokenCalls: () => number;
  signedOut: () => number;
  statuses: ConnectionStatus[];
  sleeps: number[];
  clock: { now: number };
}

function harness(answers: Answer[], tokens: string[], options: Partial<ApiOptions> = {}): Harness {
  const { fetchStub, requests } = scriptedFetch(...answers);
  const clock = { now: NOW };
  let tokenCalls = 0;
  let signedOut = 0;
  const statuses: ConnectionStatus[] = [];
  const sleeps: number[] = [];
  const fetchToken = async () => {
    const token = tokens[tokenCalls++];
    if (token === undefined) throw new SignedOutError();
    return token;
  };

  const api = new JournalApi({
    tokens: new TokenKeeper(fetchToken, null, () => clock.now),
    onSignedOut: () => signedOut++,
    onStatus: (status) => statuses.push(status),
    origin: ORIGIN,
    fetch: fetchStub as unknown as typeof fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return {
    api,
    requests,
    tokenCalls: () => tokenCalls,
    signedOut: () => signedOut,
    statuses,
    sleeps,
    clock,
  };
}

const bearer = (request: Request | undefined) => request?.headers.get("authorization");

describe("tokens", () => {
  it("fetches one token for many requests while it is fresh", async () => {
    const token = tokenFor(15 * 60);
    const t = harness([json(200, []), json(200, []), json(200, [])], [token]);

    await t.api.listEntries();
    await Promise.all([t.api.listEntries(), t.api.listEntries()]);

    expect(t.tokenCalls()).toBe(1);
    expect(t.requests.map(bearer)).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
      `Bearer ${token}`,
    ]);
  });

  it("fetches a fresh token shortly before the current one expires", async () => {
    const first = tokenFor(15 * 60, "first");
    const second = tokenFor(30 * 60, "second");
    const t = harness([json(200, []), json(200, []), json(200, [])], [first, second]);

    await t.api.listEntries();
    t.clock.now = NOW + 15 * 60_000 - REFRESH_MARGIN_MS - 1_000;
    await t.api.listEntries();
    t.clock.now = NOW + 15 * 60_000 - REFRESH_MARGIN_MS + 1_000;
    await t.api.listEntries();

    expect(t.tokenCalls()).toBe(2);
    expect(t.requests.map(bearer)).toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${second}`,
    ]);
  });

  it("shares one token fetch between concurrent requests", async () => {
    let release: (token: string) => void = () => undefined;
    const fetchToken = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const keeper = new TokenKeeper(fetchToken, null, () => NOW);

    const both = Promise.all([keeper.current(), keeper.current()]);
    release(tokenFor(900));

    expect(await both).toEqual([tokenFor(900), tokenFor(900)]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});

describe("401", () => {
  it("retries once with a fresh token and succeeds", async () => {
    const stale = tokenFor(900, "stale");
    const fresh = tokenFor(900, "fresh");
    const t = harness(
      [json(401, problem(401, "invalid_token")), json(200, [entry(1)])],
      [stale, fresh],
    );

    const page = await t.api.listEntries();

    expect(page.entries).toHaveLength(1);
    expect(t.requests.map(bearer)).toEqual([`Bearer ${stale}`, `Bearer ${fresh}`]);
    expect(t.signedOut()).toBe(0);
  });

  it("signs out after a second 401", async () => {
    const t = harness(
      [json(401, problem(401, "invalid_token")), json(401, problem(401, "invalid_token"))],
      [tokenFor(900, "a"), tokenFor(900, "b")],
    );

    await expect(t.api.listEntries()).rejects.toBeInstanceOf(SignedOutError);

    expect(t.requests).toHaveLength(2);
    expect(t.signedOut()).toBe(1);
  });

  it("signs out when the identity provider refuses a fresh token", async () => {
    const t = harness([json(401, problem(401, "invalid_token"))], [tokenFor(900)]);

    await expect(t.api.listEntries()).rejects.toBeInstanceOf(SignedOutError);

    expect(t.signedOut()).toBe(1);
  });

  it("keeps the Idempotency-Key and body when a POST is retried", async () => {
    const t = harness(
      [json(401, problem(401, "invalid_token")), json(201, entry(3, "hello"), { etag: '"v1"' })],
      [tokenFor(900, "a"), tokenFor(900, "b")],
    );

    const created = await t.api.createEntry("hello");

    const [first, second] = t.requests;
    expect(created).toEqual({ entry: entry(3, "hello"), etag: '"v1"' });
    expect(first?.headers.get("idempotency-key")).toBeTruthy();
    expect(second?.headers.get("idempotency-key")).toBe(first?.headers.get("idempotency-key"));
    expect(await second?.json()).toEqual({ content: "hello" });
  });
});

describe("unavailable and unreachable", () => {
  it("retries a 503 with backoff, honouring Retry-After, and reports it", async () => {
    const t = harness(
      [
        json(503, problem(503, "database_unavailable"), { "retry-after": "2" }),
        json(503, problem(503, "database_unavailable")),
        json(200, []),
      ],
      [tokenFor(900)],
    );

    await t.api.listEntries();

    expect(t.sleeps).toEqual([2000, 1000]);
    expect(t.statuses.map((status) => status.state)).toEqual(["unavailable", "unavailable", "ok"]);
    expect(t.signedOut()).toBe(0);
  });

  it("gives up on a 503 after the last attempt with the problem", async () => {
    const unavailable = () => json(503, problem(503, "jwks_unavailable"));
    const t = harness([unavailable(), unavailable()], [tokenFor(900)], { maxAttempts: 2 });

    const error = await t.api.listEntries().catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem.code).toBe("jwks_unavailable");
    expect(t.signedOut()).toBe(0);
  });

  it("reports a network failure as offline and throws NetworkError at the end", async () => {
    const t = harness(
      [new TypeError("Failed to fetch"), new TypeError("Failed to fetch")],
      [tokenFor(900)],
      {
        maxAttempts: 2,
      },
    );

    await expect(t.api.listEntries()).rejects.toBeInstanceOf(NetworkError);
    expect(t.statuses).toEqual([{ state: "offline", retryInMs: 500 }]);
  });

  it("does not retry a 429 and says how long to wait", async () => {
    const t = harness(
      [json(429, problem(429, "rate_limited"), { "retry-after": "3" })],
      [tokenFor(900)],
    );

    const error = await t.api.createEntry("x").catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(SlowDownError);
    expect((error as SlowDownError).retryAfterSeconds).toBe(3);
    expect(t.requests).toHaveLength(1);
    expect(t.statuses).toEqual([{ state: "slow-down", retryAfterSeconds: 3 }]);
  });
});

describe("conditional writes", () => {
  it("sends the ETag verbatim as If-Match and returns the new one", async () => {
    const t = harness([json(200, entry(5, "new"), { etag: '"v8"' })], [tokenFor(900)]);

    const updated = await t.api.updateEntry(5, "new", '"v7"');

    expect(t.requests[0]?.method).toBe("PUT");
    expect(t.requests[0]?.url).toBe(`${ORIGIN}/api/entries/5`);
    expect(t.requests[0]?.headers.get("if-match")).toBe('"v7"');
    expect(updated.etag).toBe('"v8"');
  });

  it("turns a 412 into a ConflictError holding the current entry and its ETag", async () => {
    const current = entry(5, "changed elsewhere");
    const t = harness(
      [json(412, problem(412, "entry_changed", { current }), { etag: '"v9"' })],
      [tokenFor(900)],
    );

    const error = await t.api.updateEntry(5, "mine", '"v7"').catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).current).toEqual(current);
    expect((error as ConflictError).etag).toBe('"v9"');
    expect((error as ConflictError).problem.code).toBe("entry_changed");
  });

  it("reads one entry with its ETag", async () => {
    const t = harness([json(200, entry(5), { etag: '"v3"' })], [tokenFor(900)]);

    const read = await t.api.getEntry(5);

    expect(t.requests[0]?.url).toBe(`${ORIGIN}/api/entries/5`);
    expect(read).toEqual({ entry: entry(5), etag: '"v3"' });
  });

  it("sends If-Match on DELETE when an ETag is known, and none otherwise", async () => {
    const t = harness(
      [new Response(null, { status: 204 }), new Response(null, { status: 204 })],
      [tokenFor(900)],
    );

    await t.api.deleteEntry(5, '"v2"');
    await t.api.deleteEntry(6, null);

    expect(t.requests.map((request) => request.headers.get("if-match"))).toEqual(['"v2"', null]);
  });
});

describe("paging", () => {
  it("follows the Link header of the previous page", async () => {
    const link = '</api/entries?limit=20&cursor=abc>; rel="next"';
    const t = harness(
      [json(200, [entry(2), entry(1)], { link }), json(200, [entry(0)])],
      [tokenFor(900)],
    );

    const first = await t.api.listEntries();
    const second = await t.api.listEntries(first.next ?? undefined);

    expect(first.next).toBe("/api/entries?limit=20&cursor=abc");
    expect(t.requests[1]?.url).toBe(`${ORIGIN}/api/entries?limit=20&cursor=abc`);
    expect(second.next).toBeNull();
  });

  it("finds rel=next among several links and parameters", () => {
    const header =
      '</api/entries?cursor=x%2Cy>; rel="prev", ' +
      '</api/entries?cursor=z>; title="a, b"; rel="last next"';
    expect(nextLink(header, ORIGIN)).toBe("/api/entries?cursor=z");
    expect(nextLink("</api/entries?cursor=q>; REL=next", ORIGIN)).toBe("/api/entries?cursor=q");
  });

  it("ignores a missing header, other relations and links to another origin", () => {
    expect(nextLink(null, ORIGIN)).toBeNull();
    expect(nextLink('</api/entries?cursor=x>; rel="prev"', ORIGIN)).toBeNull();
    expect(nextLink('<https://evil.example/steal>; rel="next"', ORIGIN)).toBeNull();
  });
});

describe("problems", () => {
  it("reads every member of a problem+json body", async () => {
    const body = problem(422, "content_empty");

    const read = await readProblem(json(422, body));

    expect(read).toMatchObject({
      type: "about:blank",
      title: "title 422",
      status: 422,
      detail: "detail 422",
    });
    expect(read).toMatchObject({ code: "content_empty", requestId: "req-1" });
  });

  it("builds a problem from the status line when the body is not JSON", async () => {
    const response = new Response("<html>Bad Gateway</html>", {
      status: 502,
      statusText: "Bad Gateway",
      headers: { "x-request-id": "proxy-7" },
    });

    const read = await readProblem(response);

    expect(read).toEqual({
      type: "about:blank",
      title: "Bad Gateway",
      status: 502,
      requestId: "proxy-7",
    });
  });

  it("throws an ApiError carrying the problem for other refusals", async () => {
    const t = harness([json(422, problem(422, "content_empty"))], [tokenFor(900)]);

    const error = await t.api.createEntry(" ").catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("detail 422");
    expect((error as ApiError).status).toBe(422);
  });

  it("reads Retry-After as seconds or as a date", () => {
    expect(retryAfterSeconds("7")).toBe(7);
    expect(retryAfterSeconds(new Date(NOW + 4_000).toUTCString(), NOW)).toBe(4);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds("soon")).toBeNull();
  });
});
