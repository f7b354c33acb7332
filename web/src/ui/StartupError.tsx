// Shown when the SPA cannot even start: /config.json is missing, unreachable or malformed.

export function StartupError({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <main className="mx-auto max-w-xl p-6">
      <h1 className="text-2xl font-semibold">The journal cannot start</h1>
      <p role="alert" className="mt-3 text-red-800">
        {message}
      </p>
      <button type="button" className="button-primary mt-4" onClick={() => location.reload()}>
        Try again
      </button>
    </main>
  );
}
