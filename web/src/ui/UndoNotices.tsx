// The "Entry deleted — Undo" notices, one per deletion still inside its undo window.
import { useEffect, useRef } from "react";
import type { PendingDeletion } from "./useEntries";

interface UndoNoticesProps {
  pending: PendingDeletion[];
  onUndo: (id: number) => void;
  /** Called when a notice that held the focus goes away without an undo. */
  onExpired: () => void;
}

export function UndoNotices({ pending, onUndo, onExpired }: UndoNoticesProps) {
  const region = useRef<HTMLDivElement>(null);
  const hadFocus = useRef(false);

  // When the notice holding focus disappears, hand focus back to the list.
  useEffect(() => {
    const focusInside = region.current?.contains(document.activeElement) ?? false;
    if (hadFocus.current && !focusInside && document.activeElement === document.body) onExpired();
    hadFocus.current = focusInside;
  });

  return (
    <div
      ref={region}
      className="fixed inset-x-0 bottom-0 z-10 mx-auto flex max-w-2xl flex-col gap-2 p-4"
      onFocus={() => (hadFocus.current = true)}
    >
      {pending.map(({ item }) => (
        <div key={item.entry.id} className="toast">
          <p className="min-w-0 truncate">
            Entry deleted: <span className="italic">{preview(item.entry.content)}</span>
          </p>
          <button
            id={`undo-${item.entry.id}`}
            type="button"
            className="button shrink-0 bg-white text-stone-900 hover:bg-stone-200"
            onClick={() => onUndo(item.entry.id)}
          >
            Undo
          </button>
        </div>
      ))}
    </div>
  );
}

function preview(content: string): string {
  const line = content.trim().split("\n")[0] ?? "";
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
