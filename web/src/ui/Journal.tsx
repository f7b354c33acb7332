// The signed-in screen: header with the user's name and sign-out, the composer, the list of
// entries (newest first, "Load more"), undo notices for deletions and the connection notice.
// It builds the API client for the session and ends the session when the client says so.
import { useEffect, useMemo, useRef, useState } from "react";
import { JournalApi, type ConnectionStatus } from "../api/client";
import { TokenKeeper } from "../api/tokens";
import type { Versioned } from "../api/types";
import type { AuthSession } from "../auth/session";
import { Composer } from "./Composer";
import { ConnectionNotice, useOnline } from "./ConnectionNotice";
import { EntryItem } from "./EntryItem";
import { UndoNotices } from "./UndoNotices";
import { useDeletions, useEntryList } from "./useEntries";

interface JournalProps {
  session: AuthSession;
  onSessionEnded: (notice: string | null) => void;
}

export function Journal({ session, onSessionEnded }: JournalProps) {
  const [status, setStatus] = useState<ConnectionStatus>({ state: "ok" });
  const [announcement, setAnnouncement] = useState("");
  const [listNotice, setListNotice] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const online = useOnline();
  const listHeading = useRef<HTMLHeadingElement>(null);

  const api = useMemo(
    () =>
      new JournalApi({
        tokens: new TokenKeeper(session.fetchToken, session.initialToken),
        onSignedOut: () => onSessionEnded("Your session has ended. Please sign in again."),
        onStatus: setStatus,
      }),
    [session, onSessionEnded],
  );
  const list = useEntryList(api);
  const deletions = useDeletions(api, {
    deleted: (id) => {
      list.drop(id);
      setAnnouncement("Entry deleted.");
    },
    failed: (_id, message, current) => {
      if (current) list.replace(current);
      setListNotice(message);
    },
  });

  useSlowDownExpiry(status, setStatus);

  function created(item: Versioned) {
    list.add(item);
    setAnnouncement("Entry saved.");
  }

  function remove(item: Versioned) {
    deletions.schedule(item);
    setAnnouncement("Entry deleted. You can undo this for 5 seconds.");
    // The Delete button goes away with its entry: keep the focus on the way back.
    requestAnimationFrame(() => document.getElementById(`undo-${item.entry.id}`)?.focus());
  }

  function undo(id: number) {
    deletions.undo(id);
    setAnnouncement("Entry restored.");
    requestAnimationFrame(() => document.getElementById(`entry-${id}`)?.focus());
  }

  async function loadMore() {
    const firstNew = await list.loadMore();
    if (firstNew !== null) {
      requestAnimationFrame(() => document.getElementById(`entry-${firstNew}`)?.focus());
    }
  }

  async function signOut() {
    setSigningOut(true);
    await deletions.flush();
    await session.signOut().catch(() => undefined);
    onSessionEnded(null);
  }

  const visible = list.items.filter((item) => !deletions.hidden.has(item.entry.id));
  return (
    <div className="min-h-screen">
      <header className="border-b border-stone-300 bg-white">
        <div className="mx-auto flex max-w-2xl flex-wrap items-center justify-between gap-2 p-4">
          <p className="text-lg font-semibold text-blue-900">Journal</p>
          <div className="flex min-w-0 items-center gap-3">
            <p className="truncate text-sm text-stone-700" title={session.user.email}>
              Signed in as <span className="font-medium text-stone-900">{session.user.name}</span>
            </p>
            <button type="button" className="button-quiet" onClick={signOut} disabled={signingOut}>
              Sign out
            </button>
          </div>
        </div>
      </header>

      <div className="mx-auto max-w-2xl px-4">
        <ConnectionNotice status={status} online={online} />
      </div>
      <main className="mx-auto max-w-2xl space-y-6 px-4 pt-6 pb-28">
        <h1 className="sr-only">Your journal</h1>
        <Composer api={api} onCreated={created} />

        <section aria-labelledby="entries-heading" aria-busy={list.loading !== null}>
          <h2
            id="entries-heading"
            ref={listHeading}
            tabIndex={-1}
            className="mb-3 text-lg font-semibold"
          >
            Your entries
          </h2>
          {listNotice && (
            <p role="alert" className="notice mb-3">
              {listNotice}{" "}
              <button type="button" className="underline" onClick={() => setListNotice(null)}>
                Dismiss
              </button>
            </p>
          )}
          <EntryListBody
            loading={list.loading === "loading"}
            error={list.items.length === 0 ? list.error : null}
            empty={visible.length === 0}
            onRetry={list.retry}
          >
            <ol className="space-y-3" aria-label="Entries, newest first">
              {visible.map((item) => (
                <EntryItem
                  key={item.entry.id}
                  api={api}
                  item={item}
                  onChanged={list.replace}
                  onDelete={remove}
                />
              ))}
            </ol>
          </EntryListBody>
          {list.items.length > 0 && list.error && (
            <p role="alert" className="mt-3 text-sm text-red-800">
              {list.error}
            </p>
          )}
          {list.hasMore && list.loading !== "loading" && (
            <button
              type="button"
              className="button-quiet mt-4 w-full"
              onClick={loadMore}
              disabled={list.loading === "more"}
            >
              {list.loading === "more" ? "Loading…" : "Load more"}
            </button>
          )}
        </section>
      </main>

      <UndoNotices
        pending={deletions.pending}
        onUndo={undo}
        onExpired={() => listHeading.current?.focus()}
      />
      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}

function EntryListBody(props: {
  loading: boolean;
  error: string | null;
  empty: boolean;
  onRetry: () => void;
  children: React.ReactNode;
}) {
  if (props.loading) {
    return (
      <p role="status" className="placeholder-box">
        Loading your entries…
      </p>
    );
  }
  if (props.error) {
    return (
      <div role="alert" className="error-box">
        <p>Your entries could not be loaded: {props.error}</p>
        <button type="button" className="button-quiet mt-3" onClick={props.onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (props.empty) {
    return <p className="placeholder-box">No entries yet. Write your first one above.</p>;
  }
  return <>{props.children}</>;
}

/** Clears a "slow down" notice once the wait the server asked for is over. */
function useSlowDownExpiry(
  status: ConnectionStatus,
  setStatus: (status: ConnectionStatus) => void,
) {
  useEffect(() => {
    if (status.state !== "slow-down") return;
    const timer = setTimeout(() => setStatus({ state: "ok" }), status.retryAfterSeconds * 1000);
    return () => clearTimeout(timer);
  }, [status, setStatus]);
}
