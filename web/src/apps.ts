/** The five apps Cistern ships, with the sentence that says what each does for the user. */
export interface AppInfo {
  path: string;
  name: string;
  /** One sentence: what the app will do for the user. */
  summary: string;
}

export const APPS: readonly AppInfo[] = [
  {
    path: "/chat",
    name: "Chat",
    summary: "Talk to your own durable agent whose conversations, memory and system prompt survive restarts.",
  },
  {
    path: "/extensions",
    name: "Extensions",
    summary:
      "Describe a Chrome extension and get a validated Manifest V3 package, versioned and downloadable as a ZIP.",
  },
  {
    path: "/codegen",
    name: "Code generator",
    summary: "Turn a prompt into organised project files for the framework you choose, synchronously or as a job.",
  },
  {
    path: "/agent",
    name: "Coding agent",
    summary:
      "Ask an agent to change, explain, test or lint your project's files and accept or reject each patch it proposes.",
  },
  {
    path: "/sage",
    name: "Sage",
    summary:
      "Ingest your logs to see a risk score with its reasons, a risk history chart and a daily forecast with actions.",
  },
];
