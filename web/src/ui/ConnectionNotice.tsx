// The banner about the connection: offline, service unavailable (retrying), or slow down.
import { useEffect, useState } from "react";
import type { ConnectionStatus } from "../api/client";

export function ConnectionNotice({
  status,
  online,
}: {
  status: ConnectionStatus;
  online: boolean;
}) {
  const message = noticeText(status, online);
  return (
    <div role="status" aria-live="polite">
      {message && <p className="notice mt-4">{message}</p>}
    </div>
  );
}

/** navigator.onLine, kept current. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

function noticeText(status: ConnectionStatus, online: boolean): string | null {
  if (!online)
    return "You are offline. Your changes will not be saved until the connection returns.";
  switch (status.state) {
    case "ok":
      return null;
    case "offline":
      return `The journal server cannot be reached. Retrying in ${seconds(status.retryInMs)}…`;
    case "unavailable":
      return `The service is unavailable, retrying in ${seconds(status.retryInMs)}…`;
    case "slow-down":
      return `Slow down: too many requests. Try again in ${status.retryAfterSeconds} s.`;
  }
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}
