// Entry point: reads /config.json, then renders the app for the identity provider it names.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { loadConfig } from "./config";
import { identityFor } from "./auth/session";
import { App } from "./ui/App";
import { StartupError } from "./ui/StartupError";
import "./index.css";

const root = createRoot(document.getElementById("root")!);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App identity={identityFor(config)} />
      </StrictMode>,
    ),
  (error: unknown) => root.render(<StartupError error={error} />),
);
