// The API's errors: reading an application/problem+json answer (RFC 9457) and the error
// classes the client throws, so the UI can tell "slow down" from "changed elsewhere" from
// "you are offline" without looking at status codes itself.
import type { Entry } from "./types";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The API's stable machine-readable code, e.g. "entry_changed". */
  code?: string;
  requestId?: string;
  /** On 412: the entry as it is now. */
  current?: unknown;
}

/** An answer the API refused with; `problem` says why. */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }
}

/** 429: the caller sent too many requests and may try again after `retryAfterSeconds`. */
export class SlowDownError extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(problem: Problem, retryAfterSeconds: number) {
    super(problem);
    this.name = "SlowDownError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 412: the entry changed since the version the caller named; `current` is how it is now. */
export class ConflictError extends ApiError {
  readonly current: Entry;
  readonly etag: string | null;

  constructor(problem: Problem, current: Entry, etag: string | null) {
    super(problem);
    this.name = "ConflictError";
    this.current = current;
    this.etag = etag;
  }
}

/** The API could not be reached at all (offline, DNS, connection refused, CORS). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("The journal server cannot be reached. Check your connection.", { cause });
    this.name = "NetworkError";
  }
}

/** The identity provider no longer vouches for the user: they have to sign in again. */
export class SignedOutError extends Error {
  constructor(message = "Your session has ended. Please sign in again.") {
    super(message);
    this.name = "SignedOutError";
  }
}

/**
 * Reads the problem an error answer carries. Answers that are not problem+json (a proxy's HTML
 * page, an empty body) become a problem built from the status line, so callers always get one.
 */
export async function readProblem(response: Response): Promise<Problem> {
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const fallback: Problem = {
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(requestId && { requestId }),
  };

  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fallback;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return fallback;

  const fields = body as Record<string, unknown>;
  return {
    type: stringOr(fields.type, fallback.type),
    title: stringOr(fields.title, fallback.title),
    status: typeof fields.status === "number" ? fields.status : response.status,
    detail: optionalString(fields.detail),
    code: optionalString(fields.code),
    requestId: optionalString(fields.requestId) ?? requestId,
    current: fields.current,
  };
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); null if absent. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;

  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);

  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
