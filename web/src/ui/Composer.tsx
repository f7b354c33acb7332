// The form that writes a new entry: a labelled textarea, Save button, Ctrl/Cmd+Enter to save.
import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import type { JournalApi } from "../api/client";
import type { Versioned } from "../api/types";
import { errorMessage } from "./messages";

interface ComposerProps {
  api: JournalApi;
  onCreated: (item: Versioned) => void;
}

export function Composer({ api, onCreated }: ComposerProps) {
  const id = useId();
  const [content, setContent] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const blank = content.trim() === "";

  async function save(event?: FormEvent) {
    event?.preventDefault();
    if (blank || saving) return;

    setSaving(true);
    setError(null);
    try {
      onCreated(await api.createEntry(content));
      setContent("");
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={save} className="card">
      <label htmlFor={id} className="label">
        New entry
      </label>
      <textarea
        id={id}
        className="field min-h-32 resize-y"
        value={content}
        onChange={(event) => setContent(event.target.value)}
        onKeyDown={(event) => onSaveShortcut(event, () => void save())}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        aria-invalid={error !== null}
      />
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div className="mt-3 flex flex-wrap items-center justify-between gap-2">
        <p id={`${id}-hint`} className="text-sm text-stone-700">
          Ctrl+Enter (⌘+Enter on a Mac) saves.
        </p>
        <button type="submit" className="button-primary" disabled={blank || saving}>
          {saving ? "Saving…" : "Save entry"}
        </button>
      </div>
    </form>
  );
}

/** Calls `save` for Ctrl+Enter or Cmd+Enter. */
export function onSaveShortcut(event: KeyboardEvent, save: () => void) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    save();
  }
}
