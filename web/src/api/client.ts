// The journal API client. It owns everything between a UI action and the HTTP exchange:
// attaching the bearer token (kept by TokenKeeper), one retry with a fresh token after a 401
// before signing the user out, retries with backoff while the service is unavailable (503) or
// unreachable, ETags for conditional writes, the Link header for paging, and problem+json
// errors turned into typed exceptions. Requests go to the SPA's own origin.
import {
  ApiError,
  ConflictError,
  NetworkError,
  SignedOutError,
  SlowDownError,
  readProblem,
  retryAfterSeconds,
} from "./problem";
import { nextLink } from "./link";
import { TokenKeeper } from "./tokens";
import { isEntry, type Page, type Versioned } from "./types";

/** What the UI shows about the connection; "ok" clears any earlier notice. */
export type ConnectionStatus =
  | { state: "ok" }
  | { state: "unavailable"; retryInMs: number }
  | { state: "offline"; retryInMs: number }
  | { state: "slow-down"; retryAfterSeconds: number };

export interface ApiOptions {
  tokens: TokenKeeper;
  /** Called once the identity provider or the API refused even a fresh token. */
  onSignedOut: () => void;
  onStatus?: (status: ConnectionStatus) => void;
  /** Origin that relative URLs resolve against; defaults to the page's. */
  origin?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Tries per request while the service is unavailable or unreachable (default 5). */
  maxAttempts?: number;
}

/** Entries per page of the list. */
export const PAGE_SIZE = 20;

const FIRST_BACKOFF_MS = 500;
const LONGEST_WAIT_MS = 15_000;

export class JournalApi {
  private readonly options: Required<Omit<ApiOptions, "onStatus">> & Pick<ApiOptions, "onStatus">;

  constructor(options: ApiOptions) {
    this.options = {
      origin: globalThis.location?.origin ?? "http://localhost",
      fetch: globalThis.fetch.bind(globalThis),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      maxAttempts: 5,
      ...options,
    };
  }

  /** The first page, or the page a previous Page.next names. */
  async listEntries(next?: string): Promise<Page> {
    const response = await this.send(next ?? `/api/entries?limit=${PAGE_SIZE}`, { method: "GET" });
    const body: unknown = await response.json();
    if (!Array.isArray(body) || !body.every(isEntry)) throw malformed(response);

    return { entries: body, next: nextLink(response.headers.get("link"), this.options.origin) };
  }

  /** Stores a new entry. Retries reuse one Idempotency-Key, so a retry never writes twice. */
  async createEntry(content: string): Promise<Versioned> {
    const response = await this.send("/api/entries", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": idempotencyKey() },
      body: JSON.stringify({ content }),
    });
    return versioned(response);
  }

  /** One entry with its current ETag. */
  async getEntry(id: number): Promise<Versioned> {
    const response = await this.send(`/api/entries/${id}`, { method: "GET", cache: "no-store" });
    return versioned(response);
  }

  /**
   * Replaces an entry's content if it is still at version `etag`; throws ConflictError (with
   * the entry as it is now) when someone changed it since.
   */
  async updateEntry(id: number, content: string, etag: string | null): Promise<Versioned> {
    const response = await this.send(`/api/entries/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...ifMatch(etag) },
      body: JSON.stringify({ content }),
    });
    return versioned(response);
  }

  /** Deletes an entry if it is still at version `etag` (any version when null). */
  async deleteEntry(id: number, etag: string | null, keepalive = false): Promise<void> {
    await this.send(`/api/entries/${id}`, { method: "DELETE", headers: ifMatch(etag), keepalive });
  }

  /**
   * Sends one request and answers the successful response; every failure becomes an exception.
   * 401: one retry with a fresh token, then sign-out. 503 or no connection: retries with
   * backoff. 429: no retry, the caller is told to slow down.
   */
  private async send(path: string, init: RequestInit): Promise<Response> {
    let refreshedAfter401 = false;
    let attempt = 1;
    let token = await this.token();

    for (;;) {
      let response: Response;
      try {
        response = await this.options.fetch(path, withBearer(init, token));
      } catch (error) {
        if (attempt >= this.options.maxAttempts) throw new NetworkError(error);
        await this.wait({ state: "offline", retryInMs: backoff(attempt) });
        attempt++;
        continue;
      }

      if (response.status === 401 && !refreshedAfter401) {
        refreshedAfter401 = true;
        token = await this.token(token);
        continue;
      }
      if (response.status === 401) {
        this.options.onSignedOut();
        throw new SignedOutError();
      }
      if (response.status === 503 && attempt < this.options.maxAttempts) {
        const hinted = retryAfterSeconds(response.headers.get("retry-after"));
        const retryInMs = Math.min(
          hinted === null ? backoff(attempt) : hinted * 1000,
          LONGEST_WAIT_MS,
        );
        await this.wait({ state: "unavailable", retryInMs });
        attempt++;
        continue;
      }

      if (response.ok) {
        this.options.onStatus?.({ state: "ok" });
        return response;
      }
      throw await this.refusal(response);
    }
  }

  /** The current token, or a replacement for `rejected`; sign-out when the provider refuses. */
  private async token(rejected?: string): Promise<string> {
    try {
      const { tokens } = this.options;
      return rejected === undefined ? await tokens.current() : await tokens.replace(rejected);
    } catch (error) {
      if (error instanceof SignedOutError) this.options.onSignedOut();
      throw error;
    }
  }

  private async wait(status: ConnectionStatus & { retryInMs: number }): Promise<void> {
    this.options.onStatus?.(status);
    await this.options.sleep(status.retryInMs);
  }

  private async refusal(response: Response): Promise<ApiError> {
    const problem = await readProblem(response);

    if (response.status === 429) {
      const seconds = retryAfterSeconds(response.headers.get("retry-after")) ?? 1;
      this.options.onStatus?.({ state: "slow-down", retryAfterSeconds: seconds });
      return new SlowDownError(problem, seconds);
    }
    if (response.status === 412 && isEntry(problem.current)) {
      return new ConflictError(problem, problem.current, response.headers.get("etag"));
    }
    return new ApiError(problem);
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  headers.set("accept", "application/json, application/problem+json");
  return { ...init, headers, credentials: "same-origin" };
}

function ifMatch(etag: string | null): Record<string, string> {
  return etag === null ? {} : { "if-match": etag };
}

async function versioned(response: Response): Promise<Versioned> {
  const body: unknown = await response.json();
  if (!isEntry(body)) throw malformed(response);
  return { entry: body, etag: response.headers.get("etag") };
}

function malformed(response: Response): ApiError {
  return new ApiError({
    type: "about:blank",
    title: "The server answered something that is not a journal entry",
    status: response.status,
  });
}

/** A random key; randomUUID needs a secure context, getRandomValues does not. */
function idempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** 0.5 s, 1 s, 2 s, 4 s, … capped at LONGEST_WAIT_MS. */
function backoff(attempt: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), LONGEST_WAIT_MS);
}
