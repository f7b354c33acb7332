// The API's resources as the SPA sees them.

/** A journal entry as the API answers it. */
export interface Entry {
  id: number;
  userId: string;
  content: string;
  /** RFC 3339. */
  createdAt: string;
  /** RFC 3339. */
  updatedAt: string;
}

/** An entry with the ETag of that version (null when the answer carried none). */
export interface Versioned {
  entry: Entry;
  etag: string | null;
}

/** One page of the list: entries newest first, and where the next page is, if any. */
export interface Page {
  entries: Entry[];
  next: string | null;
}

/** Checks that `value` has an entry's shape; the API is trusted, but a proxy's page is not. */
export function isEntry(value: unknown): value is Entry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.id === "number" &&
    typeof entry.userId === "string" &&
    typeof entry.content === "string" &&
    typeof entry.createdAt === "string" &&
    typeof entry.updatedAt === "string"
  );
}
