// The sign-in screens: an email-only form for the development identity provider, and
// sign-in / create-account forms (email and password) for Neon Auth.
import { useId, useState, type FormEvent, type ReactNode } from "react";
import type { DevIdentity } from "../auth/dev";
import type { NeonIdentity } from "../auth/neon";
import type { AuthSession } from "../auth/session";
import { errorMessage } from "./messages";

interface SignInProps<Identity> {
  identity: Identity;
  notice: string | null;
  onSignedIn: (session: AuthSession) => void;
}

export function DevSignIn({ identity, notice, onSignedIn }: SignInProps<DevIdentity>) {
  const [email, setEmail] = useState("");
  const submit = useSubmit(() => identity.signIn(email.trim()), onSignedIn);

  return (
    <SignInFrame title="Sign in" notice={notice} error={submit.error}>
      <form onSubmit={submit.run} className="space-y-4" aria-busy={submit.busy}>
        <Field label="Email" type="email" autoComplete="email" value={email} onChange={setEmail} />
        <p className="text-sm text-stone-700">
          Development sign-in: any email works, no password. Never use it in production.
        </p>
        <button type="submit" className="button-primary w-full" disabled={submit.busy}>
          {submit.busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </SignInFrame>
  );
}

export function NeonSignIn({ identity, notice, onSignedIn }: SignInProps<NeonIdentity>) {
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const submit = useSubmit(
    () =>
      creating
        ? identity.signUp(name.trim(), email.trim(), password)
        : identity.signIn(email.trim(), password),
    onSignedIn,
  );

  const title = creating ? "Create an account" : "Sign in";
  return (
    <SignInFrame title={title} notice={notice} error={submit.error}>
      <form onSubmit={submit.run} className="space-y-4" aria-busy={submit.busy}>
        {creating && <Field label="Name" autoComplete="name" value={name} onChange={setName} />}
        <Field label="Email" type="email" autoComplete="email" value={email} onChange={setEmail} />
        <Field
          label="Password"
          type="password"
          autoComplete={creating ? "new-password" : "current-password"}
          minLength={creating ? 8 : undefined}
          hint={creating ? "At least 8 characters." : undefined}
          value={password}
          onChange={setPassword}
        />
        <button type="submit" className="button-primary w-full" disabled={submit.busy}>
          {submit.busy ? "Please wait…" : creating ? "Create account" : "Sign in"}
        </button>
      </form>
      <p className="mt-6 text-sm text-stone-700">
        {creating ? "Already have an account?" : "New here?"}{" "}
        <button
          type="button"
          className="font-medium text-blue-800 underline underline-offset-2"
          onClick={() => setCreating(!creating)}
        >
          {creating ? "Sign in instead" : "Create an account"}
        </button>
      </p>
    </SignInFrame>
  );
}

function SignInFrame(props: {
  title: string;
  notice: string | null;
  error: string | null;
  children: ReactNode;
}) {
  return (
    <main className="mx-auto mt-10 max-w-sm px-4 pb-10">
      <p className="mb-6 text-center text-lg font-semibold text-blue-900">Journal</p>
      <div className="card p-6">
        <h1 className="mb-4 text-xl font-semibold">{props.title}</h1>
        {props.notice && (
          <p role="status" className="notice mb-4">
            {props.notice}
          </p>
        )}
        {props.error && (
          <p role="alert" className="error-box mb-4">
            {props.error}
          </p>
        )}
        {props.children}
      </div>
    </main>
  );
}

interface FieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  autoComplete?: string;
  minLength?: number | undefined;
  hint?: string | undefined;
}

function Field({
  label,
  value,
  onChange,
  type = "text",
  autoComplete,
  minLength,
  hint,
}: FieldProps) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      <input
        id={id}
        className="field"
        type={type}
        required
        autoComplete={autoComplete}
        minLength={minLength}
        aria-describedby={hint ? `${id}-hint` : undefined}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-sm text-stone-700">
          {hint}
        </p>
      )}
    </div>
  );
}

/** Runs a sign-in action from a form submit, tracking busy state and the error to show. */
function useSubmit(action: () => Promise<AuthSession>, onSignedIn: (session: AuthSession) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await action());
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return { busy, error, run };
}
