// Turns whatever an action threw into one sentence a person can act on.
import { ApiError, NetworkError, SignedOutError, SlowDownError } from "../api/problem";

export function errorMessage(error: unknown): string {
  if (error instanceof SlowDownError) {
    return `Slow down: too many requests. Try again in ${error.retryAfterSeconds} s.`;
  }
  if (error instanceof ApiError) {
    const { detail, title, status, requestId } = error.problem;
    const reference = requestId ? ` (reference ${requestId})` : "";
    if (status === 503) return `The journal service is unavailable. Try again shortly.${reference}`;
    return `${detail || title}${reference}`;
  }
  if (error instanceof NetworkError || error instanceof SignedOutError) return error.message;
  if (error instanceof TypeError) return "The server cannot be reached. Check your connection.";
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** An RFC 3339 timestamp in the reader's locale and time zone. */
export function formatDate(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : dateFormat.format(date);
}
