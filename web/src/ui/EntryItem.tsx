// One entry in the list: its text (as text, whitespace kept) and dates, edited in place with
// the version it was read at (If-Match), and the choice offered when someone changed it since.
import { useId, useRef, useState } from "react";
import type { JournalApi } from "../api/client";
import { ConflictError } from "../api/problem";
import type { Entry, Versioned } from "../api/types";
import { onSaveShortcut } from "./Composer";
import { errorMessage, formatDate } from "./messages";

interface EntryItemProps {
  api: JournalApi;
  item: Versioned;
  onChanged: (item: Versioned) => void;
  onDelete: (item: Versioned) => void;
}

type Mode =
  | { kind: "view" }
  | { kind: "opening" }
  | { kind: "edit"; base: Versioned; draft: string; saving: boolean }
  | { kind: "conflict"; theirs: Versioned; draft: string; saving: boolean };

export function EntryItem({ api, item, onChanged, onDelete }: EntryItemProps) {
  const id = useId();
  const [mode, setMode] = useState<Mode>({ kind: "view" });
  const [error, setError] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const { entry } = item;

  async function startEditing() {
    setMode({ kind: "opening" });
    setError(null);
    try {
      // Read the entry afresh: the list carries no ETags, and it may have changed elsewhere.
      const latest = await api.getEntry(entry.id);
      onChanged(latest);
      setMode({ kind: "edit", base: latest, draft: latest.entry.content, saving: false });
    } catch (failure) {
      setError(errorMessage(failure));
      setMode({ kind: "view" });
    }
  }

  function stopEditing() {
    setMode({ kind: "view" });
    setError(null);
    requestAnimationFrame(() => editButton.current?.focus());
  }

  async function save(draft: string, etag: string | null) {
    if (draft.trim() === "") {
      setError("An entry cannot be empty. Delete it instead.");
      return;
    }
    setMode((current) =>
      current.kind === "view" || current.kind === "opening"
        ? current
        : { ...current, saving: true },
    );
    setError(null);
    try {
      onChanged(await api.updateEntry(entry.id, draft, etag));
      stopEditing();
    } catch (failure) {
      if (failure instanceof ConflictError) {
        const theirs = { entry: failure.current, etag: failure.etag };
        onChanged(theirs);
        setMode({ kind: "conflict", theirs, draft, saving: false });
        return;
      }
      setError(errorMessage(failure));
      setMode((current) =>
        current.kind === "view" || current.kind === "opening"
          ? current
          : { ...current, saving: false },
      );
    }
  }

  function takeTheirs(theirs: Versioned) {
    onChanged(theirs);
    stopEditing();
  }

  return (
    <li>
      <article
        id={`entry-${entry.id}`}
        tabIndex={-1}
        aria-labelledby={`${id}-date`}
        className="card"
      >
        <EntryDates entry={entry} headingId={`${id}-date`} />

        {mode.kind === "edit" || mode.kind === "conflict" ? (
          <EditForm
            id={id}
            mode={mode}
            error={error}
            onDraft={(draft) => setMode({ ...mode, draft })}
            onSave={() =>
              void save(mode.draft, mode.kind === "edit" ? mode.base.etag : mode.theirs.etag)
            }
            onCancel={stopEditing}
            onTakeTheirs={mode.kind === "conflict" ? () => takeTheirs(mode.theirs) : undefined}
          />
        ) : (
          <>
            <p
              data-testid="entry-content"
              className="mt-2 whitespace-pre-wrap break-words text-stone-900"
            >
              {entry.content}
            </p>
            {error && (
              <p role="alert" className="mt-2 text-sm text-red-800">
                {error}
              </p>
            )}
            <div className="mt-3 flex gap-2">
              <button
                ref={editButton}
                type="button"
                className="button-quiet"
                onClick={startEditing}
                disabled={mode.kind === "opening"}
                aria-describedby={`${id}-date`}
              >
                {mode.kind === "opening" ? "Opening…" : "Edit"}
              </button>
              <button
                type="button"
                className="button-danger"
                onClick={() => onDelete(item)}
                aria-describedby={`${id}-date`}
              >
                Delete
              </button>
            </div>
          </>
        )}
      </article>
    </li>
  );
}

function EntryDates({ entry, headingId }: { entry: Entry; headingId: string }) {
  const edited = entry.updatedAt !== entry.createdAt;
  return (
    <h3 id={headingId} className="text-sm font-normal text-stone-700">
      <time dateTime={entry.createdAt}>{formatDate(entry.createdAt)}</time>
      {edited && (
        <>
          {" · edited "}
          <time dateTime={entry.updatedAt}>{formatDate(entry.updatedAt)}</time>
        </>
      )}
    </h3>
  );
}

interface EditFormProps {
  id: string;
  mode: Extract<Mode, { kind: "edit" | "conflict" }>;
  error: string | null;
  onDraft: (draft: string) => void;
  onSave: () => void;
  onCancel: () => void;
  onTakeTheirs: (() => void) | undefined;
}

function EditForm({ id, mode, error, onDraft, onSave, onCancel, onTakeTheirs }: EditFormProps) {
  const conflict = mode.kind === "conflict";
  return (
    <form
      className="mt-2"
      onSubmit={(event) => {
        event.preventDefault();
        onSave();
      }}
    >
      {conflict && (
        <div role="alert" className="notice mb-3">
          <p className="font-medium">
            This entry was changed elsewhere while you were editing. It now reads:
          </p>
          <p className="mt-2 whitespace-pre-wrap break-words rounded bg-white p-2 text-stone-900">
            {mode.theirs.entry.content}
          </p>
          <p className="mt-2">Keep your version below, or take theirs.</p>
        </div>
      )}
      <label htmlFor={`${id}-edit`} className="label">
        {conflict ? "Your version" : "Edit entry"}
      </label>
      <textarea
        id={`${id}-edit`}
        className="field min-h-32 resize-y"
        value={mode.draft}
        autoFocus
        onChange={(event) => onDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
          else onSaveShortcut(event, onSave);
        }}
      />
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="submit" className="button-primary" disabled={mode.saving}>
          {mode.saving ? "Saving…" : conflict ? "Keep mine" : "Save"}
        </button>
        {onTakeTheirs && (
          <button
            type="button"
            className="button-quiet"
            onClick={onTakeTheirs}
            disabled={mode.saving}
          >
            Take theirs
          </button>
        )}
        <button type="button" className="button-quiet" onClick={onCancel} disabled={mode.saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}
