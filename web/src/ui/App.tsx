// The top of the UI: restores a session at start, shows the sign-in screen of the configured
// identity provider until there is one, then the journal. It owns the "who is signed in" state
// and ends the session when the API or the provider says it is over.
import { useCallback, useEffect, useState } from "react";
import type { DevIdentity } from "../auth/dev";
import type { NeonIdentity } from "../auth/neon";
import type { AuthSession } from "../auth/session";
import { Journal } from "./Journal";
import { errorMessage } from "./messages";
import { DevSignIn, NeonSignIn } from "./SignIn";

type Phase =
  | { kind: "restoring" }
  | { kind: "signed-out"; notice: string | null }
  | { kind: "signed-in"; session: AuthSession };

export function App({ identity }: { identity: DevIdentity | NeonIdentity }) {
  const [phase, setPhase] = useState<Phase>({ kind: "restoring" });

  useEffect(() => {
    let cancelled = false;
    identity
      .restore()
      .then((session) => {
        if (cancelled) return;
        setPhase(session ? { kind: "signed-in", session } : { kind: "signed-out", notice: null });
      })
      .catch((error: unknown) => {
        if (!cancelled) setPhase({ kind: "signed-out", notice: errorMessage(error) });
      });
    return () => {
      cancelled = true;
    };
  }, [identity]);

  const signedIn = useCallback(
    (session: AuthSession) => setPhase({ kind: "signed-in", session }),
    [],
  );
  const sessionEnded = useCallback(
    (notice: string | null) => setPhase({ kind: "signed-out", notice }),
    [],
  );

  if (phase.kind === "restoring") {
    return (
      <main className="mx-auto max-w-2xl p-6" aria-busy="true">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (phase.kind === "signed-in") {
    return <Journal session={phase.session} onSessionEnded={sessionEnded} />;
  }
  return identity.mode === "dev" ? (
    <DevSignIn identity={identity} notice={phase.notice} onSignedIn={signedIn} />
  ) : (
    <NeonSignIn identity={identity} notice={phase.notice} onSignedIn={signedIn} />
  );
}
