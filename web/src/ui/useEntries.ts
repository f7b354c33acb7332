// The journal's list state: the loaded pages of entries with their ETags, paging through the
// Link header, and deletions that wait UNDO_MS for an undo before the DELETE is sent.
import { useCallback, useEffect, useRef, useState } from "react";
import type { JournalApi } from "../api/client";
import { ApiError, ConflictError } from "../api/problem";
import type { Versioned } from "../api/types";
import { errorMessage } from "./messages";

/** How long a deleted entry can be brought back before the DELETE request goes out. */
export const UNDO_MS = 5_000;

export interface EntryList {
  items: Versioned[];
  /** "loading": the first page; "more": a further page. */
  loading: "loading" | "more" | null;
  hasMore: boolean;
  error: string | null;
  loadMore: () => Promise<number | null>;
  retry: () => void;
  add: (item: Versioned) => void;
  replace: (item: Versioned) => void;
}

export function useEntryList(api: JournalApi): EntryList & { drop: (id: number) => void } {
  const [items, setItems] = useState<Versioned[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState<EntryList["loading"]>("loading");
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading("loading");
    setError(null);
    api.listEntries().then(
      (page) => {
        if (cancelled) return;
        setItems(page.entries.map((entry) => ({ entry, etag: null })));
        setNext(page.next);
        setLoading(null);
      },
      (failure: unknown) => {
        if (cancelled) return;
        setError(errorMessage(failure));
        setLoading(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  /** Loads the next page; answers the id of its first new entry (to move focus to). */
  const loadMore = useCallback(async () => {
    if (next === null) return null;
    setLoading("more");
    setError(null);
    try {
      const page = await api.listEntries(next);
      const known = new Set(items.map((item) => item.entry.id));
      const fresh = page.entries.filter((entry) => !known.has(entry.id));
      setItems((current) => [...current, ...fresh.map((entry) => ({ entry, etag: null }))]);
      setNext(page.next);
      const firstNew = fresh[0]?.id ?? null;
      return firstNew;
    } catch (failure) {
      setError(errorMessage(failure));
      return null;
    } finally {
      setLoading(null);
    }
  }, [api, items, next]);

  const add = useCallback((item: Versioned) => setItems((current) => [item, ...current]), []);
  const replace = useCallback(
    (item: Versioned) =>
      setItems((current) =>
        current.map((existing) => (existing.entry.id === item.entry.id ? item : existing)),
      ),
    [],
  );
  const drop = useCallback(
    (id: number) => setItems((current) => current.filter((item) => item.entry.id !== id)),
    [],
  );
  const retry = useCallback(() => setAttempt((count) => count + 1), []);

  return { items, loading, hasMore: next !== null, error, loadMore, retry, add, replace, drop };
}

export interface PendingDeletion {
  item: Versioned;
}

const CHANGED_ELSEWHERE = "This entry was changed elsewhere, so it was not deleted.";

export interface Deletions {
  pending: PendingDeletion[];
  /** Entries to hide: waiting for their undo window or being deleted. */
  hidden: Set<number>;
  schedule: (item: Versioned) => void;
  undo: (id: number) => void;
  /** Sends every waiting deletion now (sign-out, leaving the page). */
  flush: (keepalive?: boolean) => Promise<void>;
}

interface DeletionEvents {
  deleted: (id: number) => void;
  /** The DELETE failed; `current` is the entry as it is now when it changed elsewhere. */
  failed: (id: number, message: string, current: Versioned | null) => void;
}

export function useDeletions(api: JournalApi, events: DeletionEvents): Deletions {
  const [pending, setPending] = useState<PendingDeletion[]>([]);
  const [sending, setSending] = useState<Set<number>>(new Set());
  const timers = useRef(
    new Map<number, { item: Versioned; timer: ReturnType<typeof setTimeout> }>(),
  );
  const eventsRef = useRef(events);
  eventsRef.current = events;

  const send = useCallback(
    async (id: number, keepalive = false) => {
      const waiting = timers.current.get(id);
      if (!waiting) return;
      clearTimeout(waiting.timer);
      timers.current.delete(id);
      setPending((current) => current.filter((deletion) => deletion.item.entry.id !== id));
      setSending((current) => new Set(current).add(id));

      try {
        const seen = await versionSeen(api, waiting.item);
        if (seen.entry.updatedAt !== waiting.item.entry.updatedAt) {
          eventsRef.current.failed(id, CHANGED_ELSEWHERE, seen);
          return;
        }
        await api.deleteEntry(id, seen.etag, keepalive);
        eventsRef.current.deleted(id);
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 404) {
          eventsRef.current.deleted(id);
        } else if (failure instanceof ConflictError) {
          const current = { entry: failure.current, etag: failure.etag };
          eventsRef.current.failed(id, CHANGED_ELSEWHERE, current);
        } else {
          eventsRef.current.failed(id, `Not deleted: ${errorMessage(failure)}`, null);
        }
      } finally {
        setSending((current) => {
          const rest = new Set(current);
          rest.delete(id);
          return rest;
        });
      }
    },
    [api],
  );

  const schedule = useCallback(
    (item: Versioned) => {
      const id = item.entry.id;
      const timer = setTimeout(() => void send(id), UNDO_MS);
      timers.current.set(id, { item, timer });
      setPending((current) => [...current, { item }]);
    },
    [send],
  );

  const undo = useCallback((id: number) => {
    const waiting = timers.current.get(id);
    if (waiting) clearTimeout(waiting.timer);
    timers.current.delete(id);
    setPending((current) => current.filter((deletion) => deletion.item.entry.id !== id));
  }, []);

  const flush = useCallback(
    async (keepalive = false) => {
      await Promise.all([...timers.current.keys()].map((id) => send(id, keepalive)));
    },
    [send],
  );

  // Leaving the page does not cancel a deletion the user did not undo.
  useEffect(() => {
    const leave = () => void flush(true);
    window.addEventListener("pagehide", leave);
    return () => window.removeEventListener("pagehide", leave);
  }, [flush]);

  // Sign-out flushes first; when the session ends on its own, nothing can be sent any more.
  useEffect(() => {
    const waiting = timers.current;
    return () => {
      for (const { timer } of waiting.values()) clearTimeout(timer);
      waiting.clear();
    };
  }, []);

  const hidden = new Set([...pending.map((deletion) => deletion.item.entry.id), ...sending]);
  return { pending, hidden, schedule, undo, flush };
}

/**
 * The entry at the version the user saw, with its ETag, so the DELETE can be made conditional
 * on it. Entries from the list carry no ETag: they are read again, and a newer `updatedAt`
 * means someone changed the entry since it was shown.
 */
async function versionSeen(api: JournalApi, item: Versioned): Promise<Versioned> {
  // Limitation: when the page is closing, this extra read may not finish before it goes away,
  // and then the deletion is not sent.
  return item.etag !== null ? item : api.getEntry(item.entry.id);
}
